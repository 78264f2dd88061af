"""Two provinces side by side: each has its own policies, targets and check-list, edited by its own
admin (in the app and the Django admin), and neither sees the other's data (regions/policy.py)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Role, User
from xieguan.employers.actions import apply_industry_mapping
from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.forms import industry_map, reconcile_industry
from xieguan.employers.ledger import declaration_cutoff
from xieguan.employers.models import (
    Employer,
    FocusIndustry,
    Industry,
    IndustryCode,
    IndustryMapping,
    LedgerPolicy,
)
from xieguan.indicators import registry
from xieguan.indicators.dashboard import targets
from xieguan.indicators.models import RecordingPolicy, Target
from xieguan.inspections import actions as inspection_actions
from xieguan.inspections.models import ChecklistTemplate
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.actions import report_due_at
from xieguan.leads.models import Importance, ReportingPolicy
from xieguan.lib.testing import EmployerFactory, UserFactory
from xieguan.personnel.assessment import grade_for
from xieguan.personnel.models import Grade, GradeThreshold, StaffingPolicy
from xieguan.regions.models import Level, Region

pytestmark = pytest.mark.django_db

# A second province, loaded beside Guizhou's tree (the shipped data has Guizhou only).
YN, YN_CITY, YN_COUNTY, YN_TOWN, YN_VILLAGE = "53", "5301", "530102", "530102001", "530102001001"


@pytest.fixture
def two(personas: Any) -> dict[str, Any]:
    rows = [
        (YN, "云南省", Level.PROVINCE, None),
        (YN_CITY, "昆明市", Level.PREFECTURE, YN),
        (YN_COUNTY, "五华区", Level.COUNTY, YN_CITY),
        (YN_TOWN, "华山街道", Level.TOWNSHIP, YN_COUNTY),
        (YN_VILLAGE, "大兴社区", Level.VILLAGE, YN_TOWN),
    ]
    for code, name, level, parent in rows:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    importlib.import_module("xieguan.indicators.migrations.0002_default_targets").load(django_apps, None)
    load_templates()
    # Province admins as ``bootstrap`` makes them (the admin site is theirs).
    personas.sheng.is_superuser = True
    personas.sheng.save()
    yn = UserFactory(
        username="yunnan", role=Role.PROVINCE_ADMIN, region_id=YN, is_staff=True, is_superuser=True
    )
    wuhua = UserFactory(username="wuhua", role=Role.COUNTY_ADMIN, region_id=YN_COUNTY)
    return {
        "yn": yn,
        "wuhua": wuhua,
        "gz_employer": EmployerFactory(),
        "yn_employer": EmployerFactory(name="云南测试化工有限公司", region_id=YN_VILLAGE, address="五华区"),
    }


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_policies_and_targets_are_per_province(two: dict[str, Any]) -> None:
    registration = Target.objects.get(province=None, indicator="registration")
    Target.objects.create(province_id=YN, indicator="registration", threshold=80, basis="云南")
    ReportingPolicy.objects.create(province_id=YN, important_hours=1, normal_days=5)
    RecordingPolicy.objects.create(province_id=YN, inspection_days=7, complaint_hours=48)
    LedgerPolicy.objects.create(province_id=YN, declaration_max_age_days=730)
    StaffingPolicy.objects.create(province_id=YN, max_inspections_per_assistant=40)
    GradeThreshold.objects.create(province_id=YN, grade=Grade.EXCELLENT, min_score=95)
    GradeThreshold.objects.create(province_id=None, grade=Grade.EXCELLENT, min_score=90)

    # Targets: Yunnan's own where it set one, the national default elsewhere; Guizhou unchanged.
    assert targets(YN_COUNTY)["registration"].threshold == 80
    assert targets("520281")["registration"] == registration
    assert targets(YN_COUNTY)["reporting"] == targets("5202")["reporting"]  # not overridden
    # Single-row policies
    when = timezone.make_aware(dt.datetime(2026, 3, 2, 9))
    assert report_due_at(when, Importance.IMPORTANT, YN_TOWN) == when + dt.timedelta(hours=1)
    assert report_due_at(when, Importance.IMPORTANT, "520281117") == when + dt.timedelta(hours=2)
    assert RecordingPolicy.for_region(YN_COUNTY).inspection_days == 7
    assert RecordingPolicy.for_region("520281").inspection_days == 3  # the field default (no row)
    today = dt.date(2026, 6, 1)
    assert declaration_cutoff(YN_COUNTY, today=today) == today - dt.timedelta(days=730)
    assert declaration_cutoff("520281", today=today) == today - dt.timedelta(days=365)
    assert StaffingPolicy.for_region(YN_TOWN).max_inspections_per_assistant == 40
    assert StaffingPolicy.for_region("52").max_inspections_per_assistant == 60
    assert grade_for(Decimal(92), YN_TOWN) != Grade.EXCELLENT
    assert grade_for(Decimal(92), "520281117") == Grade.EXCELLENT


def test_indicators_use_their_provinces_targets(two: dict[str, Any]) -> None:
    Target.objects.create(province_id=YN, indicator="registration", threshold=80, basis="云南")
    page = logged_in(two["wuhua"]).get(reverse("indicators:dashboard"))
    assert page.status_code == 200
    assert page.context["table"].targets["registration"].threshold == 80
    page = logged_in(two["yn"]).get(reverse("indicators:dashboard"))
    assert page.context["table"].targets["registration"].threshold == 80
    gz = Client()
    gz.force_login(User.objects.get(username="panzhou"))
    assert gz.get(reverse("indicators:dashboard")).context["table"].targets["registration"].threshold == 100


def test_each_province_activates_its_own_template(two: dict[str, Any]) -> None:
    national = ChecklistTemplate.active("52")
    variant = ChecklistTemplate.objects.get(code="regulation-text")
    assert logged_in(two["yn"]).post(reverse("inspections:activate", args=[variant.pk])).status_code == 302
    yn_active = ChecklistTemplate.active(YN_TOWN)
    assert yn_active is not None and yn_active.province_id == YN and yn_active.code == "regulation-text"
    assert ChecklistTemplate.active("520281117") == national  # Guizhou's is unchanged
    # Guizhou's admin neither lists, revises nor activates Yunnan's own version.
    gz = logged_in(User.objects.get(username="sheng"))
    listed = {t.pk for t in gz.get(reverse("inspections:templates")).context["rows"]}
    assert yn_active.pk not in listed and variant.pk in listed
    assert gz.post(reverse("inspections:activate", args=[yn_active.pk])).status_code == 404
    assert gz.get(reverse("inspections:revise", args=[yn_active.pk])).status_code == 404
    with pytest.raises(inspection_actions.InspectionError):
        inspection_actions.activate_template(yn_active, User.objects.get(username="sheng"))
    assert ChecklistTemplate.active("52") == national


def test_the_django_admin_shows_each_province_admin_their_own_rows(two: dict[str, Any]) -> None:
    yn, gz = logged_in(two["yn"]), logged_in(User.objects.get(username="sheng"))
    url = reverse("admin:leads_reportingpolicy_add")
    response = yn.post(url, {"important_hours": 1, "normal_days": 3})
    assert response.status_code == 302, response.content.decode()[:2000]
    mine = ReportingPolicy.objects.get()
    assert mine.province_id == YN  # assigned, never chosen
    assert yn.get(url).status_code == 403  # one row per province
    changelist = reverse("admin:leads_reportingpolicy_changelist")
    listed = yn.get(changelist)
    assert list(listed.context["cl"].queryset) == [mine]
    assert "本省未设置的项按全国默认值执行" in listed.content.decode()  # what applies where unset
    assert list(gz.get(changelist).context["cl"].queryset) == []
    assert (
        gz.get(reverse("admin:leads_reportingpolicy_change", args=[mine.pk])).status_code == 302
    )  # not found
    assert gz.post(url, {"important_hours": 4, "normal_days": 3}).status_code == 302
    assert ReportingPolicy.for_region("52").important_hours == 4
    assert ReportingPolicy.for_region(YN).important_hours == 1
    # A keyed table: a second target for the same indicator is a form error, not a crash.
    targets_url = reverse("admin:indicators_target_add")
    form = {"indicator": "registration", "threshold": "80", "comparison": "ge", "basis": ""}
    assert yn.post(targets_url, form).status_code == 302
    again = yn.post(targets_url, form)
    assert again.status_code == 200 and again.context["adminform"].form.errors
    assert Target.objects.filter(province_id=YN).count() == 1
    # The indicator is picked by its name among the registered ones, never typed as a code.
    field = yn.get(targets_url).context["adminform"].form.fields["indicator"]
    offered = {value for value, _ in field.choices}
    assert set(registry.keys()) <= offered and offered - set(registry.keys()) == {""}
    name = str(registry.indicator("registration").label)
    assert ("registration", f"{name}（registration）") in field.choices
    refused = yn.post(targets_url, {**form, "indicator": "no_such_indicator"})
    assert refused.status_code == 200 and "indicator" in refused.context["adminform"].form.errors
    page = yn.get(reverse("admin:indicators_target_changelist")).content.decode()
    assert name in page  # the list and the national defaults say which indicator by name


def test_each_province_maps_industries_its_own_way(two: dict[str, Any]) -> None:
    ensure_code_lists()
    code = IndustryCode.objects.get(code="30")  # 非金属矿物制品业: building materials nationally
    assert code.category == Industry.BUILDING_MATERIALS
    gz_brick = EmployerFactory.create(industry=Industry.BUILDING_MATERIALS, industry_code=code)
    yn_brick = EmployerFactory.create(
        name="云南测试砖厂", region_id=YN_VILLAGE, industry=Industry.BUILDING_MATERIALS, industry_code=code
    )
    yn = logged_in(two["yn"])
    # A province admin does not edit the national mapping …
    assert yn.post(reverse("admin:employers_industrycode_change", args=["30"]), {}).status_code == 403
    # … but maps the code for their province; their employers follow, Guizhou's do not.
    response = yn.post(
        reverse("admin:employers_industrymapping_add"), {"industry_code": "30", "category": "other"}
    )
    assert response.status_code == 302
    assert IndustryMapping.objects.get().province_id == YN
    assert code.category_in(YN_COUNTY) == Industry.OTHER and code.category_in("520281") == code.category
    assert industry_map(YN_TOWN)["30"] == Industry.OTHER and industry_map("52")["30"] == code.category
    industries = dict(
        Employer.objects.filter(pk__in=[yn_brick.pk, gz_brick.pk]).values_list("pk", "industry")
    )
    assert (industries[yn_brick.pk], industries[gz_brick.pk]) == (Industry.OTHER, Industry.BUILDING_MATERIALS)
    # A national re-mapping leaves the province with its own mapping alone.
    IndustryCode.objects.filter(code="30").update(category=Industry.CHEMICAL)
    apply_industry_mapping(IndustryCode.objects.get(code="30"))
    industries = dict(
        Employer.objects.filter(pk__in=[yn_brick.pk, gz_brick.pk]).values_list("pk", "industry")
    )
    assert (industries[yn_brick.pk], industries[gz_brick.pk]) == (Industry.OTHER, Industry.CHEMICAL)
    IndustryCode.objects.filter(code="30").update(category=Industry.BUILDING_MATERIALS)
    code.refresh_from_db()
    # Focus industries in the admin: a province admin lists their province's only.
    FocusIndustry.objects.create(region_id="520281", industry_code=IndustryCode.objects.get(code="21"))
    assert list(yn.get(reverse("admin:employers_focusindustry_changelist")).context["cl"].queryset) == []
    gz = logged_in(User.objects.get(username="sheng"))
    assert len(gz.get(reverse("admin:employers_focusindustry_changelist")).context["cl"].queryset) == 1
    # A new employer registered with that code gets the province's category.
    assert reconcile_industry(None, code, YN_VILLAGE) == Industry.OTHER
    assert reconcile_industry(None, code, "520281117001") == Industry.BUILDING_MATERIALS


def test_a_county_of_one_province_sees_nothing_of_the_other(two: dict[str, Any]) -> None:
    wuhua = logged_in(two["wuhua"])
    gz_employer, yn_employer = two["gz_employer"], two["yn_employer"]
    assert wuhua.get(reverse("employers:detail", args=[gz_employer.pk])).status_code == 404
    assert wuhua.get(reverse("employers:detail", args=[yn_employer.pk])).status_code == 200
    assert wuhua.get(reverse("indicators:dashboard"), {"region": "5202"}).status_code == 404
    panzhou = logged_in(User.objects.get(username="panzhou"))
    assert panzhou.get(reverse("employers:detail", args=[yn_employer.pk])).status_code == 404
    # Each province admin: own tree only.
    yn = logged_in(two["yn"])
    assert yn.get(reverse("indicators:dashboard"), {"region": "52"}).status_code == 404
    assert yn.get(reverse("employers:detail", args=[gz_employer.pk])).status_code == 404
