"""Browser: the patrol drill-down shows, with their dates, the assistants who served part of the
period (appointed or dismissed within a half-year) and marks that half-year 不计."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xieguan.indicators.tests.factories import InspectionFactory, load_default_targets
from xieguan.lib.testing import TOWNSHIP, UserFactory
from xieguan.personnel.tests.factories import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_patrol_drill_down_lists_partial_service_with_the_dates(
    live_server, personas, desk, login_page, screenshot
):
    load_default_targets()
    year = timezone.localdate().year
    by = personas.panzhou
    serve(personas.xieguan, TOWNSHIP, year - 2, year + 2, by)
    InspectionFactory.create(assistant=personas.xieguan, inspected_at=timezone.now() - dt.timedelta(days=1))
    serve(None, TOWNSHIP, year, year + 3, by, start=dt.date(year, 3, 15), name="三月新聘")
    gone = UserFactory.create(username="gone", full_name="八月解聘", region_id=TOWNSHIP, is_active=False)
    serve(gone, TOWNSHIP, year - 2, year + 2, by, dismissed_on=dt.date(year, 8, 10))
    login_page(desk, "panzhou")
    desk.goto(f"{live_server.url}/indicators/assistant_patrol/?region={TOWNSHIP}&period={year}&show=all")
    rows = desk.get_by_test_id("drill-rows").inner_text()
    assert "八月解聘" in rows and "三月新聘" in rows  # each due in one half-year of the year
    partly = desk.get_by_test_id("drill-partly").inner_text()
    assert f"{year}-03-15" in partly and f"{year}-08-10" in partly and "不计" in partly
    assert "无登录账号" in partly
    screenshot(desk, "patrol-partly")
