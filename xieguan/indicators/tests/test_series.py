"""The charts' series (``indicators/series.json``) against the dashboard, half-year by half-year,
and the publicity indicator's statement set-based (docs/performance.md, issue 16, round 5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Q, Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieguan.indicators import periods
from xieguan.indicators.registry import all_indicators, indicator
from xieguan.indicators.tests.scenario import COUNTY, T1
from xieguan.lib.testing import PREFECTURE

pytestmark = pytest.mark.django_db
SERIES = reverse("indicators:series")
DASHBOARD = reverse("indicators:dashboard")


def _dashboard_totals(client: Any, region: str, period: periods.Period) -> dict[str, Any]:
    table = client.get(DASHBOARD, {"region": region, "period": period.key}).context["table"]
    return {cell.indicator.key: cell.counts for cell in table.total.cells}


@pytest.mark.parametrize("region", [COUNTY, PREFECTURE, T1])
def test_the_series_is_the_dashboard_of_each_half_year(client_for, scenario, region):
    """Every indicator's numerator and denominator in the charts equal the dashboard's totals
    for that half-year (and its extras, the 巡查时普法 townships among them), for a region with
    data in several half-years."""
    visit = scenario.inspections["I1"]  # 柏果镇, submitted in March 2025: 普法 during the visit
    visit.legal_publicity = True
    visit.save()
    client = client_for("sheng")
    data = client.get(SERIES, {"region": region}).json()
    halves = periods.recent_halves(6)
    assert data["periods"] == [half.label for half in halves]
    charts = {item["key"]: item for item in data["indicators"]}
    seen = 0
    for i, half in enumerate(halves):
        totals = _dashboard_totals(client, region, half)
        for ind in all_indicators():
            counts = totals[ind.key]
            chart = charts[ind.key]
            got = (chart["numerators"][i], chart["denominators"][i])
            assert got == (counts.numerator, counts.denominator), (region, half.key, ind.key)
            extras = ind.series(region, [half])[0].extras
            assert _nonzero(extras) == _nonzero(counts.extras), (region, half.key, ind.key)
            seen += counts.denominator
    assert seen > 0  # the region has data in these half-years
    assert charts["publicity"]["numerators"][-2] >= 1  # 柏果镇 held an event in May 2025
    assert _dashboard_totals(client, region, halves[-2])["publicity"].extras == {"patrol_publicity": 1}


def _nonzero(extras: dict[str, int]) -> dict[str, int]:
    """A total over no rows has no extras at all, the series names each with 0."""
    return {name: n for name, n in extras.items() if n}


def test_the_series_request_is_one_statement_per_indicator_whatever_the_region(client_for, scenario):
    client = client_for("sheng")
    queries = {}
    for region in (T1, COUNTY, PREFECTURE):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SERIES, {"region": region}).status_code == 200
        queries[region] = len(ctx.captured_queries)
    assert len(set(queries.values())) == 1, queries


@pytest.mark.postgresql  # reads PostgreSQL's plan
@pytest.mark.parametrize("region", [COUNTY, PREFECTURE])
def test_the_publicity_rate_looks_nothing_up_per_township(scenario, region):
    """Whether a township has an assistant in service and whether it held a publicity event are
    sets computed once per statement (each subquery runs once, as a hashed subplan), not an
    EXISTS run again for every township and half-year (the rate's conditions, counted as the
    series counts them)."""
    publicity = indicator("publicity")
    aggregates = {}
    for i, period in enumerate(periods.recent_halves(6)):
        member = Q(publicity.member(period, region))
        aggregates[f"den{i}"] = Count("pk", filter=member)
        aggregates[f"num{i}"] = Count("pk", filter=member & Q(publicity.ok(period, region)))
    query = publicity.base(region).order_by().annotate(_all=Value(1)).values("_all").annotate(**aggregates)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    subplans = list(_subplans(plan[0]["Plan"]))
    assert subplans, "no subquery found: the test reads the wrong statement"
    assert all(loops <= 1 for _name, loops in subplans), subplans


def _subplans(node: dict[str, Any]) -> Any:
    for child in node.get("Plans", []):
        if child.get("Parent Relationship") == "SubPlan":
            yield child.get("Subplan Name"), child.get("Actual Loops", 0)
        yield from _subplans(child)
