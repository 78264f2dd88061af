"""The second factor in the browser: enrol on a phone from the account page (QR code, secret,
a code computed here as the app would), note the recovery codes, log out, log in again with the
password and a code."""

import base64
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.lib.a11y import axe_violations, describe
from xieguan.lib.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clear_of_a_step_edge(room: float = 10) -> None:
    """Wait, if needed, until at least ``room`` seconds remain in the current 30 s TOTP step.
    A code computed here just before a step ends and checked by the server just after is accepted
    as one step behind, and django-otp then records a drift of -1 for the device: a later code
    computed one step ahead falls outside its window, and the login was refused (one full run in
    several)."""
    left = 30 - time.time() % 30
    if left < room:
        time.sleep(left + 0.5)


def app_code(secret: str, ahead: int = 0) -> str:
    """What an authenticator app shows for ``secret`` (base32, as the page shows it)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=ahead):06d}"


def test_enrol_and_log_in_with_a_code(live_server, personas, phone, login_page, screenshot):
    refused = []  # what the Content-Security-Policy blocked (the QR code is inline SVG: nothing)
    phone.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login_page(phone, "panzhou")
    phone.goto(f"{live_server.url}/account/")
    phone.get_by_test_id("two-factor").click()
    qr = phone.locator(".otp-qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None and 150 <= box["width"] <= 260 and box["width"] == box["height"]
    secret = phone.get_by_test_id("otp-secret").inner_text()
    screenshot(phone, "enrol")
    assert not refused, refused

    clear_of_a_step_edge()  # the enrolment and the login below happen within one step's room
    phone.fill("#id_code", "000000" if app_code(secret) != "000000" else "111111")
    phone.get_by_test_id("otp-confirm").click()
    assert "验证码不正确" in phone.get_by_test_id("form-errors").inner_text()
    screenshot(phone, "wrong-code")
    phone.wait_for_timeout(1100)  # django-otp's back-off after one wrong code: 1 s
    phone.fill("#id_code", app_code(secret))
    phone.get_by_test_id("otp-confirm").click()
    codes = phone.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    screenshot(phone, "recovery-codes")
    assert TOTPDevice.objects.get(user=personas.panzhou).confirmed

    phone.context.clear_cookies()
    phone.goto(f"{live_server.url}/login/")
    phone.fill("#id_username", "panzhou")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/login/verify/**")
    screenshot(phone, "verify")
    phone.goto(f"{live_server.url}/employers/")  # any page leads back to the verify step
    assert "/login/verify/" in phone.url
    phone.fill("#id_code", app_code(secret, ahead=1))  # the enrolment used this step's code
    phone.get_by_test_id("otp-verify").click()
    phone.wait_for_url(f"{live_server.url}/employers/")
    phone.goto(f"{live_server.url}/account/")
    assert "已启用" in phone.get_by_test_id("two-factor-status").inner_text()
    screenshot(phone, "account")

    # the province admin resets it (a lost phone), asked first; the account then shows 未启用
    phone.context.clear_cookies()
    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/users/{personas.panzhou.pk}/")
    assert "已启用" in phone.get_by_test_id("two-factor-status").inner_text()
    phone.get_by_test_id("reset-two-factor").click()
    dialog = phone.get_by_test_id("confirm-dialog")
    assert "两步验证" in dialog.inner_text()
    screenshot(phone, "reset-asked")
    dialog.get_by_test_id("confirm-ok").click()
    phone.wait_for_selector("text=已重置该账号的两步验证")
    assert "未启用" in phone.get_by_test_id("two-factor-status").inner_text()
    screenshot(phone, "reset-done")
    assert not TOTPDevice.objects.filter(user=personas.panzhou).exists()


def test_the_second_factor_pages_pass_axe(live_server, personas, browser, login_page):
    """axe-core (no serious or critical violation) on enrolment, the recovery codes and the verify
    step; the context lifts the CSP for axe's injected script, as test_accessibility_browser does."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="zh-CN", device_scale_factor=1, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, "jiandu")
        page.goto(f"{live_server.url}/account/two-factor/")
        checked = {"enrol": axe_violations(page)}
        clear_of_a_step_edge()
        page.fill("#id_code", app_code(page.get_by_test_id("otp-secret").inner_text()))
        page.get_by_test_id("otp-confirm").click()
        page.get_by_test_id("recovery-codes").wait_for()
        checked["recovery codes"] = axe_violations(page)
        context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "jiandu")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/login/verify/**")
        checked["verify"] = axe_violations(page)
    finally:
        context.close()
    assert not any(checked.values()), {k: describe(v) for k, v in checked.items() if v}
