"""A session that ends while records wait on the phone (docs/offline.md, "Session ended while
offline"): the API says 401, the page asks for the password in place (the ordinary login form,
posted by fetch: lock-out and password-change rules apply), then sends the outbox, each record
once. A record is never sent under another account's session (X-Xieguan-User)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from xieguan.field.tests.journey import outbox_count, prepare_offline
from xieguan.leads.models import Complaint
from xieguan.leads.tests.test_sync_api import complaint_body
from xieguan.lib.testing import PASSWORD


def post(client: Client, body: dict[str, Any], owner: str) -> Any:
    return client.post(
        "/api/v1/complaints",
        json.dumps(body),
        content_type="application/json",
        headers={"X-Xieguan-User": owner},
    )


@pytest.mark.django_db
def test_a_record_of_another_account_is_refused_401_and_not_stored(client_for):
    other = post(client_for("xieguan2"), complaint_body(), "xieguan")
    assert other.status_code == 401 and "login_url" in other.json()
    assert Complaint.objects.count() == 0
    own = post(client_for("xieguan"), complaint_body(), "xieguan")
    assert own.status_code == 201 and Complaint.objects.count() == 1


@pytest.mark.django_db
def test_the_login_the_dialog_posts_keeps_its_refusals(client, personas, settings):
    url = reverse("accounts:login")
    after = reverse("field:manifest")
    wrong = client.post(url, {"username": "xieguan", "password": "nope", "next": after})
    assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "xieguan", "password": "nope", "next": after})
    locked = client.post(url, {"username": "xieguan", "password": PASSWORD, "next": after})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    personas.xieguan2.must_change_password = True
    personas.xieguan2.save()
    changed = client.post(url, {"username": "xieguan2", "password": PASSWORD, "next": after}, follow=True)
    assert changed.redirect_chain[-1][0] == reverse("accounts:password_change")


def expire_sessions() -> None:
    """The session ends on the server (timed out, or the admin signed the account out)."""
    Session.objects.all().delete()


def queue_complaint(page: Any, base: str, content: str) -> None:
    page.goto(f"{base}/leads/complaints/new/")
    page.select_option("[name=channel]", "phone")
    page.fill("[name=content]", content)
    page.fill("[name=place]", "柏果镇工业园区")
    page.click("[data-testid=entry-form] [type=submit]")
    page.wait_for_url("**/field/outbox/#queued")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_password_is_asked_in_place_and_the_outbox_then_arrives_once(
    field_phone, live_server, screenshot
):
    base = live_server.url
    page = field_phone
    prepare_offline(page, base)
    page.context.set_offline(True)
    queue_complaint(page, base, "离线时记录的第一条投诉")
    queue_complaint(page, base, "离线时记录的第二条投诉")
    assert outbox_count(page) == 2
    expire_sessions()

    page.context.set_offline(False)
    dialog = page.get_by_test_id("relogin-dialog")
    expect(dialog).to_be_visible(timeout=20_000)
    expect(dialog.get_by_test_id("relogin-user")).to_have_text("xieguan")
    expect(page.get_by_test_id("sync-status")).to_contain_text("登录已失效")
    assert page.url.endswith("/field/outbox/#queued")  # the page stays

    dialog.get_by_test_id("relogin-password").fill("wrong-password")
    dialog.get_by_test_id("relogin-submit").click()
    expect(dialog.get_by_test_id("relogin-message")).to_contain_text("用户名或密码不正确")
    screenshot(page, "relogin-refused")
    assert Complaint.objects.count() == 0 and outbox_count(page) == 2

    dialog.get_by_test_id("relogin-password").fill(PASSWORD)
    screenshot(page, "relogin")
    dialog.get_by_test_id("relogin-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("sync-status")).to_contain_text("已同步")
    assert page.url.endswith("/field/outbox/#queued")
    assert outbox_count(page) == 0
    assert sorted(Complaint.objects.values_list("content", flat=True)) == [
        "离线时记录的第一条投诉",
        "离线时记录的第二条投诉",
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_locked_account_is_told_so_and_keeps_its_outbox(field_phone, live_server, settings):
    base = live_server.url
    page = field_phone
    prepare_offline(page, base)
    page.context.set_offline(True)
    queue_complaint(page, base, "锁定期间保留的投诉")
    expire_sessions()
    guesser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        guesser.post(reverse("accounts:login"), {"username": "xieguan", "password": "guess"})

    page.context.set_offline(False)
    dialog = page.get_by_test_id("relogin-dialog")
    expect(dialog).to_be_visible(timeout=20_000)
    dialog.get_by_test_id("relogin-password").fill(PASSWORD)
    dialog.get_by_test_id("relogin-submit").click()
    expect(dialog.get_by_test_id("relogin-message")).to_contain_text("登录失败次数过多")
    # Put off: the dialog closes, the record stays, and the status says why.
    dialog.get_by_test_id("relogin-later").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("sync-status")).to_contain_text("登录已失效")
    assert outbox_count(page) == 1 and Complaint.objects.count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_account_with_a_second_factor_enters_its_code_and_the_outbox_then_arrives_once(
    field_phone, live_server, screenshot
):
    """The password in the dialog is right, but the account has a second factor: the dialog
    says so and links to the verify page, which brings the user back; then the outbox is sent."""
    from django_otp.oath import totp

    from xieguan.accounts import actions
    from xieguan.accounts.models import User

    base = live_server.url
    page = field_phone
    prepare_offline(page, base)
    page.context.set_offline(True)
    queue_complaint(page, base, "两步验证账号离线记录的投诉")
    user = User.objects.get(username="xieguan")
    device = actions.start_enrolment(user)  # enrolled meanwhile on another device
    actions.confirm_enrolment(user, f"{totp(device.bin_key):06d}", device_id=device.pk)
    expire_sessions()

    page.context.set_offline(False)
    dialog = page.get_by_test_id("relogin-dialog")
    expect(dialog).to_be_visible(timeout=20_000)
    dialog.get_by_test_id("relogin-password").fill(PASSWORD)
    dialog.get_by_test_id("relogin-submit").click()
    message = dialog.get_by_test_id("relogin-message")
    expect(message).to_contain_text("两步验证")
    screenshot(page, "relogin-second-factor")
    assert Complaint.objects.count() == 0 and outbox_count(page) == 1

    message.get_by_role("link", name="去输入验证码").click()
    page.wait_for_url("**/login/verify/**")
    device.refresh_from_db()
    page.fill("#id_code", f"{totp(device.bin_key, drift=device.drift + 1):06d}")  # the next step's code
    page.get_by_test_id("otp-verify").click()
    page.wait_for_url("**/field/outbox/**")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30_000)
    assert list(Complaint.objects.values_list("content", flat=True)) == ["两步验证账号离线记录的投诉"]
