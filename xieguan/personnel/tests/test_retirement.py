"""第十二条(一) 符合退休条件: the retirement age from the ID number and the rules as data, warned ahead."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from xieguan.personnel import actions, retirement
from xieguan.personnel.models import RetirementPolicy, RetirementRule
from xieguan.personnel.rules import default_term_end
from xieguan.personnel.tests.factories import AssistantFactory
from xieguan.personnel.worklist import retiring

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    importlib.import_module("xieguan.personnel.migrations.0005_default_retirement_rules").load(apps, None)
    return {r.key: r for r in RetirementRule.objects.all()}


def id_for(birth: dt.date, male: bool, seq: int = 12) -> str:
    body = f"520203{birth:%Y%m%d}{seq:02d}{1 if male else 2}"
    return body + ric.calc_check_digit(body + "0")


def born_to_retire_on(target: dt.date, rule: RetirementRule) -> dt.date:
    """A birth date whose retirement age under ``rule`` is reached on ``target``."""
    for delay in range(rule.max_delay_months + 1):
        birth = retirement.add_months(target, -(rule.base_years * 12 + delay))
        if retirement.retirement_date(birth, rule) == target:
            return birth
    raise AssertionError(target)


def age(birth: dt.date, rule: RetirementRule) -> tuple[int, int]:
    months = rule.base_years * 12 + retirement.delay_months(birth, rule)
    return divmod(months, 12)


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (dt.date(1964, 12, 31), (60, 0)),  # born before the reform: the old age
        (dt.date(1965, 1, 1), (60, 1)),  # the first birth month: one month later
        (dt.date(1965, 4, 30), (60, 1)),
        (dt.date(1965, 5, 1), (60, 2)),  # every four months of birth, one month more
        (dt.date(1976, 8, 31), (62, 11)),
        (dt.date(1976, 9, 1), (63, 0)),  # the ceiling
        (dt.date(1990, 6, 1), (63, 0)),
    ],
)
def test_men_60_to_63(rules, birth, expected):
    assert age(birth, rules["male"]) == expected


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (dt.date(1974, 12, 31), (50, 0)),
        (dt.date(1975, 1, 1), (50, 1)),
        (dt.date(1975, 2, 28), (50, 1)),
        (dt.date(1975, 3, 1), (50, 2)),  # every two months of birth, one month more
        (dt.date(1984, 10, 31), (54, 11)),
        (dt.date(1984, 11, 1), (55, 0)),  # the ceiling
        (dt.date(1995, 1, 1), (55, 0)),
    ],
)
def test_women_workers_50_to_55(rules, birth, expected):
    assert age(birth, rules["female_worker"]) == expected


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (dt.date(1969, 12, 31), (55, 0)),
        (dt.date(1970, 1, 1), (55, 1)),
        (dt.date(1970, 5, 1), (55, 2)),
        (dt.date(1981, 8, 31), (57, 11)),
        (dt.date(1981, 9, 1), (58, 0)),
    ],
)
def test_women_cadres_55_to_58(rules, birth, expected):
    assert age(birth, rules["female_cadre"]) == expected


def test_the_date_is_read_from_the_id_number(rules):
    read = retirement.birth_and_gender(id_for(dt.date(1965, 1, 31), male=True))
    assert read == (dt.date(1965, 1, 31), "male")
    assert retirement.birth_and_gender("520203196501311234") is None  # bad check digit
    # 60 years and one month after 31 January 1965: the last day of February 2025
    assert retirement.retirement_date(dt.date(1965, 1, 31), rules["male"]) == dt.date(2025, 2, 28)


def _appointed(personas, id_number, gender):
    assistant = AssistantFactory.create(eligible=True, id_number=id_number, gender=gender, name="老张")
    from xieguan.personnel.tests.factories import passed_pre_job

    passed_pre_job(assistant)
    start = timezone.localdate() - dt.timedelta(days=30)
    actions.appoint_assistant(
        assistant, start=start, end=default_term_end(start), document_no="1号", by=personas.panzhou
    )
    return assistant


def test_the_county_is_warned_within_the_window_and_the_page_shows_it(client_for, personas, rules):
    today = timezone.localdate()
    # a man who reaches his retirement age in 100 days, another in 200 (window: 180 days)
    born = born_to_retire_on(today + dt.timedelta(days=100), rules["male"])
    soon = _appointed(personas, id_for(born, male=True), "male")
    later_born = born_to_retire_on(today + dt.timedelta(days=200), rules["male"])
    later = _appointed(personas, id_for(later_born, male=True, seq=34), "male")
    section = retiring(personas.panzhou, today)
    assert [e.title for e in section.entries] == [f"老张（{soon.township.name}）"]
    assert not section.entries[0].urgent and section.entries[0].badge == "即将退休"
    page = client_for("panzhou").get(reverse("personnel:detail", args=[soon.pk])).content.decode()
    found = retirement.retirement_of(soon)
    assert found is not None and found.on == today + dt.timedelta(days=100)
    assert 'data-testid="retirement"' in page and f"达法定退休年龄（{found.age_label}）" in page
    assert 'data-testid="retirement"' not in (
        client_for("panzhou").get(reverse("personnel:detail", args=[later.pk])).content.decode()
    )
    # the window is policy data: a year ahead warns of both
    RetirementPolicy.objects.update(warning_days=365)
    assert len(retiring(personas.panzhou, today).entries) == 2
    # another county sees neither
    assert retiring(personas.liuzhi, today).entries == []


def test_a_woman_past_the_age_is_urgent_and_the_rule_is_chosen_by_policy(personas, rules):
    today = timezone.localdate()
    born = dt.date(1973, 1, 1)  # before the workers' reform (1975-01): 50, reached on 2023-01-01
    woman = _appointed(personas, id_for(born, male=False), "female")
    found = retirement.retirement_of(woman)
    assert found is not None and found.on == dt.date(2023, 1, 1) and found.reached(today)
    entry = retiring(personas.panzhou, today).entries[0]
    assert entry.urgent and entry.badge == "已达退休年龄"
    RetirementPolicy.objects.update(female_rule=rules["female_cadre"])
    cadre = retirement.retirement_of(woman)
    # the cadres' rule: 55 plus 10 months (born 36 months into its reform) → 2028-11-01
    assert cadre is not None and cadre.on == dt.date(2028, 11, 1) and cadre.age_label == "55周岁10个月"
