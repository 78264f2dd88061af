"""Browser: an assistant records a publicity event with a photo on a 360 px phone."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from xieguan.indicators.tests.factories import EmployerFactory
from xieguan.lib.testing import TOWNSHIP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assistant_records_publicity_on_a_phone(
    live_server, personas, phone, login_page, screenshot, tmp_path
):
    EmployerFactory.create(name="柏果煤矿", region_id=TOWNSHIP + "001")
    EmployerFactory.create(name="云中水泥厂", region_id=TOWNSHIP + "002")
    picture = tmp_path / "scene.jpg"
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(buffer, format="JPEG")
    picture.write_bytes(buffer.getvalue())

    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/outreach/")
    phone.get_by_test_id("new-event").click()
    form = phone.get_by_test_id("event-form")
    form.get_by_label("日期").fill("2026-01-05")
    form.get_by_label("形式").select_option(label="职业病防治知识")
    form.get_by_label("主题").fill("粉尘危害与防护知识讲座")
    form.get_by_label("受众人数").fill("45")
    form.get_by_label("柏果煤矿").check()
    form.get_by_label("现场照片").set_input_files(str(picture))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "publicity-form")
    form.get_by_role("button", name="保存").click()  # through the outbox, then the event's page
    expect(phone.get_by_test_id("event-topic")).to_have_text("粉尘危害与防护知识讲座")
    assert "柏果煤矿" in phone.get_by_test_id("event-employers").inner_text()
    # Poll from Python: wait_for_function evaluates a string, which the page's CSP (no unsafe-eval)
    # may refuse.
    phone.locator("[data-testid=event-photos] img").first.wait_for(state="visible")
    for _ in range(100):
        if phone.evaluate("document.querySelector('[data-testid=event-photos] img').naturalWidth") > 0:
            break
        phone.wait_for_timeout(100)
    else:
        raise AssertionError("the stored photo did not load")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "publicity-detail")
