"""Browser journey: a county admin opens the dashboard, drills into a township, opens the
uncovered key employers and exports 附表2; the dashboard on a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xieguan.indicators.tests.factories import (
    EmployerFactory,
    InspectionFactory,
    PublicityEventFactory,
    answer_all,
    fubiao1_template,
    load_default_targets,
)
from xieguan.lib.testing import TOWNSHIP
from xieguan.personnel.tests.factories import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(personas):
    load_default_targets()
    template = fubiao1_template()
    now = timezone.now()
    start_of_year = timezone.make_aware(dt.datetime(now.year, 1, 2, 10))
    covered = EmployerFactory.create(name="柏果煤矿", region_id=TOWNSHIP + "001")
    EmployerFactory.create(name="云中水泥厂", region_id=TOWNSHIP + "002", registered=False)
    EmployerFactory.create(name="红果化工厂", region_id="520281004007")
    for when in (start_of_year, now - dt.timedelta(hours=1)):
        inspection = InspectionFactory.create(
            template=template, employer=covered, assistant=personas.xieguan, inspected_at=when
        )
        answer_all(inspection, findings={3: "未开展年度检测"}, na=(2,))
    PublicityEventFactory.create(region_id=TOWNSHIP, recorded_by=personas.xieguan)
    # 王芳 (xieguan) in service (personnel's one definition): a term since last year
    serve(personas.xieguan, TOWNSHIP, now.year - 1, now.year + 2, personas.panzhou)
    return covered


def test_county_admin_finds_who_is_missing_and_prints_the_register(
    live_server, county, desk, phone, login_page, screenshot, tmp_path
):
    login_page(desk, "panzhou")
    desk.get_by_role("link", name="工作指标").click()
    assert desk.get_by_test_id("dashboard-title").inner_text().startswith("盘州市")
    desk.get_by_test_id("charts").scroll_into_view_if_needed()  # charts load when seen
    desk.wait_for_selector("#indicator-charts svg")
    row = desk.locator("tr[data-region='520281117']")
    assert row.locator("td.unmet").count() >= 1  # 柏果镇 misses some targets
    screenshot(desk, "county-dashboard")

    row.get_by_test_id("drill-region").click()
    assert desk.get_by_test_id("dashboard-title").inner_text().startswith("柏果镇")
    screenshot(desk, "township-dashboard")

    coverage = desk.get_by_test_id("key-figures").locator(".card", has_text="重点单位巡查覆盖率")
    coverage.locator("a.fs-4").click()
    assert "重点单位巡查覆盖率" in desk.get_by_test_id("drill-title").inner_text()
    rows = desk.get_by_test_id("drill-rows").inner_text()
    assert "云中水泥厂" in rows and "柏果煤矿" not in rows and "红果化工厂" not in rows
    screenshot(desk, "uncovered-employers")

    desk.go_back()
    desk.get_by_test_id("register-link").click()
    assert desk.get_by_test_id("register-unit").inner_text().startswith("盘州市柏果镇")
    form = desk.get_by_test_id("register-by-assistant")
    form.get_by_label("协管员", exact=True).select_option(label="xieguan（柏果镇）")
    form.get_by_role("button", name="生成").click()
    assert "柏果煤矿" in desk.get_by_test_id("register-rows").inner_text()
    screenshot(desk, "register-preview")
    for fmt in ("pdf", "xlsx", "docx"):
        with desk.expect_download() as info:
            desk.get_by_test_id(f"register-{fmt}").click(modifiers=["Alt"] if fmt == "pdf" else None)
        path = tmp_path / f"register.{fmt}"
        info.value.save_as(path)
        assert path.stat().st_size > 1000, fmt

    login_page(phone, "panzhou")
    phone.goto(f"{live_server.url}/indicators/")
    phone.get_by_test_id("charts").scroll_into_view_if_needed()
    phone.wait_for_selector("#indicator-charts svg")
    screenshot(phone, "phone-dashboard")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the table scrolls, not the page
