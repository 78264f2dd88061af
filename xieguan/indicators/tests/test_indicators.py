"""Each indicator against the hand-computed county of scenario.py."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from xieguan.indicators import periods
from xieguan.indicators.registry import Counts, Show, all_indicators, format_rate, indicator
from xieguan.indicators.tests.scenario import COUNTY, EXPECTED, T1, T2, T3, V1, V2

pytestmark = pytest.mark.django_db
YEAR = periods.year(2025)


def test_each_count_is_one_query(scenario, django_assert_num_queries):
    for ind in all_indicators():
        # records counts three kinds of record (one query each) after reading its policy
        expected = 4 if ind.key == "records" else 1
        with django_assert_num_queries(expected):
            ind.counts(COUNTY, YEAR, child_length=9)
        with django_assert_num_queries(expected):
            ind.series(COUNTY, periods.recent_halves(6))


def test_the_catalogue_has_the_regulations_indicators():
    ours = [
        "registration",
        "reporting",
        "assistant_patrol",
        "key_coverage",
        "employer_patrol",
        "records",
        "training_participation",  # registered by personnel/indicators.py
        "training_pass",
        "publicity",
    ]
    # other apps may register more (personnel's training rates); ours come in this order
    assert [i.key for i in all_indicators() if i.key in ours] == ours


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_counts_per_township_match_the_hand_count(scenario, key):
    grouped = indicator(key).counts(COUNTY, YEAR, child_length=9)
    for region in (T1, T2, T3):
        got = grouped.get(region, Counts())
        assert (got.numerator, got.denominator) == EXPECTED[key][region], (key, region)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_totals_match_the_hand_count_and_leave_the_other_county_out(scenario, key):
    ind = indicator(key)
    total = ind.total(COUNTY, YEAR)
    assert (total.numerator, total.denominator) == EXPECTED[key][COUNTY]
    for region in (T1, T2, T3):
        sub = ind.total(region, YEAR)
        assert (sub.numerator, sub.denominator) == EXPECTED[key][region], (key, region)


def test_reporting_counts_on_time_and_overdue(scenario):
    total = indicator("reporting").total(COUNTY, YEAR)
    # L1 on time; L3 reported late; L4 unreported and past due; L5 unreported, not yet due
    assert total.extras == {"on_time": 1, "overdue": 2}
    assert total.rate == Decimal("50.0")


def test_a_lead_discovered_and_reported_in_different_years_counts_where_discovered(scenario):
    reporting = indicator("reporting")
    # L2: discovered 2024-12-31, reported 2025-01-02 (on time)
    in_2024 = reporting.total(T1, periods.year(2024))
    assert (in_2024.numerator, in_2024.denominator, in_2024.extras["on_time"]) == (1, 1, 1)
    assert scenario.leads["L2"].pk not in set(reporting.rows(T1, YEAR, Show.ALL).values_list("pk", flat=True))


def test_a_closed_employer_leaves_every_denominator(scenario):
    closed = scenario.employers["E3"].pk
    for key in ("registration", "key_coverage", "employer_patrol"):
        assert closed not in set(indicator(key).rows(COUNTY, YEAR, Show.ALL).values_list("pk", flat=True))
    # ... but the inspection made before it closed is still a record
    on_time = indicator("records").rows(COUNTY, YEAR, Show.OK)
    assert scenario.inspections["I4"].pk in {
        uuid.UUID(r["r_pk"]) for r in on_time if r["r_kind"] == "inspection"
    }


def test_an_employer_added_mid_year_is_not_counted_before(scenario):
    first_half = indicator("registration").total(T2, periods.half_year(2025, 1))
    assert (first_half.numerator, first_half.denominator) == (1, 1)


def test_dismissed_and_expired_assistants_are_not_active(scenario):
    patrol = indicator("assistant_patrol")
    members = set(patrol.rows(COUNTY, YEAR, Show.ALL).values_list("user__username", flat=True))
    assert members == {"xieguan", "a2", "a5"}
    # the dismissed assistant's 2024 inspection does not make anyone covered
    assert set(patrol.rows(COUNTY, YEAR, Show.MISSING).values_list("user__username", flat=True)) == {
        "a2",
        "a5",
    }


def test_half_year_period_checks_only_that_half(scenario):
    patrol = indicator("assistant_patrol")
    second = patrol.total(COUNTY, periods.half_year(2025, 2))
    assert (second.numerator, second.denominator) == (2, 3)  # xieguan and A2 inspected in H2
    employers = indicator("employer_patrol").total(T1, periods.half_year(2025, 2))
    assert (employers.numerator, employers.denominator) == (2, 3)  # E1 and E4


def test_drafts_do_not_count_as_inspections(scenario):
    rows = indicator("key_coverage").rows(T2, YEAR, Show.MISSING)
    assert list(rows.values_list("name", flat=True)) == ["民主化工厂"]


def test_missing_rows_are_the_reason(scenario):
    coverage = indicator("key_coverage")
    assert set(coverage.rows(COUNTY, YEAR).values_list("name", flat=True)) == {"云中水泥厂", "民主化工厂"}
    registration = indicator("registration")
    assert list(registration.rows(COUNTY, YEAR).values_list("name", flat=True)) == ["云中水泥厂"]
    publicity = indicator("publicity")
    assert list(publicity.rows(COUNTY, YEAR).values_list("code", flat=True)) == [T2]


def test_villages_and_the_township_level_when_grouping_a_township(scenario):
    grouped = indicator("registration").counts(T1, YEAR, child_length=12)
    assert (grouped[V1].numerator, grouped[V1].denominator) == (1, 2)  # E1, E2
    assert V2 not in grouped  # E3 closed
    assert (grouped[T1].numerator, grouped[T1].denominator) == (1, 1)  # E4, at township level


def test_an_empty_region_has_no_rate(scenario):
    for ind in all_indicators():
        total = ind.total(T3, YEAR)
        assert total.denominator == 0, ind.key
        assert total.rate is None
        assert format_rate(total.rate) == "—"


def test_division_by_zero_is_a_dash_not_a_percentage():
    assert Counts(0, 0).rate is None
    assert format_rate(Counts(0, 0).rate) == "—"
    assert format_rate(Counts(0, 3).rate) == "0.0%"
    assert format_rate(Counts(2, 3).rate) == "66.7%"
    assert format_rate(Counts(3, 3).rate) == "100.0%"


def test_publicity_during_patrol_shows_beside_the_publicity_rate(scenario):
    """日常巡查普法: townships where a submitted inspection of the period recorded 普法."""
    publicity = indicator("publicity")
    assert publicity.total(COUNTY, YEAR).extras["patrol_publicity"] == 0
    i1 = scenario.inspections["I1"]  # 柏果镇, submitted in March
    i1.legal_publicity = True
    i1.save()
    scenario.inspections["I5"].legal_publicity = True  # 民主镇, only a draft: not counted
    scenario.inspections["I5"].save()
    total = publicity.total(COUNTY, YEAR)
    assert total.extras["patrol_publicity"] == 1
    assert (total.numerator, total.denominator) == (1, 2)  # the rate itself is the events'
    rows = publicity.rows(COUNTY, YEAR, "patrol_publicity")
    assert list(rows.values_list("code", flat=True)) == [T1]
    assert publicity.total(COUNTY, periods.half_year(2025, 2)).extras["patrol_publicity"] == 0
