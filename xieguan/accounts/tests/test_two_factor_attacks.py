"""Attacks on the second factor (helper atka's review): each test is an attempt an adversary
would make, with what must hold."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.accounts.tests.test_two_factor import VERIFY, code, password_login

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
