"""The second factor (TOTP with django-otp, recovery codes): enrolment, the verify step after the
password, throttling, XIEGUAN_REQUIRE_2FA, an admin's reset, and the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.accounts import actions
from xieguan.accounts.actions import create_token
from xieguan.accounts.models import AccountEvent
from xieguan.lib.testing import PASSWORD

pytestmark = pytest.mark.django_db
VERIFY = reverse("accounts:otp_verify")
ENROL = reverse("accounts:two_factor")


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """The app's code now (``ahead`` steps later: the verifier accepts one step of drift, and a
    step already used is never accepted again)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = actions.start_enrolment(user)
    return actions.confirm_enrolment(user, code(device), device_id=device.pk)


def password_login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def events(user, kind):
    return AccountEvent.objects.filter(user=user, kind=kind)


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(personas, client_for):
    client = password_login("jiandu")
    other = password_login("jiandu")  # another device's login
    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200 and "两步验证" in body
    assert "<svg" in body and "qr-path" in body  # drawn by the server, inline
    assert page["Cache-Control"] == "private, no-store"
    device = TOTPDevice.objects.get(user=personas.jiandu)
    assert not device.confirmed
    secret = "".join(body.split('data-testid="otp-secret">')[1].split("<")[0].split())
    import base64

    assert base64.b32decode(secret) == device.bin_key  # the text for manual entry is the key

    wrong = client.post(ENROL, {"code": "000000" if code(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):  # past the 1 s throttle
        done = client.post(ENROL, {"code": code(device)})
        listed = done.content.decode()
        assert done.status_code == 200 and done["Cache-Control"] == "private, no-store"
        codes = list(StaticToken.objects.filter(device__user=personas.jiandu).values_list("token", flat=True))
        assert len(codes) == actions.RECOVERY_CODE_COUNT and all(c in listed for c in codes)
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert events(personas.jiandu, AccountEvent.Kind.OTP_ENROLLED).count() == 1
        # the session that enrolled counts as verified
        assert client.get(reverse("accounts:home")).status_code == 200
        # and it is the only one left: other logins must pass the second factor from now on
        assert other.get("/employers/")["Location"].startswith(reverse("accounts:login"))
        again = client.get(ENROL).content.decode()
        assert "已启用" in again and "qr-path" not in again and "还剩 10 个未用的恢复码" in again


def test_login_with_a_device_needs_the_code_before_any_page(personas):
    device, _codes = enrolled(personas.jiandu)
    client = password_login("jiandu")
    home = client.get("/employers/")
    assert home.status_code == 302 and home["Location"] == f"{VERIFY}?next=%2Femployers%2F"
    assert client.get(reverse("accounts:me"))["Location"].startswith(VERIFY)
    page = client.get(VERIFY)
    assert page.status_code == 200 and "验证器应用" in page.content.decode()

    with time_machine.travel(timezone.now(), tick=False):  # the clock stands still: no waiting
        wrong = client.post(VERIFY, {"code": "12345" + ("6" if code(device, 1)[-1] != "6" else "7")})
        assert wrong.status_code == 200
        assert "验证码不正确" in wrong.content.decode()
        assert events(personas.jiandu, AccountEvent.Kind.OTP_FAILED).count() == 1
        assert client.get("/employers/").status_code == 302

        # straight after a failure even the right code waits (django-otp's back-off: 1, 2, 4 … s)
        throttled = client.post(VERIFY, {"code": code(device, 1)})
        assert "秒后再试" in throttled.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        ok = client.post(VERIFY, {"code": code(device, 1), "next": "/employers/"})
        assert ok.status_code == 302 and ok["Location"] == "/employers/"
        assert client.get("/employers/").status_code == 200
        assert client.get(VERIFY).status_code == 302  # nothing left to verify


def test_a_used_code_is_not_accepted_twice(personas):
    device, _codes = enrolled(personas.jiandu)
    client = password_login("jiandu")
    used = code(device, 1)
    assert client.post(VERIFY, {"code": used}).status_code == 302
    other = password_login("jiandu")
    replay = other.post(VERIFY, {"code": used})  # the very code, in another login
    assert "验证码不正确" in replay.content.decode()


def test_users_without_a_device_log_in_with_the_password_only(personas):
    client = password_login("jiandu")
    assert client.get("/employers/").status_code == 200


def test_a_recovery_code_works_once(personas):
    _device, codes = enrolled(personas.jiandu)
    first = password_login("jiandu")
    response = first.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200 and "还剩 9 个" in response.content.decode()
    assert first.get("/employers/").status_code == 200
    assert events(personas.jiandu, AccountEvent.Kind.OTP_RECOVERY_USED).count() == 1
    second = password_login("jiandu")
    again = second.post(VERIFY, {"code": codes[0]})
    assert "验证码不正确" in again.content.decode()
    assert second.get("/employers/").status_code == 302


def test_a_recovery_code_copied_by_hand_with_digits_for_o_and_l(personas):
    """Recovery codes are base32 (no 0 or 1): 0 and 1 typed for the letters o and l still match,
    in capitals and with a space too; the code is then used up like any other."""
    enrolled(personas.jiandu)
    static = StaticDevice.objects.get(user=personas.jiandu)
    StaticToken.objects.create(device=static, token="qfo7pl2l")
    client = password_login("jiandu")
    response = client.post(VERIFY, {"code": "QF07 P121"}, follow=True)
    assert response.status_code == 200 and "还剩 10 个" in response.content.decode()
    assert client.get("/employers/").status_code == 200
    assert not StaticToken.objects.filter(device=static, token="qfo7pl2l").exists()
    other = password_login("jiandu")
    assert "验证码不正确" in other.post(VERIFY, {"code": "qf07p121"}).content.decode()


def test_new_recovery_codes_replace_the_old_ones(personas, client_for):
    _device, old = enrolled(personas.jiandu)
    client = client_for("jiandu")  # force_login: not verified, so verify first with a recovery code
    client.post(VERIFY, {"code": old[0]})
    url = reverse("accounts:two_factor_recovery")
    refused = client.post(url, {"codes-password": "wrong"}, follow=True)  # a login left open
    assert "密码不正确" in refused.content.decode()
    assert client.post(url).status_code == 302
    assert set(
        StaticToken.objects.filter(device__user=personas.jiandu).values_list("token", flat=True)
    ) == set(old[1:])
    page = client.post(url, {"codes-password": PASSWORD})
    new = list(StaticToken.objects.filter(device__user=personas.jiandu).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old) and all(c in page.content.decode() for c in new)


def test_turning_it_off_needs_the_password(personas, client_for):
    _device, codes = enrolled(personas.jiandu)
    client = client_for("jiandu")
    client.post(VERIFY, {"code": codes[0]})
    refused = client.post(reverse("accounts:two_factor_disable"), {"password": "wrong"}, follow=True)
    assert (
        "密码不正确" in refused.content.decode() and TOTPDevice.objects.filter(user=personas.jiandu).exists()
    )
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=personas.jiandu).exists()
    assert not StaticDevice.objects.filter(user=personas.jiandu).exists()
    assert events(personas.jiandu, AccountEvent.Kind.OTP_DISABLED).count() == 1
    assert password_login("jiandu").get("/employers/").status_code == 200


def test_required_mode_sends_admins_without_a_device_to_enrolment(personas, settings):
    settings.XIEGUAN_REQUIRE_2FA = True
    for admin in ("panzhou", "sheng"):
        client = password_login(admin)
        for path in ("/", "/employers/", reverse("accounts:users"), reverse("accounts:me")):
            response = client.get(path)
            assert response.status_code == 302 and response["Location"] == ENROL, (admin, path)
        api = client.get("/api/v1/me")
        assert api.status_code == 403 and "两步验证" in api.json()["detail"]
        page = client.get(ENROL)
        assert page.status_code == 200 and "本系统要求管理员使用两步验证" in page.content.decode()
        assert client.get(reverse("accounts:password_change")).status_code == 200
    # other roles may enrol but need not
    assert password_login("jiandu").get("/employers/").status_code == 200
    # once enrolled, the admin works, and cannot turn it off
    client = password_login("panzhou")
    client.get(ENROL)  # each login enrols the device it was shown
    device = TOTPDevice.objects.get(pk=client.session["xieguan_2fa_enrolling"])
    client.post(ENROL, {"code": code(device)})
    assert client.get(reverse("accounts:users")).status_code == 200
    refused = client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD}, follow=True)
    assert "不能关闭" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=personas.panzhou, confirmed=True).exists()


def test_county_admin_resets_a_users_second_factor_in_their_county_only(personas, client_for):
    enrolled(personas.jiandu)
    pending = password_login("jiandu")  # stopped at the verify step
    url = reverse("accounts:user_reset_two_factor", args=[personas.jiandu.pk])

    assert client_for("liuzhi").post(url).status_code == 404  # another county: not even there
    assert client_for("jiandu2").post(url).status_code == 403  # not an admin
    assert TOTPDevice.objects.filter(user=personas.jiandu).exists()

    detail = client_for("panzhou").get(reverse("accounts:user_detail", args=[personas.jiandu.pk]))
    assert "重置两步验证" in detail.content.decode()
    response = client_for("panzhou").post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.jiandu).exists()
    assert not StaticDevice.objects.filter(user=personas.jiandu).exists()
    (event,) = events(personas.jiandu, AccountEvent.Kind.OTP_RESET)
    assert event.actor == personas.panzhou and event.region_id == personas.jiandu.region_id
    assert "2 个验证设备" in event.detail  # the app and the recovery codes (not the codes counted)
    # the half-finished login is gone; a new one needs the password only
    assert pending.get("/employers/")["Location"].startswith(reverse("accounts:login"))
    assert password_login("jiandu").get("/employers/").status_code == 200
    # the province admin may reset anyone's
    enrolled(personas.jiandu2)
    url2 = reverse("accounts:user_reset_two_factor", args=[personas.jiandu2.pk])
    assert client_for("sheng").post(url2).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.jiandu2).exists()


def test_the_api_refuses_an_unverified_session_but_not_a_device_token(personas):
    device, _codes = enrolled(personas.xieguan)
    _token, key = create_token(personas.xieguan, name="手机")
    client = password_login("xieguan")
    refused = client.get("/api/v1/me")  # 401 like an ended session: the phone keeps its outbox
    assert refused.status_code == 401 and "两步验证" in refused.json()["detail"]
    assert refused.json()["login_url"] == VERIFY
    # an invalid bearer key does not fall back to the unverified session
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer xg_nonsense"}).status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()["username"] == "xieguan"
    )
    client.post(VERIFY, {"code": code(device, 1)})
    assert client.get("/api/v1/me").json()["username"] == "xieguan"


def test_every_page_of_the_second_factor_is_chinese_and_needs_a_login(client, personas):
    for url in (VERIFY, ENROL):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    for url in (reverse("accounts:two_factor_recovery"), reverse("accounts:two_factor_disable")):
        assert client.post(url).status_code == 302


def test_a_temporary_password_is_changed_after_the_code_and_before_enrolment(personas, settings):
    """The second factor and the password-change rule never send each other round in circles."""
    device, _codes = enrolled(personas.jiandu)
    actions.reset_password(personas.panzhou, personas.jiandu)
    personas.jiandu.set_password(PASSWORD)
    personas.jiandu.save(update_fields=["password"])
    client = password_login("jiandu")
    assert client.get("/")["Location"] == VERIFY  # the code first
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code(device, 1)})
    assert client.get("/")["Location"] == reverse("accounts:password_change")  # then the password

    settings.XIEGUAN_REQUIRE_2FA = True
    personas.liuzhi.must_change_password = True
    personas.liuzhi.save(update_fields=["must_change_password"])
    admin = password_login("liuzhi")
    first = admin.get("/", follow=True)  # via enrolment, which leads on to the password first
    assert first.redirect_chain[-1][0] == reverse("accounts:password_change")
    assert admin.get(reverse("accounts:password_change")).status_code == 200
    assert admin.get(ENROL)["Location"] == reverse("accounts:password_change")
    personas.liuzhi.must_change_password = False
    personas.liuzhi.save(update_fields=["must_change_password"])
    assert admin.get("/")["Location"] == ENROL  # then enrolment
