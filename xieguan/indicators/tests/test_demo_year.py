"""``seeddemo`` on an empty database: the demo accounts as before, plus a believable year of
六盘水市 whose dashboards show numbers (some behind target on purpose); a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from xieguan.accounts.demo import DEMO_USERS
from xieguan.accounts.models import User
from xieguan.employers.models import Employer
from xieguan.indicators.dashboard import build_table
from xieguan.indicators.demo_year import STAFF, inspections_by_county
from xieguan.indicators.periods import current_year
from xieguan.indicators.tests.factories import load_default_targets
from xieguan.inspections.models import AssistantHalf, Inspection
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.models import Lead
from xieguan.outreach.models import PublicityEvent
from xieguan.personnel.models import Assistant, TrainingRecord
from xieguan.regions.models import Level, Region
from xieguan.tasks.models import TaskAssignment

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 9, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def seeddemo() -> str:
    out = StringIO()
    call_command("seeddemo", "--force", stdout=out)
    return out.getvalue()


def test_seeddemo_on_an_empty_database(regions: Any) -> None:
    """One seeding (it takes a while), every check on it."""
    # The data the migrations load (tests run without them): targets and the 附表1 template.
    load_default_targets()
    load_templates()
    with time_machine.travel(TODAY, tick=False):
        year = seeddemo()
    the_demo_accounts_stay_as_they_are(year)
    every_county_of_the_prefecture_has_a_year_of_work()
    some_targets_are_missed_on_purpose_and_some_met()
    the_stored_summaries_agree_with_the_inspections()
    a_second_run_adds_nothing_and_says_so()


def the_stored_summaries_agree_with_the_inspections() -> None:
    """The demo goes through the actions: ``checkindicators`` finds nothing to repair (exit 0)."""
    out = StringIO()
    call_command("checkindicators", stdout=out)
    assert "一致" in out.getvalue()
    assert AssistantHalf.objects.exists()


def the_demo_accounts_stay_as_they_are(year: str) -> None:
    for username, _name, role, region, _villages in DEMO_USERS:
        user = User.objects.get(username=username)
        assert (user.role, user.region_id) == (role, region)
        assert username in year


def every_county_of_the_prefecture_has_a_year_of_work() -> None:
    by_county = inspections_by_county()
    for county in STAFF:
        townships = Region.objects.filter(parent_id=county, level=Level.TOWNSHIP).count()
        assistants = Assistant.objects.filter(township__code__startswith=county).count()
        assert townships * 0.6 <= assistants <= townships  # most townships, not all
        assert Employer.objects.within(county).count() >= 3 * assistants * 0.8
        assert by_county[county] >= assistants  # several inspections per assistant
        assert Lead.objects.within(county).exists()
        assert PublicityEvent.objects.within(county).exists()
        assert TrainingRecord.objects.filter(session__region_id=county, attended=True).exists()
        assert TaskAssignment.objects.filter(region__code__startswith=county).exists()
    # Inspections spread over last year and this year (the charts have several points).
    months = {d.strftime("%Y-%m") for d in Inspection.objects.values_list("inspected_at", flat=True)}
    assert {"2025-03", "2025-10", "2026-04"} <= months


def some_targets_are_missed_on_purpose_and_some_met() -> None:
    with time_machine.travel(TODAY, tick=False):
        table = build_table(Region.objects.get(code="5202"), current_year())
    cells = [cell for row in table.rows for cell in row.cells]
    assert any(cell.met is False for cell in table.total.cells)  # 未达标 shows on the dashboard
    assert any(cell.met is True for cell in cells)
    assert all(
        cell.counts.denominator for cell in table.total.cells if cell.column.indicator.key != "records"
    )


def a_second_run_adds_nothing_and_says_so() -> None:
    before = (Inspection.objects.count(), Lead.objects.count(), User.objects.count())
    with time_machine.travel(TODAY, tick=False):
        again = seeddemo()
    assert "已存在" in again
    assert (Inspection.objects.count(), Lead.objects.count(), User.objects.count()) == before
