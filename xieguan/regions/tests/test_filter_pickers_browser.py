"""Browser: the searchable region and people filters of the list pages (regions/_filter_select.html
with picker.js), at 1280 and 360 px: type a county's name, the select moves to it, one submit."""

import pytest

from xieguan.personnel.tests.factories import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_filters_the_ledger_by_a_county_in_one_trip(
    live_server, personas, desk, login_page, screenshot
):
    login_page(desk, "sheng")
    desk.goto(f"{live_server.url}/employers/")
    desk.get_by_text("筛选与排序").click()
    picker = desk.get_by_test_id("picker-region")
    picker.get_by_role("searchbox").fill("盘州")
    assert desk.locator("#id_region").input_value() == "520281"
    assert picker.locator("optgroup:not([hidden])").get_attribute("label") == "六盘水市"
    screenshot(desk, "ledger-county")
    desk.get_by_role("button", name="筛选", exact=True).click()
    desk.wait_for_url("**region=520281**")


def test_the_inspection_list_finds_an_assistant_by_county_on_a_phone(
    live_server, personas, phone, login_page, screenshot
):
    serve(personas.xieguan, "520281117", 2024, 2030, personas.panzhou)
    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/inspections/")
    picker = phone.get_by_test_id("picker-assistant")
    picker.get_by_role("searchbox").fill("盘州")  # the county's name finds its people
    assert picker.locator("optgroup:not([hidden])").get_attribute("label") == "六盘水市·盘州市"
    assert phone.locator("#id_assistant").input_value() == str(personas.xieguan.pk)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "inspections-assistant")
    phone.get_by_role("button", name="筛选", exact=True).click()
    phone.wait_for_url(f"**assistant={personas.xieguan.pk}**")
