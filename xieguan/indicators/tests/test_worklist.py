"""The indicators' sections of the home work list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieguan.indicators.tests.factories import EmployerFactory, InspectionFactory, at
from xieguan.indicators.worklist import sections

pytestmark = pytest.mark.django_db


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


def test_with_nothing_to_count_the_section_does_not_say_all_met(personas, targets):
    # a new installation: no employer, no inspection, no publicity anywhere
    [section] = sections(personas.sheng)
    assert section.entries == []
    assert "均已达标" not in str(section.empty_text)
    assert "尚无可统计的数据" in str(section.empty_text)


def test_officers_and_assistants_get_no_indicator_section(personas):
    assert sections(personas.jiandu) == []
    assert sections(personas.xieguan) == []


def test_the_county_home_page_shows_the_section(client_for, scenario):
    body = client_for("panzhou").get(reverse("accounts:home")).content.decode()
    assert "未达标的工作指标" in body and "基本信息登记率 80.0%" in body
