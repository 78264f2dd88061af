import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.lib.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "职业健康监督协管信息系统" in body and "登录" in body and 'lang="zh-hans"' in body


def test_login_and_home(client, personas):
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    body = client.get(reverse("accounts:home")).content.decode()
    assert "职业健康监督协管员" in body and "柏果镇" in body


def test_wrong_password_has_a_clear_message(client, personas):
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_lockout_after_repeated_failures(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "xieguan", "password": "nope"})
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_account_refused_after_term_ended(client, personas):
    personas.xieguan.access_until = timezone.localdate() - dt.timedelta(days=1)
    personas.xieguan.save()
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
    assert response.status_code == 200
    assert "聘期已结束" in response.content.decode()


def test_session_ends_when_term_ends(client_for, personas):
    client = client_for("xieguan")
    assert client.get(reverse("accounts:home")).status_code == 200
    personas.xieguan.access_until = timezone.localdate() - dt.timedelta(days=1)
    personas.xieguan.save()
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_inactive_account_cannot_log_in(client, personas):
    personas.xieguan.is_active = False
    personas.xieguan.save()
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logout_needs_post(client_for):
    client = client_for("xieguan")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_only_languages_with_a_catalogue_are_offered(settings):
    """The source language needs none; every other one needs its .po in LOCALE_PATHS (an
    "English" that gave Chinese text with English dates promised what it did not do)."""
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        catalogues = [Path(p) / code / "LC_MESSAGES" / "django.po" for p in settings.LOCALE_PATHS]
        assert any(c.exists() for c in catalogues), code


def test_no_language_switch_while_chinese_is_the_only_language(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'name="language"' not in body and "English" not in body
    assert 'lang="zh-hans"' in body


def test_an_english_browser_or_cookie_still_gets_chinese_throughout(client):
    """Neither the browser's Accept-Language nor a posted (or old) language cookie turns on an
    English date format under Chinese text."""
    body = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="zh-hans"' in body


def test_the_switch_offers_each_other_language_once_one_is_added(client, settings):
    settings.LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'name="language" value="en" lang="en">English</button>' in body
    assert 'value="zh-hans"' not in body  # not the language already shown
