"""Indicators whose grouped statement is compiled once per period, code length and day
(``Indicator.compile_once``, lib.prepared): the cached statement bound to a region code is the
statement a fresh compile gives, and the counts are the same, for several regions and periods."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xieguan.indicators import periods
from xieguan.indicators.dashboard import child_length
from xieguan.indicators.registry import Show, _prepared_counts, _prepared_series, all_indicators
from xieguan.indicators.views import _DRILL_PAGES, DrillRows, _drill_page
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db

COMPILED_ONCE = [ind for ind in all_indicators() if ind.compile_once]
REGIONS = ["52", "5202", "520281", "520203", "520281117"]
PERIODS = ["2025", "2025H1", "2025H2", "2024", "2025-03-01~2025-10-31"]


def test_the_expensive_indicators_are_compiled_once():
    assert {ind.key for ind in COMPILED_ONCE} == {"assistant_patrol", "publicity", "key_coverage"}


@pytest.mark.parametrize("ind", COMPILED_ONCE, ids=lambda ind: ind.key)
def test_cached_statement_and_counts_equal_a_fresh_compile(ind, scenario):
    for key in PERIODS:
        period = periods.parse_period(key)
        for code in REGIONS:
            length = child_length(Region.objects.get(code=code))
            shape = (period, length, dt.date(2025, 12, 20))
            bound = _prepared_counts(ind).statement(*shape, code=code)
            assert bound is not None
            sql, params = ind.counts_query(*shape, code=code).query.get_compiler("default").as_sql()
            assert (bound[0], list(bound[1])) == (sql, list(params)), (ind.key, key, code)
            assert code + "%" in bound[1]  # the region, bound where within() put it
            fresh = {row["child_code"]: row for row in ind.counts_query(*shape, code=code)}
            compiled = {row["child_code"]: row for row in _prepared_counts(ind).list(*shape, code=code)}
            assert compiled == fresh, (ind.key, key, code)
    assert any(ind.counts("520281", periods.parse_period(key), 9) for key in PERIODS)


def test_the_day_is_part_of_the_shape(scenario):
    """The current year's half-years depend on today (Period.halves): the statement compiled in
    June has one half-year, the one compiled in July two."""
    ind = next(ind for ind in COMPILED_ONCE if ind.key == "assistant_patrol")
    year = periods.parse_period("2025")
    with time_machine.travel(dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC), tick=False):
        june = _prepared_counts(ind).statement(year, 9, dt.date(2025, 6, 10), code="520281")
    with time_machine.travel(dt.datetime(2025, 7, 10, 12, tzinfo=dt.UTC), tick=False):
        july = _prepared_counts(ind).statement(year, 9, dt.date(2025, 7, 10), code="520281")
        ind.counts("520281", year, 9)  # the check (on in the tests) compares with a fresh compile
    assert june is not None and july is not None and june[0] != july[0]


@pytest.mark.parametrize("ind", COMPILED_ONCE, ids=lambda ind: ind.key)
def test_drill_down_pages_equal_a_fresh_compile(ind, scenario):
    """A drill-down page of an indicator compiled once: the cached statement bound to the region
    is a fresh compile's, and the page lists the same rows in the same order."""
    for key in ("2025", "2025H2", "2025-03-01~2025-10-31"):
        period = periods.parse_period(key)
        for code in REGIONS:
            for show in (Show.MISSING, Show.OK, Show.ALL):
                for bottom, top in ((0, 50), (1, 3)):
                    rows = DrillRows(ind, code, period, show)[bottom:top]
                    shape = (ind, period, show, bottom, top, dt.date(2025, 12, 20))
                    bound = _DRILL_PAGES[ind.key].statement(*shape, code=code)
                    fresh = _drill_page(*shape, code=code)
                    sql, params = fresh.query.get_compiler("default").as_sql()
                    assert bound is not None and (bound[0], list(bound[1])) == (sql, list(params))
                    assert [row.pk for row in rows] == [row.pk for row in fresh], (ind.key, key, code, show)


@pytest.mark.parametrize("ind", COMPILED_ONCE, ids=lambda ind: ind.key)
def test_totals_equal_a_fresh_compile_and_the_aggregate(ind, scenario):
    """``series`` (the totals of the drill-down, the work list and the charts): the cached
    statement is a fresh compile's, one row even for a region with nothing to count, and the
    numbers are those of Django's ``aggregate`` over the same conditions."""
    from django.db.models import Count, Q

    halves = tuple(periods.recent_halves(6))
    for shape in ((periods.parse_period("2025"),), halves):
        for code in [*REGIONS, "520203102"]:
            bound = _prepared_series(ind).statement(shape, dt.date(2025, 12, 20), code=code)
            sql, params = ind.series_query(shape, code=code).query.get_compiler("default").as_sql()
            assert bound is not None and (bound[0], list(bound[1])) == (sql, list(params))
            counts = ind.series(code, list(shape))
            for period, got in zip(shape, counts, strict=True):
                member = Q(ind.member(period, code))
                expected = ind.base(code).aggregate(
                    den=Count("pk", filter=member), num=Count("pk", filter=member & Q(ind.ok(period, code)))
                )
                assert (got.numerator, got.denominator) == (expected["num"], expected["den"]), (code, period)
