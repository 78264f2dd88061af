"""The employer's inspected half-years (inspections.patrol): the bits, the periods they answer,
and that the actions keep them in step with the inspections."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieguan.employers.models import Employer
from xieguan.indicators.periods import date_range, half_year, year
from xieguan.indicators.sources import inspected_in, submitted_in
from xieguan.inspections import actions, patrol
from xieguan.inspections.models import Inspection
from xieguan.inspections.tests.factories import payload
from xieguan.lib.testing import EmployerFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


def test_bits_count_half_years_from_2020():
    assert patrol.half_index(dt.date(2020, 1, 1)) == 0
    assert patrol.half_index(dt.date(2020, 6, 30)) == 0
    assert patrol.half_index(dt.date(2020, 7, 1)) == 1
    assert patrol.half_index(dt.date(2025, 12, 31)) == 11
    assert patrol.half_index(dt.date(2019, 12, 31)) is None
    assert patrol.half_index(dt.date(2051, 1, 1)) is None
    assert patrol.half_index(dt.date(2050, 12, 31)) == 61  # the last bit: the mask stays positive


def test_the_bit_follows_the_local_date_not_utc():
    # 2025-07-01 00:30 in Guizhou is still 2025-06-30 in UTC: it belongs to the second half.
    assert patrol.bit_of(local(2025, 7, 1, 0, 30)) == 1 << 11
    assert patrol.bit_of(local(2025, 6, 30, 23, 59)) == 1 << 10
    assert patrol.bit_of(dt.datetime(2019, 5, 1, tzinfo=dt.UTC)) == 0


def test_periods_of_whole_half_years_have_a_mask_and_others_do_not():
    assert patrol.period_mask(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == 0b11 << 10
    assert patrol.period_mask(dt.date(2025, 7, 1), dt.date(2025, 12, 31)) == 1 << 11
    assert patrol.period_mask(dt.date(2024, 7, 1), dt.date(2025, 6, 30)) == 0b11 << 9
    assert patrol.period_mask(dt.date(2025, 3, 1), dt.date(2025, 12, 31)) is None
    assert patrol.period_mask(dt.date(2025, 1, 1), dt.date(2025, 11, 30)) is None
    assert patrol.period_mask(dt.date(2019, 1, 1), dt.date(2019, 12, 31)) is None


@pytest.mark.django_db
def test_submitting_sets_the_half_year_and_an_amendment_moves_it(personas, fubiao1, employer):
    first = payload(employer, fubiao1, inspected_at=local(2026, 3, 5))
    inspection = actions.submit_inspection(personas.xieguan, first).inspection
    employer.refresh_from_db()
    assert employer.inspected_halves == 1 << 12
    assert employer.last_inspected_on == dt.date(2026, 3, 5)

    later = payload(employer, fubiao1, inspected_at=local(2026, 8, 1))
    actions.submit_inspection(personas.xieguan, later)
    employer.refresh_from_db()
    assert employer.inspected_halves == 0b11 << 12

    # the March inspection was in fact made in last November: its half-year moves with it
    corrected = payload(employer, fubiao1, inspected_at=local(2025, 11, 20))
    stored = Inspection.objects.get(pk=inspection.pk)
    actions.amend_inspection(stored, personas.xieguan, corrected, "日期填错")
    employer.refresh_from_db()
    assert employer.inspected_halves == (1 << 11) | (1 << 13)
    assert employer.last_inspected_on == dt.date(2026, 8, 1)


@pytest.mark.django_db
def test_refresh_recomputes_from_the_submitted_inspections_only(personas, fubiao1, employer):
    actions.save_draft(personas.xieguan, payload(employer, fubiao1, inspected_at=local(2025, 2, 1)))
    stale = {"inspected_halves": 0b1111, "last_inspected_on": dt.date(2021, 1, 1)}
    Employer.objects.filter(pk=employer.pk).update(**stale)
    patrol.refresh([employer.pk])
    employer.refresh_from_db()
    assert (employer.inspected_halves, employer.last_inspected_on) == (0, None)  # a draft is no patrol


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.dates(dt.date(2023, 1, 1), dt.date(2026, 11, 1)), max_size=6),
    bounds=st.tuples(st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)), st.integers(0, 800)),
)
def test_the_mask_answers_as_the_inspections_do(personas, fubiao1, employer, days, bounds):
    """For every period the mask answers, its answer equals looking at the inspections."""
    employer = EmployerFactory.create(region_id=employer.region_id)  # a fresh one per example
    for day in days:
        when = local(day.year, day.month, day.day)
        actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, inspected_at=when))
    start, length = bounds
    periods = [year(start.year), half_year(start.year, 1 if start.month <= 6 else 2)]
    periods.append(date_range(start, start + dt.timedelta(days=length)))
    for period in periods:
        by_mask = Employer.objects.filter(pk=employer.pk).filter(inspected_in(period, by="employer")).exists()
        by_rows = Inspection.objects.filter(submitted_in(period), employer=employer).exists()
        assert by_mask == by_rows, (period.key, days)
    employer.refresh_from_db()
    assert employer.last_inspected_on == (max(days) if days else None)
