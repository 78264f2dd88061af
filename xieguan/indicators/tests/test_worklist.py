"""The indicators' sections of the home work list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieguan.indicators.tests.factories import EmployerFactory, InspectionFactory, at
from xieguan.indicators.worklist import sections
from xieguan.lib.testing import TOWNSHIP
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


def test_assistant_sees_employers_due_this_half_year_their_villages_first(frozen, personas, targets):
    xieguan = personas.xieguan
    xieguan.villages.set([Region.objects.get(code=TOWNSHIP + "002")])
    done = EmployerFactory.create(name="本半年已巡查", region_id=TOWNSHIP + "001")
    InspectionFactory.create(employer=done, assistant=xieguan, inspected_at=at(2025, 9, 1))
    EmployerFactory.create(name="甲普通单位", region_id=TOWNSHIP + "001", is_key=False)
    EmployerFactory.create(name="乙重点单位", region_id=TOWNSHIP + "001", is_key=True)
    EmployerFactory.create(name="丙我的村", region_id=TOWNSHIP + "002", is_key=False)
    EmployerFactory.create(name="外乡单位", region_id="520281104001")
    [section] = sections(xieguan)
    assert [e.title for e in section.entries] == ["丙我的村", "乙重点单位", "甲普通单位"]
    assert section.total == 3
    assert section.entries[0].url == reverse("employers:detail", args=[section_pk(section, "丙我的村")])
    body = _home(xieguan)
    assert "本半年待巡查的用人单位" in body and "丙我的村" in body


def section_pk(section, title):
    from xieguan.employers.models import Employer

    return Employer.objects.get(name=title).pk


def _home(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(reverse("accounts:home")).content.decode()


def test_county_admin_sees_the_indicators_not_met(scenario):
    [section] = sections(scenario.personas.panzhou)
    titles = [e.title for e in section.entries]
    # 2025 so far in 盘州市: registration 80%, reporting 50%, patrol 33.3% … publicity 50%
    assert "基本信息登记率 80.0%" in titles
    assert "乡镇宣传开展率 50.0%" in titles
    registration = next(e for e in section.entries if e.title.startswith("基本信息登记率"))
    assert (
        registration.url
        == reverse("indicators:drill", args=["registration"]) + "?region=520281&period=2025&show=missing"
    )
    assert registration.detail == "未完成登记的用人单位：1"


def test_when_everything_is_met_the_section_says_so(frozen, personas, targets):
    from xieguan.indicators.tests.factories import PublicityEventFactory
    from xieguan.lib.testing import OTHER_TOWNSHIP

    mine = EmployerFactory.create(region_id=OTHER_TOWNSHIP + "001")
    for day in (at(2025, 3, 1), at(2025, 8, 1)):
        InspectionFactory.create(employer=mine, assistant=personas.xieguan2, inspected_at=day)
    PublicityEventFactory.create(
        region_id=OTHER_TOWNSHIP, held_on=at(2025, 4, 1).date(), recorded_by=personas.xieguan2
    )
    [section] = sections(personas.liuzhi)
    assert section.entries == []
    assert "均已达标" in str(section.empty_text)


def test_officers_get_no_indicator_section(personas):
    assert sections(personas.jiandu) == []
