"""Token journey in the browser: create a token on a phone, use it as a bearer, revoke it (asked
first), and the bearer is refused with 401."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_use_revoke_a_token_on_a_phone(live_server, personas, phone, login_page, screenshot):
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/tokens/")
    phone.fill("#id_name", "张三的手机")
    phone.get_by_role("button", name="创建令牌").click()
    key = phone.input_value("#new-token")
    assert key.startswith("xg_")
    screenshot(phone, "created")
    api = phone.context.request
    me = api.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status == 200 and me.json()["username"] == "xieguan"
    phone.get_by_role("button", name="撤销").click()
    dialog = phone.get_by_test_id("confirm-dialog")
    assert "张三的手机" in dialog.inner_text()  # asked first, naming the device
    dialog.get_by_test_id("confirm-ok").click()
    phone.wait_for_selector("text=已撤销")
    screenshot(phone, "revoked")
    phone.context.clear_cookies()  # the bearer alone, without the session
    refused = api.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert refused.status == 401 and "重新登录" in refused.json()["detail"]
