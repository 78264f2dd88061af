"""Attacks on the per-province Django admin (helper atkb): a province admin of 云南 reaching
贵州's rows, the national defaults or the national code lists by id or by a forged field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from xieguan.accounts.models import User
from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.models import (
    Employer,
    FocusIndustry,
    HazardCategory,
    HazardFactor,
    Industry,
    IndustryCode,
    IndustryMapping,
)
from xieguan.indicators.models import Target
from xieguan.lib.testing import EmployerFactory
from xieguan.personnel.models import RetirementRule
from xieguan.regions.models import Region
from xieguan.regions.tests.test_two_provinces import YN, YN_COUNTY, YN_VILLAGE, logged_in
from xieguan.regions.tests.test_two_provinces import two as _two_provinces

pytestmark = pytest.mark.django_db

two = _two_provinces  # the two-province fixture


def _unreached(response: Any) -> bool:
    """Django admin answers a row outside the queryset with a redirect to the index (or 403/404)."""
    return response.status_code in (302, 403, 404)


def test_a_province_admin_reaches_no_other_provinces_policy_row_by_id(two: dict[str, Any]) -> None:
    gz_target = Target.objects.create(province_id="52", indicator="registration", threshold=70, basis="贵州")
    default = Target.objects.filter(province=None).first()
    assert default is not None
    yn = logged_in(two["yn"])
    for row in (gz_target, default):
        for view in ("change", "delete", "history"):
            url = reverse(f"admin:indicators_target_{view}", args=[row.pk])
            assert _unreached(yn.get(url)), (view, row.province_id)
        change = reverse("admin:indicators_target_change", args=[row.pk])
        yn.post(change, {"indicator": row.indicator, "threshold": "1", "comparison": "ge", "basis": "x"})
        yn.post(reverse("admin:indicators_target_delete", args=[row.pk]), {"post": "yes"})
        row.refresh_from_db()
        assert row.threshold != 1
    # bulk delete through the changelist action with the other province's id
    yn.post(
        reverse("admin:indicators_target_changelist"),
        {"action": "delete_selected", "_selected_action": [gz_target.pk, default.pk], "post": "yes"},
    )
    assert Target.objects.filter(pk__in=[gz_target.pk, default.pk]).count() == 2


def test_a_forged_province_field_is_ignored(two: dict[str, Any]) -> None:
    yn = logged_in(two["yn"])
    response = yn.post(
        reverse("admin:indicators_target_add"),
        {"indicator": "reporting", "threshold": "5", "comparison": "ge", "basis": "", "province": "52"},
    )
    assert response.status_code == 302
    assert Target.objects.get(threshold=5).province_id == YN


def test_a_province_admin_does_not_edit_another_provinces_regions(two: dict[str, Any]) -> None:
    yn = logged_in(two["yn"])
    county = Region.objects.get(code="520281")
    before = county.name
    yn.post(
        reverse("admin:regions_region_change", args=["520281"]),
        {
            "code": "520281",
            "name": "<img src=x onerror=alert(1)>",
            "level": county.level,
            "parent": county.parent_id,
        },
    )
    county.refresh_from_db()
    assert county.name == before
    assert _unreached(yn.get(reverse("admin:regions_region_change", args=["520281"])))
    assert _unreached(yn.get(reverse("admin:regions_region_delete", args=["520281"])))
    # nor adds a region into it
    yn.post(
        reverse("admin:regions_region_add"),
        {"code": "520281999", "name": "假乡", "level": "township", "parent": "520281"},
    )
    assert not Region.objects.filter(code="520281999").exists()


def test_a_province_admin_does_not_edit_the_national_code_lists(two: dict[str, Any]) -> None:
    ensure_code_lists()
    yn = logged_in(two["yn"])
    rule = RetirementRule.objects.first() or RetirementRule.objects.create(
        key="atkb",
        label="测试规则",
        gender="male",
        base_years=60,
        reform_from_birth=dt.date(1965, 1, 1),
        step_months=4,
        max_delay_months=36,
        effective_from=dt.date(2025, 1, 1),
    )
    assert yn.post(
        reverse("admin:personnel_retirementrule_delete", args=[rule.pk]), {"post": "yes"}
    ).status_code in (
        302,
        403,
    )
    assert RetirementRule.objects.filter(pk=rule.pk).exists()
    factor = HazardFactor.objects.first() or HazardFactor.objects.create(
        category=HazardCategory.objects.get(pk=HazardCategory.objects.values_list("pk", flat=True)[0]),
        name="粉尘测试",
    )
    name = factor.name
    yn.post(
        reverse("admin:employers_hazardfactor_change", args=[factor.pk]),
        {"name": "云南改的", "category": factor.category_id},
    )
    factor.refresh_from_db()
    assert factor.name == name
    category = HazardCategory.objects.first()
    assert category is not None
    assert yn.get(reverse("admin:employers_hazardcategory_change", args=[category.pk])).status_code in (
        200,
        403,
    )
    yn.post(
        reverse("admin:employers_industrycode_add"), {"code": "9999", "name": "假行业", "category": "other"}
    )
    assert not IndustryCode.objects.filter(code="9999").exists()
    yn.post(reverse("admin:employers_industrycode_delete", args=["30"]), {"post": "yes"})
    assert IndustryCode.objects.filter(code="30").exists()


def test_focus_industry_of_another_province_is_refused(two: dict[str, Any]) -> None:
    ensure_code_lists()
    yn = logged_in(two["yn"])
    response = yn.post(
        reverse("admin:employers_focusindustry_add"), {"region": "520281", "industry_code": "21"}
    )
    assert response.status_code in (200, 403)
    assert not FocusIndustry.objects.filter(region_id="520281").exists()
    mine = FocusIndustry.objects.create(region_id="520281", industry_code=IndustryCode.objects.get(code="21"))
    for view in ("change", "delete", "history"):
        assert _unreached(yn.get(reverse(f"admin:employers_focusindustry_{view}", args=[mine.pk])))


def test_bulk_deleting_an_industry_mapping_recategorises_the_employers(two: dict[str, Any]) -> None:
    ensure_code_lists()
    code = IndustryCode.objects.get(code="30")
    brick = EmployerFactory.create(
        name="云南测试砖厂", region_id=YN_VILLAGE, industry=Industry.BUILDING_MATERIALS, industry_code=code
    )
    yn = logged_in(two["yn"])
    yn.post(reverse("admin:employers_industrymapping_add"), {"industry_code": "30", "category": "other"})
    mapping = IndustryMapping.objects.get()
    assert Employer.objects.get(pk=brick.pk).industry == Industry.OTHER
    yn.post(
        reverse("admin:employers_industrymapping_changelist"),
        {"action": "delete_selected", "_selected_action": [mapping.pk], "post": "yes"},
    )
    assert not IndustryMapping.objects.exists()
    assert code.category_in(YN_COUNTY) == Industry.BUILDING_MATERIALS
    assert Employer.objects.get(pk=brick.pk).industry == Industry.BUILDING_MATERIALS


def test_guizhou_admin_keeps_its_own(two: dict[str, Any]) -> None:
    """Control: the same forms work for the row's own province (the attacks above are not vacuous)."""
    gz = logged_in(User.objects.get(username="sheng"))
    own = Target.objects.create(province_id="52", indicator="registration", threshold=70, basis="贵州")
    assert gz.get(reverse("admin:indicators_target_change", args=[own.pk])).status_code == 200
    assert gz.get(reverse("admin:indicators_target_history", args=[own.pk])).status_code == 200
