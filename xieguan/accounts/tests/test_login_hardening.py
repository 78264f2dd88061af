"""Issue 14 item 7: lock-out by username across addresses and by address, the client address
behind the proxy, the lock page's wording, and no open redirect."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog
from django.test import RequestFactory
from django.urls import reverse

from xieguan.lib.clientip import client_ip
from xieguan.lib.testing import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/login/"


def fail(client, username: str, address: str, **extra) -> None:
    client.post(LOGIN, {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address, **extra)


def test_a_username_is_locked_across_addresses(client, personas, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, "xieguan", f"10.0.0.{n + 1}")
    response = client.post(LOGIN, {"username": "xieguan", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已暂时锁定" in body and "30 分钟" in body and "PT30M" not in body
    # Another user from the first address is not locked by it.
    other = client.post(LOGIN, {"username": "jiandu", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert other.status_code == 302


def test_an_address_spraying_many_usernames_is_locked(client, personas, settings):
    settings.XIEGUAN_LOGIN_ADDRESS_LIMIT = 3
    for name in ("sheng", "lps", "panzhou"):  # one try each: no username reaches its limit
        fail(client, name, "10.1.1.1")
    response = client.post(LOGIN, {"username": "jiandu", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    body = response.content.decode()
    assert "此网络地址登录失败次数过多" in body and "30 分钟" in body
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(LOGIN, {"username": "jiandu", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2")
    assert elsewhere.status_code == 302


def test_the_lock_period_is_in_words(client, personas, settings):
    from datetime import timedelta

    from xieguan.accounts.views import cooloff_text

    assert cooloff_text(timedelta(minutes=30)) == "30 分钟"
    assert cooloff_text(timedelta(hours=2)) == "2 小时"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the address it saw
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged first entry is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),  # two proxies of ours
        (2, "203.0.113.9", "127.0.0.1"),  # shorter than the proxies: not through them
        (1, "not-an-address", "127.0.0.1"),
    ],
)
def test_client_address_behind_the_proxy(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_axes_records_the_address_from_the_proxy_header(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(client, "xieguan", "127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"]
)
def test_notifications_read_does_not_redirect_off_site(client_for, target):
    response = client_for("xieguan").post(reverse("accounts:notifications_read"), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:notifications")


def test_notifications_read_goes_back_to_a_page_of_the_site(client_for):
    response = client_for("xieguan").post(reverse("accounts:notifications_read"), {"next": "/leads/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/leads/?page=2"
