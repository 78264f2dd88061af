"""Attacks on the Django admin by a province admin of another province (helper atka's review):
rows of another province named by id in the change, delete and history pages, by POST as well as
GET, and the province field forged in a form."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xieguan.accounts.models import User
from xieguan.leads.models import ReportingPolicy
from xieguan.personnel.models import StaffingPolicy
from xieguan.regions.models import Region
from xieguan.regions.tests.test_two_provinces import YN, YN_COUNTY, logged_in, two

pytestmark = pytest.mark.django_db
__all__ = ["two"]  # the fixture, imported


def test_a_province_admin_cannot_change_or_delete_another_provinces_policy_row(two: dict[str, Any]) -> None:
    yn = logged_in(two["yn"])
    gz = logged_in(User.objects.get(username="sheng"))
    assert (
        gz.post(
            reverse("admin:leads_reportingpolicy_add"), {"important_hours": 4, "normal_days": 3}
        ).status_code
        == 302
    )
    row = ReportingPolicy.objects.get(province_id="52")
    for name in ("change", "delete", "history"):
        url = reverse(f"admin:leads_reportingpolicy_{name}", args=[row.pk])
        assert yn.get(url).status_code in (302, 403, 404), name
    yn.post(
        reverse("admin:leads_reportingpolicy_change", args=[row.pk]),
        {"important_hours": 99, "normal_days": 99},
    )
    yn.post(reverse("admin:leads_reportingpolicy_delete", args=[row.pk]), {"post": "yes"})
    changelist = reverse("admin:leads_reportingpolicy_changelist")
    yn.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    row.refresh_from_db()
    assert (row.important_hours, row.province_id) == (4, "52")
    # a forged province field in the add form is ignored: the row is Yunnan's
    assert yn.post(
        reverse("admin:personnel_staffingpolicy_add"),
        {"max_inspections_per_assistant": 7, "province": "52"},
    ).status_code in (200, 302)
    assert not StaffingPolicy.objects.filter(province_id="52").exists()


def test_a_province_admin_cannot_change_another_provinces_regions(two: dict[str, Any]) -> None:
    yn = logged_in(two["yn"])
    county = Region.objects.get(code="520281")
    change = reverse("admin:regions_region_change", args=[county.code])
    assert yn.get(change).status_code in (302, 404)
    yn.post(
        change, {"code": county.code, "name": "被改名", "level": county.level, "parent": county.parent_id}
    )
    county.refresh_from_db()
    assert county.name == "盘州市"
    listed = yn.get(reverse("admin:regions_region_changelist"), {"q": "盘州"})
    assert "盘州市" not in listed.content.decode()
    # nor move one of their own regions under the other province
    own = Region.objects.get(code=YN_COUNTY)
    yn.post(
        reverse("admin:regions_region_change", args=[own.code]),
        {"code": own.code, "name": own.name, "level": own.level, "parent": "5202"},
    )
    own.refresh_from_db()
    assert (own.parent_id or "").startswith(YN)


def test_all_counties_of_another_province_are_not_found(two: dict[str, Any]) -> None:
    yn = logged_in(two["yn"])
    gz = logged_in(User.objects.get(username="sheng"))
    for url in (reverse("indicators:counties"), reverse("indicators:counties_xlsx")):
        assert yn.get(url, {"region": "52"}).status_code == 404
        assert yn.get(url, {"region": "5202"}).status_code == 404
        assert gz.get(url, {"region": YN}).status_code == 404
        assert logged_in(two["wuhua"]).get(url, {"region": YN}).status_code == 403
    own = yn.get(reverse("indicators:counties")).content.decode()
    assert "五华区" in own and "盘州市" not in own and "六盘水" not in own


def test_login_records_of_every_province_are_not_in_the_admin(two: dict[str, Any]) -> None:
    """django-axes' admin pages listed every province's usernames and addresses (reviewer rvadmin)."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username=two["yn"].username, ip_address="10.0.0.9", user_agent="x", failures_since_start=1
    )
    gz = logged_in(User.objects.get(username="sheng"))
    assert gz.get("/admin/axes/accessattempt/").status_code == 404
    assert gz.get("/admin/axes/accessfailurelog/").status_code == 404
    assert "/admin/axes/" not in gz.get(reverse("admin:index")).content.decode()
