"""Attacks on the second factor (helper atka's review): each test is an attempt an adversary
would make, with what must hold."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.accounts.actions import create_token
from xieguan.accounts.models import ApiToken
from xieguan.accounts.tests.test_two_factor import VERIFY, code, enrolled, password_login
from xieguan.lib.testing import PASSWORD

pytestmark = pytest.mark.django_db
ENROL = reverse("accounts:two_factor")


def shown_secret(client: Client) -> bytes:
    body = client.get(ENROL).content.decode()
    return base64.b32decode("".join(body.split('data-testid="otp-secret">')[1].split("<")[0].split()))


def test_a_secret_seen_by_another_login_is_never_the_one_the_user_enrols(personas):
    """An attacker who has only the password opens 两步验证 before the user does and reads the
    secret; the user later enrols. The device the user confirms must not have that secret, else
    the attacker computes every code from then on (the second factor is bypassed for ever)."""
    attacker = password_login("jiandu")
    stolen = shown_secret(attacker)
    victim = password_login("jiandu")
    mine = shown_secret(victim)
    assert mine != stolen
    device = TOTPDevice.objects.get(user=personas.jiandu, key=mine.hex())
    assert victim.post(ENROL, {"code": code(device)}).status_code == 200
    confirmed = TOTPDevice.objects.get(user=personas.jiandu, confirmed=True)
    assert confirmed.bin_key == mine != stolen
    # the attacker's login ended, and a code made from the stolen secret opens nothing
    assert attacker.get("/employers/")["Location"].startswith(reverse("accounts:login"))
    again = password_login("jiandu")
    forged = f"{totp(stolen, confirmed.step, confirmed.t0, confirmed.digits, 1):06d}"
    assert "验证码不正确" in again.post(VERIFY, {"code": forged}).content.decode()


def test_another_login_cannot_confirm_the_device_this_login_is_enrolling(personas):
    """The attacker does not read the secret but confirms with a code of their own device: the
    confirmation concerns the device shown to that session only."""
    victim = password_login("jiandu")
    shown_secret(victim)
    attacker = password_login("jiandu")
    theirs = shown_secret(attacker)
    device = TOTPDevice.objects.get(user=personas.jiandu, key=theirs.hex())
    assert attacker.post(ENROL, {"code": code(device)}).status_code == 200
    # the attacker's device is confirmed (the password is all it takes before any enrolment),
    # but it is the one they were shown; the victim's login ended with it
    assert TOTPDevice.objects.get(user=personas.jiandu, confirmed=True).bin_key == theirs
    assert victim.get("/employers/")["Location"].startswith(reverse("accounts:login"))


# --- a session that passed the password but not the code -----------------------------------


@pytest.fixture
def half_logged_in(personas) -> Client:
    """The province admin (staff: the admin site) enrolled; a login stopped at the verify step."""
    enrolled(personas.sheng)
    return password_login("sheng")


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("get", "/admin/", None),
        ("get", "/admin/accounts/user/", None),
        ("post", "/tokens/", {"name": "攻击者的电脑", "days": "30"}),
        (
            "post",
            "/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "Xg!9new-pass-2026",
                "new_password2": "Xg!9new-pass-2026",
            },
        ),
        ("post", "/account/two-factor/disable/", {"password": PASSWORD}),
        ("post", "/account/two-factor/recovery-codes/", {}),
        ("get", "/account/two-factor/", None),
        ("get", "/audit/", None),
        ("get", "/users/", None),
        ("post", "/login/", {"username": "sheng", "password": PASSWORD}),
    ],
)
def test_no_page_or_form_is_reachable_before_the_code(half_logged_in, personas, method, path, data):
    response = getattr(half_logged_in, method)(path, data) if data is not None else half_logged_in.get(path)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY), (
        path,
        response.status_code,
    )
    assert not ApiToken.objects.filter(user=personas.sheng).exists()
    assert TOTPDevice.objects.filter(user=personas.sheng, confirmed=True).exists()
    personas.sheng.refresh_from_db()
    assert personas.sheng.check_password(PASSWORD)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/me", "/api/v1/employers", "/api/v1/openapi.json", "/api/v1/docs"],
)
@pytest.mark.parametrize("bearer", [None, "Bearer xg_forged", "Bearer ", "bearer xg_x", "Token xg_x"])
def test_no_api_answer_before_the_code_whatever_the_authorization_header(half_logged_in, path, bearer):
    headers = {"Authorization": bearer} if bearer is not None else {}
    response = half_logged_in.get(path, headers=headers)
    assert response.status_code in (302, 401, 403), (path, bearer, response.status_code)
    if response.status_code == 302:
        assert response["Location"].startswith((VERIFY, reverse("accounts:login")))
    assert b"openapi" not in response.content and b"swagger" not in response.content.lower()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
        "/%2F%2Fevil.example",
    ],
)
def test_the_verify_step_never_redirects_off_site(personas, target):
    device, _codes = enrolled(personas.jiandu)
    client = password_login("jiandu")
    page = client.get(VERIFY, {"next": target}).content.decode()
    hidden = page.split('name="next" value="')[1].split('"')[0]
    assert hidden.startswith("/") and not hidden.startswith(("//", "/\\")), hidden
    done = client.post(VERIFY, {"code": code(device, 1), "next": target})
    assert done.status_code == 302
    location = done["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    # already verified: the page forwards to `next` at once, just as safely
    again = client.get(VERIFY, {"next": target})
    assert again["Location"].startswith("/") and not again["Location"].startswith(("//", "/\\"))


def test_a_recovery_code_raced_in_two_logins_opens_one(personas):
    _device, codes = enrolled(personas.jiandu)
    first, second = password_login("jiandu"), password_login("jiandu")
    assert first.post(VERIFY, {"code": codes[3]}).status_code == 302
    assert "验证码不正确" in second.post(VERIFY, {"code": codes[3]}).content.decode()
    assert second.get("/employers/")["Location"].startswith(VERIFY)


def test_guessing_codes_is_throttled_and_the_right_code_then_waits(personas):
    device, codes = enrolled(personas.jiandu)
    client = password_login("jiandu")
    right = code(device, 1)
    wrong = [f"{n:06d}" for n in range(100000, 100040) if f"{n:06d}" != right]
    with time_machine.travel(timezone.now(), tick=False):
        answers = [client.post(VERIFY, {"code": guess}).content.decode() for guess in wrong[:20]]
        assert sum("秒后再试" in a for a in answers) >= 18  # only the first wrong guess is even tried
        assert "秒后再试" in client.post(VERIFY, {"code": right}).content.decode()
        # recovery codes have their own back-off: guessing them is throttled too
        rec = [client.post(VERIFY, {"code": f"zzzz{n:04d}zzzz"}).content.decode() for n in range(10)]
        assert sum("秒后再试" in a for a in rec) >= 8
        assert "秒后再试" in client.post(VERIFY, {"code": codes[0]}).content.decode()
    assert client.get("/employers/")["Location"].startswith(VERIFY)


def test_reset_of_an_admins_second_factor_only_by_the_province(personas, client_for):
    enrolled(personas.panzhou)
    url = reverse("accounts:user_reset_two_factor", args=[personas.panzhou.pk])
    assert client_for("liuzhi").post(url).status_code == 404  # a county admin elsewhere
    assert client_for("jiandu").post(url).status_code in (403, 404)  # an officer of that county
    assert client_for("xieguan").post(url).status_code in (403, 404)
    assert client_for("lps").post(url).status_code in (403, 404)
    assert client_for("sheng").get(url).status_code == 405  # never by a GET (a link in a mail)
    assert TOTPDevice.objects.filter(user=personas.panzhou, confirmed=True).exists()


def test_a_county_admin_cannot_reset_the_province_admins_second_factor(personas, client_for):
    enrolled(personas.sheng)
    url = reverse("accounts:user_reset_two_factor", args=[personas.sheng.pk])
    assert client_for("panzhou").post(url).status_code == 404
    assert client_for("liuzhi").post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=personas.sheng, confirmed=True).exists()


def test_the_login_form_the_field_app_posts_by_fetch_needs_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("how", ["deactivate", "password", "sign_out"])
def test_tokens_stop_after_deactivation_password_reset_and_sign_out(personas, how):
    from xieguan.accounts import actions as account_actions

    _token, key = create_token(personas.jiandu, name="手机")
    bearer = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/v1/me", headers=bearer).status_code == 200
    if how == "deactivate":
        account_actions.set_active(personas.panzhou, personas.jiandu, active=False, reason="离职")
    elif how == "password":
        account_actions.reset_password(personas.panzhou, personas.jiandu)
    else:
        account_actions.sign_out_everywhere(personas.panzhou, personas.jiandu)
    assert Client().get("/api/v1/me", headers=bearer).status_code == 401
    if how == "deactivate":  # reactivated, the old token stays revoked
        account_actions.set_active(personas.panzhou, personas.jiandu, active=True)
        assert Client().get("/api/v1/me", headers=bearer).status_code == 401


def test_a_second_factor_reset_leaves_device_tokens_working(personas, client_for):
    """Documented (docs/security.md): a token is the device's credential and survives a reset of
    the second factor; the admin revokes it at 设备令牌 or with 退出所有登录 if the phone was
    lost. This test pins that behaviour so a change is deliberate."""
    enrolled(personas.xieguan)
    _token, key = create_token(personas.xieguan, name="手机")
    client_for("panzhou").post(reverse("accounts:user_reset_two_factor", args=[personas.xieguan.pk]))
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_the_admin_sites_own_login_form_leads_to_the_verify_step(personas):
    enrolled(personas.sheng)
    client = Client()
    response = client.post("/admin/login/", {"username": "sheng", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    for path in ("/admin/", "/admin/regions/region/", response["Location"]):
        assert client.get(path)["Location"].startswith(VERIFY), path


def test_new_logins_do_not_reset_the_back_off_of_guessed_codes(personas):
    device, _codes = enrolled(personas.jiandu)
    right = code(device, 1)
    with time_machine.travel(timezone.now(), tick=False):
        first = password_login("jiandu")
        first.post(VERIFY, {"code": "000000" if right != "000000" else "111111"})
        for _attempt in range(5):  # a fresh login each time: the back-off is the device's
            fresh = password_login("jiandu")
            assert "秒后再试" in fresh.post(VERIFY, {"code": right}).content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        assert password_login("jiandu").post(VERIFY, {"code": right}).status_code == 302
