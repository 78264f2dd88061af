"""AssistantHalf (issue 16 item 2): the assistants' submitted inspections per half-year, kept by
the inspection actions, read by the patrol rate, and checked against the inspections
(``manage.py checkindicators``)."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieguan.accounts.models import User
from xieguan.employers.models import Employer
from xieguan.indicators.periods import date_range, half_year, year
from xieguan.indicators.registry import indicator
from xieguan.indicators.sources import inspected_in, submitted_in
from xieguan.inspections import actions, patrol
from xieguan.inspections.models import AssistantHalf, Inspection
from xieguan.inspections.tests.factories import payload
from xieguan.lib.testing import COUNTY, TOWNSHIP, EmployerFactory
from xieguan.personnel.tests.factories import serve

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FILL = importlib.import_module("xieguan.inspections.migrations.0011_fill_assistant_halves")


def local(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def stored() -> dict[tuple[int, int], int]:
    return {(a, h): n for a, h, n in AssistantHalf.objects.values_list("assistant_id", "half", "inspections")}


def live() -> dict[tuple[int, int], int]:
    return patrol.live_assistant_halves(Inspection.objects.all())


def submit(user, employer, template, when):
    return actions.submit_inspection(user, payload(employer, template, inspected_at=when)).inspection


def test_the_actions_keep_the_counts_that_the_inspections_give(personas, fubiao1, employer):
    first = submit(personas.xieguan, employer, fubiao1, local(2025, 3, 5))
    submit(personas.xieguan, employer, fubiao1, local(2025, 5, 1))
    submit(personas.xieguan, employer, fubiao1, local(2025, 7, 1, 0))  # local midnight: second half
    actions.save_draft(personas.xieguan, payload(employer, fubiao1, inspected_at=local(2025, 9, 1)))
    xieguan = personas.xieguan.pk
    assert stored() == live() == {(xieguan, 10): 2, (xieguan, 11): 1}  # a draft is no patrol

    # an amendment moves the March visit to last year: both half-years follow
    corrected = payload(employer, fubiao1, inspected_at=local(2024, 11, 20))
    actions.amend_inspection(Inspection.objects.get(pk=first.pk), personas.xieguan, corrected, "日期填错")
    assert stored() == live() == {(xieguan, 9): 1, (xieguan, 10): 1, (xieguan, 11): 1}
    assert patrol.assistant_differences() == []

    # submitting the same inspection again (the phone retrying) counts nothing twice
    again = payload(employer, fubiao1, inspected_at=local(2025, 5, 1))
    again.id = Inspection.objects.get(inspected_at=local(2025, 5, 1)).pk
    assert actions.submit_inspection(personas.xieguan, again).created is False
    assert stored() == live()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.dates(dt.date(2023, 1, 1), dt.date(2025, 11, 1)), max_size=5),
    bounds=st.tuples(st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)), st.integers(0, 800)),
)
def test_the_stored_halves_answer_as_the_inspections_do(personas, fubiao1, employer, days, bounds):
    """For every period, "the assistant inspected in it" read from AssistantHalf equals looking
    at the inspections themselves (and periods that cut a half-year look at the inspections)."""
    n = User.objects.count()
    assistant = User.objects.create(username=f"h{n}", full_name="巡查", role="assistant", region_id=TOWNSHIP)
    for day in days:
        submit(assistant, employer, fubiao1, local(day.year, day.month, day.day))
    start, length = bounds
    periods = [year(start.year), half_year(start.year, 1 if start.month <= 6 else 2)]
    periods.append(date_range(start, start + dt.timedelta(days=length)))
    for period in periods:
        account = User.objects.filter(pk=assistant.pk)
        by_stored = account.filter(inspected_in(period, by="assistant")).exists()
        by_rows = Inspection.objects.filter(submitted_in(period), assistant=assistant).exists()
        assert by_stored == by_rows, (period.key, days)
    assert stored() == live()


def test_the_migration_fills_the_table_from_the_inspections(personas, fubiao1, employer, other_employer):
    submit(personas.xieguan, employer, fubiao1, local(2024, 3, 5))
    submit(personas.xieguan, employer, fubiao1, local(2025, 9, 5))
    submit(personas.xieguan2, other_employer, fubiao1, local(2025, 10, 5))
    expected = stored()
    AssistantHalf.objects.all().delete()  # as before the migration
    FILL.fill(django_apps, None)
    assert stored() == expected == live() and len(expected) == 3


@pytest.fixture
def patrolled(personas, fubiao1, employer):
    """xieguan (in service since 2020) inspected in both halves of 2025; A2 in the first only."""
    a2 = User.objects.create(username="a2", full_name="柏果二号", role="assistant", region_id=TOWNSHIP)
    serve(personas.xieguan, TOWNSHIP, 2020, 2027, personas.panzhou)
    serve(a2, TOWNSHIP, 2020, 2027, personas.panzhou)
    submit(personas.xieguan, employer, fubiao1, local(2025, 3, 5))
    submit(personas.xieguan, employer, fubiao1, local(2025, 9, 5))
    submit(a2, employer, fubiao1, local(2025, 4, 5))
    return a2


def _patrol_2025():
    counts = indicator("assistant_patrol").total(COUNTY, year(2025))
    return counts.numerator, counts.denominator


def test_checkindicators_finds_and_repairs_a_stale_table(patrolled, personas, employer):
    assert _patrol_2025() == (1, 2)
    out = StringIO()
    call_command("checkindicators", stdout=out)
    # a clean run says how much it checked: one employer, two accounts' three half-years
    assert "一致：核对用人单位 1 个、协管员账号 2 个的半年巡查记录 3 条，均与巡查记录相符。" in out.getvalue()

    # a stale summary: A2's first half lost, xieguan credited with a second half of 2024
    AssistantHalf.objects.filter(assistant=patrolled).delete()
    AssistantHalf.objects.create(assistant=personas.xieguan, half=9, inspections=4)
    Employer.objects.filter(pk=employer.pk).update(
        inspected_halves=1 << 8, last_inspected_on=dt.date(2020, 1, 1)
    )
    out = StringIO()
    with pytest.raises(CommandError, match="其中用人单位 1 个、协管员半年记录 2 条与巡查记录不符"):
        call_command("checkindicators", "--region", COUNTY, stdout=out)
    text = out.getvalue()
    place = f"六盘水市盘州市柏果镇{employer.region.name} {employer.region_id}"
    assert (
        f"用人单位「贵州盘州测试煤矿有限公司」（{place}，id {employer.pk}）："
        "巡查半年 漏记 2025年上半年、2025年下半年，多记 2024年上半年；"
        "最近巡查日期 已存 2020-01-01，按巡查记录应为 2025-09-05"
    ) in text
    a2 = f"协管员 柏果二号（账号 a2，六盘水市盘州市柏果镇 {TOWNSHIP}，id {patrolled.pk}）"
    assert a2 + "2025年上半年：已存 0 次巡查，按巡查记录应为 1 次" in text
    assert (
        f"（账号 {personas.xieguan.username}，" in text
        and "2024年下半年：已存 4 次巡查，按巡查记录应为 0 次" in text
    )
    assert "datetime" not in text and "个半年" not in text  # no Python reprs, no half-year numbers

    # --fix repairs, checks again and exits 0
    out = StringIO()
    call_command("checkindicators", "--region", COUNTY, "--fix", stdout=out)
    assert (
        "已按巡查记录修正（盘州市 520281）：用人单位 1 个、协管员半年记录 2 条；复查一致。" in out.getvalue()
    )
    call_command("checkindicators", stdout=StringIO())  # exit 0: everything agrees again
    assert stored() == live()
    assert _patrol_2025() == (1, 2)


def test_checkindicators_fix_exits_1_when_a_difference_remains(patrolled, monkeypatch):
    AssistantHalf.objects.filter(assistant=patrolled).delete()
    monkeypatch.setattr(patrol, "fix_assistants", lambda differences: None)  # a repair that does not hold
    out = StringIO()
    with pytest.raises(CommandError, match="复查仍有用人单位 0 个、协管员半年记录 1 条不符"):
        call_command("checkindicators", "--fix", stdout=out)
    assert out.getvalue().count("2025年上半年：已存 0 次巡查") == 2  # before and after the repair


def test_checkindicators_limits_itself_to_a_region(patrolled, personas, other_employer, fubiao1):
    submit(personas.xieguan2, other_employer, fubiao1, local(2025, 10, 5))
    AssistantHalf.objects.filter(assistant=personas.xieguan2).delete()  # 六枝特区: stale
    call_command("checkindicators", "--region", COUNTY, stdout=StringIO())  # 盘州市 agrees
    with pytest.raises(CommandError):
        call_command("checkindicators", "--region", "520203", stdout=StringIO())
    with pytest.raises(CommandError, match="没有区划代码"):
        call_command("checkindicators", "--region", "999999", stdout=StringIO())


def test_the_patrol_rate_reads_the_table_not_the_inspections(patrolled, django_assert_num_queries):
    """One query whatever the years of inspections, and it follows the stored rows."""
    with django_assert_num_queries(1):
        assert _patrol_2025() == (1, 2)
    AssistantHalf.objects.create(assistant=patrolled, half=11, inspections=1)  # as if A2 did H2 too
    assert _patrol_2025() == (2, 2)


def test_an_employer_in_its_own_scope_is_checked_too(personas, fubiao1):
    employer = EmployerFactory.create(region_id=TOWNSHIP + "001")
    submit(personas.xieguan, employer, fubiao1, local(2025, 3, 5))
    assert patrol.employer_differences(Employer.objects.filter(pk=employer.pk)) == []
    Employer.objects.filter(pk=employer.pk).update(last_inspected_on=dt.date(2020, 1, 1))
    (diff,) = patrol.employer_differences(Employer.objects.filter(pk=employer.pk))
    assert diff.live == (1 << 10, dt.date(2025, 3, 5))
