"""Security review: escalation and cross-county attacks on account management, device tokens and
the API's authentication (forged POSTs, another county, the wrong role, revoked/expired tokens,
stopped accounts)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from xieguan.accounts.actions import create_token
from xieguan.accounts.models import Agency, ApiToken, Role, User
from xieguan.lib.testing import COUNTY, OTHER_COUNTY, PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def new_user_post(**extra):
    data = {
        "username": "forged",
        "full_name": "伪造账号",
        "role": Role.OFFICER,
        "region": COUNTY,
        "agency": Agency.objects.get(name="盘州市卫生健康综合监督执法大队").pk,
        "phone": "",
        "email": "",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    "extra",
    [
        {"role": Role.COUNTY_ADMIN},
        {"role": Role.PROVINCE_ADMIN, "region": "52"},
        {"role": Role.PREFECTURE_VIEWER, "region": "5202"},
        {"region": OTHER_COUNTY},
        {"region": "52"},
        {"region": "520281\x00"},
        {"region": "9" * 5000},
        {"agency": "other"},  # replaced by the other county's agency below
        {"agency": "-1"},
        {"agency": "99999999999999999999999"},
        {"username": "sheng"},  # an existing name (the province admin's)
        {"username": "a" * 151},
        {"full_name": "x\x00y"},
    ],
)
def test_county_admin_cannot_create_outside_their_power(personas, client_for, extra):
    if extra.get("agency") == "other":
        extra = {"agency": Agency.objects.get(name="六枝特区卫生健康综合监督执法大队").pk}
    before = User.objects.count()
    response = client_for("panzhou").post("/users/new/", new_user_post(**extra))
    if response.status_code == 400:  # a NUL character: refused before the view, in Chinese
        assert "空字符" in response.content.decode() or "无效" in response.content.decode()
    else:
        assert response.status_code == 200  # the form again, with its errors
        assert response.context["form"].errors
    assert User.objects.count() == before
    assert not User.objects.filter(username="forged").exists()


def test_county_admin_creates_an_officer_of_their_county(personas, client_for):
    """The positive control for the refusals above: the same POST, unforged, works."""
    response = client_for("panzhou").post("/users/new/", new_user_post())
    assert response.status_code == 200 and "forged" in response.content.decode()
    created = User.objects.get(username="forged")
    assert created.role == Role.OFFICER and created.region_id == COUNTY and created.must_change_password


@pytest.mark.parametrize(
    "extra",
    [
        {"role": Role.COUNTY_ADMIN},
        {"region": OTHER_COUNTY},
        {"agency": "other"},
        {"username": "liuzhi"},
    ],
)
def test_county_admin_cannot_move_or_promote_an_officer(personas, client_for, extra):
    if extra.get("agency") == "other":
        extra = {"agency": Agency.objects.get(name="六枝特区卫生健康综合监督执法大队").pk}
    officer = personas.jiandu
    data = {**new_user_post(username="jiandu", full_name="jiandu"), **extra}
    response = client_for("panzhou").post(f"/users/{officer.pk}/edit/", data)
    assert response.status_code == 200 and response.context["form"].errors
    officer.refresh_from_db()
    assert (officer.role, officer.region_id, officer.username) == (Role.OFFICER, COUNTY, "jiandu")
    assert officer.agency.name == "盘州市卫生健康综合监督执法大队"


def test_admins_cannot_edit_or_support_themselves_or_peers(personas, client_for):
    panzhou = client_for("panzhou")
    me = personas.panzhou
    data = new_user_post(username="panzhou", full_name="panzhou", role=Role.COUNTY_ADMIN)
    assert panzhou.post(f"/users/{me.pk}/edit/", data).status_code == 403
    for action in ("deactivate", "reactivate", "reset-password", "unlock", "sign-out"):
        assert panzhou.post(f"/users/{me.pk}/{action}/", {"reason": "x"}).status_code == 403
    peer = UserFactory.create(username="panzhou2", role=Role.COUNTY_ADMIN, region_id=COUNTY)
    for action in ("deactivate", "reset-password", "sign-out"):
        assert panzhou.post(f"/users/{peer.pk}/{action}/", {"reason": "x"}).status_code == 403
    peer.refresh_from_db()
    assert peer.is_active and peer.check_password(PASSWORD)
    sheng = client_for("sheng")
    assert sheng.post(f"/users/{personas.sheng.pk}/reset-password/").status_code == 403
    me.refresh_from_db()
    assert me.role == Role.COUNTY_ADMIN and me.is_active


def test_county_admin_cannot_reach_province_admin_or_other_county(personas, client_for):
    panzhou = client_for("panzhou")
    for target in (personas.sheng, personas.lps, personas.liuzhi, personas.jiandu2, personas.xieguan2):
        assert panzhou.get(f"/users/{target.pk}/").status_code == 404
        assert panzhou.get(f"/users/{target.pk}/edit/").status_code == 404
        for action in ("deactivate", "reset-password", "unlock", "sign-out"):
            assert panzhou.post(f"/users/{target.pk}/{action}/", {"reason": "x"}).status_code == 404
        target.refresh_from_db()
        assert target.is_active and target.check_password(PASSWORD)
    listing = panzhou.get("/users/?q=sheng&region=52").content.decode()
    assert f"/users/{personas.sheng.pk}/" not in listing
    assert f"/users/{personas.jiandu2.pk}/" not in listing


@pytest.mark.parametrize("who", ["jiandu", "xieguan", "lps"])
def test_other_roles_cannot_manage_accounts(personas, client_for, who):
    client = client_for(who)
    for url in ("/users/", "/users/new/", f"/users/{personas.jiandu.pk}/", "/agencies/", "/tokens/county/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/users/new/", new_user_post()).status_code == 403
    assert client.post(f"/users/{personas.xieguan.pk}/reset-password/").status_code == 403
    assert (
        client.post("/agencies/new/", {"name": "伪机构", "kind": "supervision", "region": COUNTY}).status_code
        == 403
    )
    assert not User.objects.filter(username="forged").exists()
    assert not Agency.objects.filter(name="伪机构").exists()


def test_county_admin_cannot_make_agencies(personas, client_for):
    response = client_for("panzhou").post(
        "/agencies/new/", {"name": "伪机构", "kind": "supervision", "region": COUNTY}
    )
    assert response.status_code == 403 and not Agency.objects.filter(name="伪机构").exists()


def test_anonymous_is_sent_to_login(personas, client):
    for url in ("/users/", "/users/new/", "/account/", "/password/", "/tokens/", "/agencies/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


# --- tokens ---------------------------------------------------------------------------------------


def test_tokens_of_others_are_neither_shown_nor_revocable(personas, client_for):
    token, _ = create_token(personas.xieguan2, name="岩脚的手机")
    own_token, _ = create_token(personas.xieguan, name="柏果的手机")
    # another user of the same county, another county, the county admin of another county
    assert client_for("xieguan").post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for("jiandu").post(f"/tokens/{own_token.pk}/revoke/").status_code == 404
    assert client_for("panzhou").post(f"/tokens/county/{token.pk}/revoke/").status_code == 404
    assert "岩脚的手机" not in client_for("panzhou").get("/tokens/county/").content.decode()
    assert "岩脚的手机" not in client_for("xieguan").get("/account/").content.decode()
    assert "柏果的手机" not in client_for("jiandu").get("/tokens/").content.decode()
    token.refresh_from_db()
    own_token.refresh_from_db()
    assert token.revoked_at is None and own_token.revoked_at is None
    # the county admin of the right county may
    assert client_for("liuzhi").post(f"/tokens/county/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def bearer(key):
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


UNAUTHENTICATED = "未登录或登录已过期，请重新登录后再同步。"


def test_token_works_then_every_way_of_stopping_it_is_401_json(personas):
    user = personas.xieguan
    token, key = create_token(user, name="手机")
    assert bearer(key).get("/api/v1/me").json()["username"] == "xieguan"
    # tampered, truncated, another prefix, a NUL, a huge header
    for bad in (
        key[:-1] + ("A" if key[-1] != "A" else "B"),
        key[:10],
        "xg_",
        key.replace("xg_", "XG_"),
        key + "\x00",
        "xg_" + "a" * 100_000,
        "",
    ):
        response = bearer(bad).get("/api/v1/me")
        assert response.status_code == 401 and response.json()["detail"] == UNAUTHENTICATED
    # expired
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(key).get("/api/v1/me").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert bearer(key).get("/api/v1/me").status_code == 200
    # the account's term is over (an assistant dismissed or whose appointment ended)
    User.objects.filter(pk=user.pk).update(access_until=timezone.localdate() - dt.timedelta(days=1))
    response = bearer(key).get("/api/v1/me")
    assert response.status_code == 401 and "login" not in response.get("Location", "")
    User.objects.filter(pk=user.pk).update(access_until=None)
    # inactive
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert bearer(key).get("/api/v1/me").status_code == 401
    assert bearer(key).post("/api/v1/complaints", "{}", content_type="application/json").status_code == 401
    User.objects.filter(pk=user.pk).update(is_active=True)
    # revoked
    assert bearer(key).get("/api/v1/me").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    response = bearer(key).get("/api/v1/me")
    assert response.status_code == 401 and response.json()["detail"] == UNAUTHENTICATED


def test_deactivating_an_account_revokes_its_tokens_and_sessions(personas, client_for):
    token, key = create_token(personas.jiandu, name="执法终端")
    officer_client = client_for("jiandu")
    assert officer_client.get("/api/v1/me").status_code == 200
    response = client_for("panzhou").post(f"/users/{personas.jiandu.pk}/deactivate/", {"reason": "调离"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get("/api/v1/me").status_code == 401
    assert officer_client.get("/api/v1/me").status_code == 401


def test_token_of_a_stopped_account_cannot_be_made(personas, client_for):
    User.objects.filter(pk=personas.xieguan.pk).update(
        access_until=timezone.localdate() - dt.timedelta(days=1)
    )
    client = client_for("xieguan")
    client.post("/tokens/", {"name": "新手机", "days": ""})
    assert not ApiToken.objects.filter(user=personas.xieguan).exists()


@pytest.mark.parametrize("days", ["0", "-1", "3651", "99999999999999999999999", "abc", "1e3"])
def test_token_days_out_of_range_is_refused(personas, client_for, days):
    response = client_for("xieguan").post("/tokens/", {"name": "手机", "days": days})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
