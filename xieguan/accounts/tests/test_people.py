"""People and organisations in the app: who may create, edit, reset, unlock and sign out whom."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from xieguan.accounts import actions
from xieguan.accounts.actions import AccountRefused, UserData
from xieguan.accounts.models import AccountEvent, Agency, LoginSession, Role, User
from xieguan.lib.testing import COUNTY, OTHER_COUNTY, PASSWORD, PREFECTURE, AgencyFactory
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


def officer_data(agency: Agency, **over: Any) -> dict[str, Any]:
    return {
        "username": "zhifa1",
        "full_name": "王执法",
        "role": Role.OFFICER,
        "region": COUNTY,
        "agency": agency.pk,
        "phone": "13800000001",
        "email": "",
        **over,
    }


def pz_agency() -> Agency:
    return Agency.objects.get(name="盘州市卫生健康综合监督执法大队")


# --- actions -------------------------------------------------------------------------------


def test_county_admin_creates_an_officer_who_must_change_the_one_time_password(personas: Any) -> None:
    user, password = actions.create_user(
        personas.panzhou,
        UserData("zhifa1", "王执法", Role.OFFICER, Region.objects.get(code=COUNTY), pz_agency()),
    )
    assert user.must_change_password and user.check_password(password) and len(password) == 12
    event = AccountEvent.objects.get(user=user)
    assert (event.actor, event.kind, event.region_id) == (personas.panzhou, "created", COUNTY)


@pytest.mark.parametrize(
    ("role", "region", "message"),
    [
        (Role.COUNTY_ADMIN, COUNTY, "不能创建或修改该角色"),
        (Role.OFFICER, OTHER_COUNTY, "不在您的管辖范围内"),
        (Role.ASSISTANT, "520281117", "不能创建或修改该角色"),
    ],
)
def test_county_admin_cannot_create_other_roles_or_elsewhere(
    personas: Any, role: str, region: str, message: str
) -> None:
    with pytest.raises(AccountRefused, match=message):
        actions.create_user(
            personas.panzhou, UserData("x1", "某人", role, Region.objects.get(code=region), pz_agency())
        )
    assert not User.objects.filter(username="x1").exists()


def test_province_admin_creates_prefecture_viewer_and_county_admin(personas: Any) -> None:
    viewer, _ = actions.create_user(
        personas.sheng, UserData("zy", "遵义查看", Role.PREFECTURE_VIEWER, Region.objects.get(code="5203"))
    )
    admin, _ = actions.create_user(
        personas.sheng, UserData("hz", "红花岗管理", Role.COUNTY_ADMIN, Region.objects.get(code="520302"))
    )
    assert (viewer.role, admin.role) == (Role.PREFECTURE_VIEWER, Role.COUNTY_ADMIN)
    with pytest.raises(AccountRefused, match="市\\(州\\)一级"):
        actions.create_user(
            personas.sheng, UserData("bad", "错级", Role.PREFECTURE_VIEWER, Region.objects.get(code=COUNTY))
        )


def test_an_officer_needs_a_supervision_agency_of_their_region(personas: Any) -> None:
    other = Agency.objects.get(name="六枝特区卫生健康综合监督执法大队")
    with pytest.raises(AccountRefused, match="监督机构"):
        actions.create_user(
            personas.panzhou, UserData("o1", "甲", Role.OFFICER, Region.objects.get(code=COUNTY), other)
        )
    admin: Agency = AgencyFactory(name="盘州市卫生健康局", kind=Agency.Kind.ADMINISTRATION, region_id=COUNTY)  # type: ignore[assignment]
    with pytest.raises(AccountRefused, match="监督机构"):
        actions.create_user(
            personas.panzhou, UserData("o1", "甲", Role.OFFICER, Region.objects.get(code=COUNTY), admin)
        )


def test_reset_password_ends_sessions_and_tokens_and_unlocks(personas: Any) -> None:
    client = Client()
    client.post("/login/", {"username": "jiandu", "password": PASSWORD})
    assert LoginSession.objects.filter(user=personas.jiandu).count() == 1
    token, _key = actions.create_token(personas.jiandu, name="平板")
    AccessAttempt.objects.create(
        username="jiandu",
        ip_address="10.0.0.9",
        failures_since_start=9,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
        user_agent="x",
    )
    assert actions.is_locked(personas.jiandu)
    password = actions.reset_password(personas.panzhou, personas.jiandu)
    personas.jiandu.refresh_from_db()
    assert personas.jiandu.must_change_password and personas.jiandu.check_password(password)
    assert not LoginSession.objects.filter(user=personas.jiandu).exists()
    assert client.get("/").status_code == 302  # the old session is gone
    assert not actions.is_locked(personas.jiandu)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_county_admin_cannot_support_another_county_or_a_peer(personas: Any) -> None:
    for target in (personas.jiandu2, personas.xieguan2, personas.liuzhi, personas.sheng):
        with pytest.raises(AccountRefused):
            actions.reset_password(personas.panzhou, target)
    assert actions.can_support(personas.panzhou, personas.xieguan)
    assert not actions.can_edit(personas.panzhou, personas.xieguan)  # assistants: through personnel


def test_deactivation_needs_a_reason_and_ends_sessions(personas: Any) -> None:
    client = Client()
    client.post("/login/", {"username": "jiandu", "password": PASSWORD})
    with pytest.raises(AccountRefused):
        actions.set_active(personas.panzhou, personas.jiandu, active=False, reason=" ")
    actions.set_active(personas.panzhou, personas.jiandu, active=False, reason="调离")
    assert client.get("/").status_code == 302
    login = {"username": "jiandu", "password": PASSWORD}
    assert Client().post("/login/", login).status_code == 200  # refused: the form again
    actions.set_active(personas.panzhou, personas.jiandu, active=True)
    assert Client().post("/login/", login).status_code == 302
    kinds = list(AccountEvent.objects.filter(user=personas.jiandu).values_list("kind", flat=True))
    assert kinds == ["reactivated", "deactivated"]


def test_agencies_only_by_the_province_admin(personas: Any) -> None:
    data = actions.AgencyData(
        "遵义市卫生健康综合监督支队", Agency.Kind.SUPERVISION, Region.objects.get(code="5203")
    )
    agency = actions.save_agency(personas.sheng, data)
    assert agency.region_id == "5203"
    with pytest.raises(AccountRefused, match="同名"):
        actions.save_agency(personas.sheng, data)
    with pytest.raises(AccountRefused, match="省级管理员"):
        actions.save_agency(personas.panzhou, data)
    with pytest.raises(AccountRefused, match="省、市\\(州\\)或县\\(区\\)"):
        actions.save_agency(
            personas.sheng,
            actions.AgencyData("乡", Agency.Kind.SUPERVISION, Region.objects.get(code="520281117")),
        )


# --- views: forced password change -----------------------------------------------------------


def test_forced_password_change_after_a_reset(personas: Any) -> None:
    password = actions.reset_password(personas.panzhou, personas.xieguan)
    client = Client()
    response = client.post("/login/", {"username": "xieguan", "password": password})
    assert response.status_code == 302
    assert client.get("/employers/")["Location"] == reverse("accounts:password_change")
    assert client.get("/api/v1/me").status_code == 403
    response = client.post(
        "/password/",
        {"old_password": password, "new_password1": "Liupanshui-2027", "new_password2": "Liupanshui-2027"},
    )
    assert response.status_code == 302
    assert client.get("/employers/").status_code == 200  # same session, no second login
    personas.xieguan.refresh_from_db()
    assert not personas.xieguan.must_change_password
    assert LoginSession.objects.filter(user=personas.xieguan, session_key=client.session.session_key).exists()


def test_own_password_change_refuses_wrong_old_and_weak_new(client_for: Any) -> None:
    client = client_for("jiandu")
    response = client.post(
        "/password/", {"old_password": "wrong", "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "原密码不正确" in text
    # too short: said in Chinese (Django 5.2's own catalogue lacks this sentence)
    short = client.post("/password/", {"old_password": "x", "new_password1": "Xq7#", "new_password2": "Xq7#"})
    assert "密码太短，至少须有 8 个字符。" in short.content.decode()
    assert "too short" not in short.content.decode()


def test_me_page_lists_sessions_and_signs_out_everywhere(personas: Any) -> None:
    phone, desk = Client(), Client()
    for c in (phone, desk):
        c.post("/login/", {"username": "jiandu", "password": PASSWORD})
    page = desk.get("/account/")
    assert page.status_code == 200
    assert page.content.decode().count("<strong>本设备</strong>") == 1
    assert len(page.context["sessions"]) == 2
    desk.post("/account/sign-out/")
    assert phone.get("/").status_code == 302
    assert not Session.objects.exists() or not LoginSession.objects.filter(user=personas.jiandu).exists()


# --- views: scope and role --------------------------------------------------------------------


ADMIN_URLS = ["users", "agencies", "user_new"]


@pytest.mark.parametrize("name", ["jiandu", "xieguan", "lps"])
@pytest.mark.parametrize("url", ADMIN_URLS)
def test_other_roles_get_403(client_for: Any, name: str, url: str) -> None:
    assert client_for(name).get(reverse(f"accounts:{url}")).status_code == 403


def test_anonymous_is_sent_to_login(db: Any) -> None:
    for url in (*ADMIN_URLS, "me", "password_change"):
        response = Client().get(reverse(f"accounts:{url}"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_county_admin_sees_only_their_county(client_for: Any, personas: Any) -> None:
    client = client_for("panzhou")
    listed = {u.username for u in client.get("/users/").context["page"]}
    assert {"panzhou", "jiandu", "xieguan"} <= listed
    assert not listed & {"liuzhi", "jiandu2", "xieguan2", "sheng", "lps"}
    for other in (personas.jiandu2, personas.xieguan2, personas.liuzhi):
        assert client.get(f"/users/{other.pk}/").status_code == 404
        for action in ("edit", "reset-password", "unlock", "sign-out", "deactivate", "reactivate"):
            method = client.get if action == "edit" else client.post
            assert method(f"/users/{other.pk}/{action}/").status_code == 404, action
    agency = Agency.objects.get(name="六枝特区卫生健康综合监督执法大队")
    assert client.get(f"/agencies/{agency.pk}/edit/").status_code == 403


def test_county_admin_cannot_edit_an_assistant_or_peer_but_can_reset(client_for: Any, personas: Any) -> None:
    client = client_for("panzhou")
    assert client.get(f"/users/{personas.xieguan.pk}/edit/").status_code == 403
    assert client.post(f"/users/{personas.xieguan.pk}/deactivate/", {"reason": "x"}).status_code == 403
    response = client.post(f"/users/{personas.xieguan.pk}/reset-password/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "一次性临时密码" in response.content.decode()
    assert "此前的所有登录和设备令牌均已失效" in response.content.decode()  # a reset ends them


def test_create_officer_through_the_page(client_for: Any, personas: Any) -> None:
    client = client_for("panzhou")
    form = client.get("/users/new/").context["form"]
    assert [v for v, _ in form.fields["role"].choices] == [Role.OFFICER]
    # the county admin's own county is the only region: offered chosen, no empty choice to miss
    assert [v for v, _ in form.fields["region"].choices] == [personas.panzhou.region_id]
    assert form["region"].value() == personas.panzhou.region_id
    agencies = {a.name for a in form.fields["agency"].queryset}
    assert "六枝特区卫生健康综合监督执法大队" not in agencies
    response = client.post("/users/new/", officer_data(pz_agency()))
    assert response.status_code == 200
    assert response.context["password"]
    # a new account had no sessions or tokens: the page does not say they were ended
    assert "本人用它登录后须立即设置自己的密码" in response.content.decode()
    assert "此前的所有登录和设备令牌均已失效" not in response.content.decode()
    assert User.objects.get(username="zhifa1").role == Role.OFFICER
    again = client.post("/users/new/", officer_data(pz_agency()))
    assert "用户名已被使用" in again.content.decode()


def test_province_admin_edits_a_county_admin_and_manages_agencies(client_for: Any, personas: Any) -> None:
    client = client_for("sheng")
    response = client.post(
        f"/users/{personas.liuzhi.pk}/edit/",
        {
            "username": "liuzhi",
            "full_name": "六枝新管理员",
            "role": Role.COUNTY_ADMIN,
            "region": OTHER_COUNTY,
            "agency": "",
            "phone": "",
            "email": "",
        },
    )
    assert response.status_code == 302
    personas.liuzhi.refresh_from_db()
    assert personas.liuzhi.full_name == "六枝新管理员"
    response = client.post(
        "/agencies/new/",
        {"name": "六盘水市卫生健康局", "kind": "administration", "region": PREFECTURE, "phone": ""},
    )
    assert response.status_code == 302
    assert Agency.objects.filter(name="六盘水市卫生健康局", region_id=PREFECTURE).exists()


def test_user_list_filters(client_for: Any, personas: Any) -> None:
    actions.reset_password(personas.sheng, personas.jiandu)
    client = client_for("sheng")
    names = lambda **q: {u.username for u in client.get("/users/", q).context["page"]}  # noqa: E731
    assert names(status="must_change") == {"jiandu"}
    assert names(role=Role.OFFICER) == {"jiandu", "jiandu2"}
    assert names(q="xieguan2") == {"xieguan2"}
    assert names(region=OTHER_COUNTY) == {"liuzhi", "jiandu2", "xieguan2"}
