"""The server's half of an export link's 正在生成文件 state (xieguan/lib/downloads.py): the answer
to a request carrying a token sets the cookie the page waits for; nothing else does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieguan.leads.tests.factories import make_lead
from xieguan.leads.tests.test_export import rows
from xieguan.lib.downloads import MAX_AGE, PARAM, started_cookie

pytestmark = pytest.mark.django_db

TOKEN = "0123456789abcdef01234567"


def test_an_export_asked_with_a_token_answers_with_its_cookie(personas, client_for):
    response = client_for("panzhou").get(reverse("leads:export"), {PARAM: TOKEN})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    cookie = response.cookies[started_cookie(TOKEN)]
    assert cookie.value == "1" and cookie["path"] == "/" and cookie["max-age"] == MAX_AGE
    assert not cookie["httponly"] and cookie["samesite"] == "Lax"  # the page reads it
    assert b"".join(response.streaming_content)  # the file itself, as without the token


@pytest.mark.parametrize("token", ["", "short", TOKEN.upper(), TOKEN + "0" * 20, "../../etc", "a b" * 8])
def test_no_cookie_for_a_missing_or_malformed_token(personas, client_for, token):
    response = client_for("panzhou").get(reverse("leads:export"), {PARAM: token})
    assert response.status_code == 200
    assert not [name for name in response.cookies if name.startswith("xg_dl_")]


def test_no_cookie_without_a_token(personas, client_for):
    response = client_for("panzhou").get(reverse("leads:list"))
    assert not [name for name in response.cookies if name.startswith("xg_dl_")]


def test_a_refused_export_stays_refused_with_a_token(personas, client, client_for):
    """The token changes nothing of who may have what: another county's lead is still 404, the
    export still holds only the user's scope, logged out is still the login page (the cookie only
    ends the link's waiting)."""
    lead = make_lead(personas)
    other = client_for("liuzhi")
    assert other.get(reverse("leads:detail", args=[lead.pk]), {PARAM: TOKEN}).status_code == 404
    assert len(rows(other.get(reverse("leads:export"), {PARAM: TOKEN}))) == 3  # the header rows only
    assert len(rows(client_for("panzhou").get(reverse("leads:export"), {PARAM: TOKEN}))) == 4
    anonymous = client.get(reverse("leads:export"), {PARAM: TOKEN})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
