"""Per-device API tokens: create (key shown once, only a hash stored), use as a bearer (scoped
like the session, no CSRF), revoke or expire (401), accounts that may not work (401), the pages
(own tokens; a county admin's county, other county 404, wrong role 403), and 401 JSON for the API."""

import datetime as dt
import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone

from xieguan.accounts.actions import AccountRefused, create_token, revoke_token, user_for_key
from xieguan.accounts.models import ApiToken
from xieguan.leads.models import Complaint
from xieguan.lib.testing import VILLAGE, EmployerFactory

pytestmark = pytest.mark.django_db


def bearer(key):
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def complaint_body(**kwargs):
    import uuid

    return {
        "client_uuid": str(uuid.uuid4()),
        "received_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "channel": "phone",
        "content": "夜间排放刺鼻气体",
        "place": "大寨村",
        "region": VILLAGE,
        **kwargs,
    }


def test_only_a_hash_is_stored(personas):
    _token, key = create_token(personas.xieguan, name="张三的手机")
    assert key.startswith("xg_") and len(key) > 40
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in stored.key_hash
    assert stored.prefix == key[:10] and stored.name == "张三的手机"
    assert user_for_key(key) == personas.xieguan
    assert user_for_key(key + "x") is None and user_for_key("nope") is None


def test_create_refusals(personas):
    with pytest.raises(AccountRefused, match="设备名称"):
        create_token(personas.xieguan, name="  ")
    with pytest.raises(AccountRefused, match="有效天数"):
        create_token(personas.xieguan, name="手机", days=0)
    personas.xieguan.is_active = False
    with pytest.raises(AccountRefused, match="已停用"):
        create_token(personas.xieguan, name="手机")
    assert not ApiToken.objects.exists()


def test_bearer_acts_as_the_user_scoped_like_the_session(personas, client_for):
    _token, key = create_token(personas.xieguan, name="手机")
    client = bearer(key)
    assert client.get("/api/v1/me").json()["username"] == "xieguan"
    mine = EmployerFactory.create()
    other = EmployerFactory.create(region_id="520203102001")
    assert client.get(f"/api/v1/employers/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/employers/{other.pk}").status_code == 404  # like the session
    assert client_for("xieguan").get(f"/api/v1/employers/{other.pk}").status_code == 404
    # wrong role is 403 through a token too
    _t, officer_key = create_token(personas.jiandu, name="执法终端")
    assert (
        bearer(officer_key)
        .post("/api/v1/complaints", json.dumps(complaint_body()), content_type="application/json")
        .status_code
        == 403
    )
    ApiToken.objects.update(last_used_at=None)
    bearer(key).get("/api/v1/me")
    assert ApiToken.objects.get(user=personas.xieguan).last_used_at is not None


def test_token_requests_need_no_csrf_but_sessions_do(personas):
    _token, key = create_token(personas.xieguan, name="手机")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(
        "/api/v1/complaints", json.dumps(complaint_body()), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    session = Client(enforce_csrf_checks=True)
    session.force_login(personas.xieguan)
    response = session.post(
        "/api/v1/complaints", json.dumps(complaint_body()), content_type="application/json"
    )
    assert response.status_code == 403  # a session without the CSRF token
    assert Complaint.objects.count() == 1


def test_revoked_expired_and_stopped_accounts_are_401(personas):
    token, key = create_token(personas.xieguan, name="手机")
    assert bearer(key).get("/api/v1/me").status_code == 200
    revoke_token(token, by=personas.xieguan)
    response = bearer(key).get("/api/v1/me")
    assert response.status_code == 401 and "重新登录" in response.json()["detail"]
    expired, key2 = create_token(personas.xieguan, name="平板", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert bearer(key2).get("/api/v1/me").status_code == 401
    _t, key3 = create_token(personas.xieguan, name="备用机")
    personas.xieguan.access_until = timezone.localdate() - dt.timedelta(days=1)
    personas.xieguan.save(update_fields=["access_until"])
    assert bearer(key3).get("/api/v1/me").status_code == 401  # term over
    personas.xieguan.access_until = None
    personas.xieguan.is_active = False  # dismissed accounts are made inactive
    personas.xieguan.save(update_fields=["access_until", "is_active"])
    assert bearer(key3).get("/api/v1/me").status_code == 401


def test_api_answers_401_json_not_a_redirect(personas, client):
    response = client.get("/api/v1/offline/bundle")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
    assert response.json()["login_url"] == "/login/"
    # a session whose term ended while offline: 401 JSON too (pages still redirect)
    personas.xieguan.access_until = timezone.localdate() - dt.timedelta(days=1)
    personas.xieguan.save(update_fields=["access_until"])
    session = Client()
    session.force_login(personas.xieguan)
    response = session.get("/api/v1/me")
    assert response.status_code == 401 and "聘期已结束" in response.json()["detail"]
    session.force_login(personas.xieguan)
    assert session.get("/").status_code == 302


def test_token_pages_for_their_owner(personas, client_for):
    client = client_for("xieguan")
    response = client.post("/tokens/", {"name": "张三的手机", "days": ""})
    assert response.status_code == 200
    key = response.context["key"]
    assert key and key in response.content.decode()
    again = client.get("/tokens/")
    assert key not in again.content.decode() and "张三的手机" in again.content.decode()  # shown once
    assert client.post("/tokens/", {"name": ""}).context["form"].errors
    token = ApiToken.objects.get()
    assert client_for("xieguan2").post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for("panzhou").post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == personas.xieguan
    assert bearer(key).get("/api/v1/me").status_code == 401


def test_county_admin_lists_and_revokes_their_countys_tokens(personas, client_for, client):
    mine, _k = create_token(personas.xieguan, name="柏果镇的手机")
    theirs, _k2 = create_token(personas.xieguan2, name="岩脚镇的手机")
    page = client_for("panzhou").get("/tokens/county/").content.decode()
    assert "柏果镇的手机" in page and "岩脚镇的手机" not in page
    assert client_for("panzhou").post(f"/tokens/county/{theirs.pk}/revoke/").status_code == 404
    assert client_for("liuzhi").post(f"/tokens/county/{mine.pk}/revoke/").status_code == 404
    assert client_for("xieguan").get("/tokens/county/").status_code == 403
    assert client_for("jiandu").post(f"/tokens/county/{mine.pk}/revoke/").status_code == 403
    assert client.get("/tokens/county/").status_code == 302  # anonymous: to the login page
    assert client_for("panzhou").post(f"/tokens/county/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_by == personas.panzhou and theirs.revoked_at is None
    assert "岩脚镇的手机" in client_for("sheng").get("/tokens/county/").content.decode()


def test_openapi_documents_the_bearer_scheme(personas, client_for):
    schema = client_for("xieguan").get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "Authorization: Bearer" in schema["info"]["description"]
