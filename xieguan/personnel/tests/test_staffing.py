"""Staffing (配备数量与巡查任务相匹配): the inspection rule, loads and flags per township."""

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from xieguan.employers.models import Employer, Industry, OperatingStatus
from xieguan.lib.testing import EmployerFactory
from xieguan.personnel import actions, staffing
from xieguan.personnel.models import StaffingPolicy
from xieguan.personnel.rules import default_term_end
from xieguan.personnel.tests.factories import AssistantFactory, passed_pre_job

pytestmark = pytest.mark.django_db


def required(**attrs):
    employer = EmployerFactory.create(**attrs)
    found = Employer.objects.filter(pk=employer.pk).annotate(n=staffing.required_inspections())
    return found.values_list("n", flat=True).get()


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"is_key": True}, 2),
        ({"is_key": True, "status": OperatingStatus.SUSPENDED}, 2),
        ({"is_key": False, "serious_hazard": True, "industry": Industry.OTHER}, 2),
        ({"is_key": False, "industry": Industry.OTHER}, 1),
        ({"is_key": False, "industry": Industry.OTHER, "status": OperatingStatus.SUSPENDED}, 0),
        ({"is_key": True, "status": OperatingStatus.CLOSED}, 0),
    ],
)
def test_required_inspections_rule(regions, attrs, expected):
    assert required(**attrs) == expected


def appoint(township, by):
    a = AssistantFactory.create(eligible=True, township_id=township)
    passed_pre_job(a)
    today = timezone.localdate()
    actions.appoint_assistant(a, start=today, end=default_term_end(today), document_no="", by=by)
    return a


def test_townships_flags_and_order(personas):
    StaffingPolicy.objects.create(max_inspections_per_assistant=3)
    for _ in range(2):
        EmployerFactory.create(is_key=True)  # 柏果镇: 4 inspections a year
    EmployerFactory.create(region_id="520281105001", is_key=False, industry=Industry.OTHER)  # 大山镇: 1
    EmployerFactory.create(region_id="520281104001", is_key=True)  # 民主镇: 2, nobody
    appoint("520281117", personas.panzhou)  # 柏果镇: 4 for 1 > 3 → overloaded
    appoint("520281105", personas.panzhou)  # 大山镇: 1 for 1
    rows = staffing.townships("520281")
    by_code = {r.code: r for r in rows}
    assert len(rows) == 27
    baiguo, dashan, minzhu = by_code["520281117"], by_code["520281105"], by_code["520281104"]
    assert (baiguo.employers, baiguo.required, baiguo.assistants, str(baiguo.load)) == (2, 4, 1, "4.0")
    assert baiguo.flag == staffing.OVERLOADED and dashan.flag == staffing.OK and minzhu.flag == staffing.NONE
    # flagged first, the heaviest load first (nobody: all the township's inspections); ok last
    assert [r.code for r in rows[:2]] == ["520281117", "520281104"]
    assert rows[-1].code == "520281105"
    assert (
        sum(r.required for r in rows)
        == Employer.objects.within("520281").aggregate(n=Sum(staffing.required_inspections()))["n"]
    )


def test_counties_summary(personas):
    EmployerFactory.create(is_key=True)
    appoint("520281117", personas.panzhou)
    counties = {c.code: c for c in staffing.counties("5202")}
    assert counties["520281"].assistants == 1 and counties["520281"].required == 2
    assert counties["520281"].flagged == counties["520281"].townships - 1


def test_pages(client_for, personas):
    body = client_for("panzhou").get(reverse("personnel:staffing")).content.decode()
    assert "柏果镇" in body and "无在聘协管员" in body and "岩脚镇" not in body
    body = client_for("lps").get(reverse("personnel:staffing")).content.decode()
    assert "盘州市" in body and "六枝特区" in body and 'data-testid="staffing-counties"' in body
    body = client_for("lps").get(reverse("personnel:staffing") + "?region=520281").content.decode()
    assert "柏果镇" in body
    assert client_for("panzhou").get(reverse("personnel:staffing") + "?region=520203").status_code == 404
