"""The county admin creates an officer in the app; the officer logs in with the one-time password,
is made to choose their own, and works."""

import pytest

from xieguan.accounts.models import Agency, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_admin_creates_an_officer_who_sets_a_password(
    live_server, personas, desk, phone, login_page, screenshot
):
    login_page(desk, "panzhou")
    desk.get_by_role("button", name="更多").click()  # the menu's 更多 dropdown (lib/nav.py)
    desk.get_by_role("link", name="账号与机构").first.click()
    screenshot(desk, "1-users")
    desk.get_by_test_id("user-new").click()
    desk.fill("#id_username", "zhifa9")
    desk.fill("#id_full_name", "赵执法")
    desk.select_option("#id_role", "officer")
    desk.select_option("#id_region", "520281")
    agency = Agency.objects.get(name="盘州市卫生健康综合监督执法大队")
    desk.select_option("#id_agency", str(agency.pk))
    desk.locator("main button[type=submit]").click()
    screenshot(desk, "2a-after-submit")
    password = desk.get_by_test_id("one-time-password").inner_text().strip()
    screenshot(desk, "2-one-time-password")
    assert len(password) == 12

    login_page_url = f"{live_server.url}/login/"
    phone.goto(login_page_url)
    phone.fill("#id_username", "zhifa9")
    phone.fill("#id_password", password)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/password/")
    screenshot(phone, "3-forced-change")
    phone.fill("#id_old_password", password)
    phone.fill("#id_new_password1", "Panzhou-Zhifa-2027")
    phone.fill("#id_new_password2", "Panzhou-Zhifa-2027")
    phone.get_by_test_id("password-save").click()
    phone.wait_for_url(f"{live_server.url}/")
    assert "密码已修改" in phone.content()
    assert not User.objects.get(username="zhifa9").must_change_password

    desk.goto(f"{live_server.url}/users/{User.objects.get(username='zhifa9').pk}/")
    sessions = desk.get_by_test_id("sessions")
    assert sessions.locator("li").count() == 1 and "没有登录中的会话" not in sessions.inner_text()
    screenshot(desk, "4-detail")
    phone.goto(f"{live_server.url}/account/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "5-me")
