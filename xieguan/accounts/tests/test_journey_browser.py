"""Browser journey: an assistant logs in on a phone; another county's admin is refused."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assistant_home_and_cross_county_refusal(live_server, personas, phone, desk, login_page, screenshot):
    login_page(phone, "xieguan")
    assert phone.get_by_test_id("home-region").inner_text() == "贵州省六盘水市盘州市柏果镇"
    # Nothing overflows the 360 px screen horizontally.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "assistant-home")

    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("button", name="更多").click()  # the menu's 更多 dropdown (lib/nav.py)
    phone.get_by_role("link", name="辖区").click()
    assert phone.get_by_test_id("region-name").inner_text().startswith("柏果镇")
    screenshot(phone, "assistant-township")

    login_page(desk, "liuzhi")
    response = desk.goto(f"{live_server.url}/regions/520281117/")
    assert response.status == 404
    screenshot(desk, "other-county-404")
