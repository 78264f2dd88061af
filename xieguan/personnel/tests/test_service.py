"""The one definition of service (personnel/service.py) and every page that counts by it.

Today is 2026-09-15 (Asia/Shanghai): 2026H1 is over, 2026H2 has begun.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieguan.employers.actions import close_employer
from xieguan.employers.models import OperatingStatus
from xieguan.funding.summary import county_funding
from xieguan.indicators import periods
from xieguan.indicators.registry import Show, indicator
from xieguan.indicators.tests.factories import InspectionFactory, PublicityEventFactory, at
from xieguan.lib.testing import EmployerFactory, UserFactory
from xieguan.personnel import actions, service, staffing
from xieguan.personnel.assessment import measure
from xieguan.personnel.models import Assistant, Dismissal, DismissalGround
from xieguan.personnel.tests.factories import AssistantFactory, appointed, serve

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
COUNTY, T1, T2, T3 = "520281", "520281117", "520281104", "520281105"
H1, H2, YEAR = periods.half_year(2026, 1), periods.half_year(2026, 2), periods.year(2026)


@pytest.fixture
def today() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- the definition against a day-by-day reference (hypothesis) ------------------------------

BASE = dt.date(2025, 1, 1)
offsets = st.integers(min_value=0, max_value=700)


def served_days(terms: list[tuple[dt.date, dt.date]], dismissed: dt.date | None) -> set[dt.date]:
    """Reference: the set of days in service, counted one by one."""
    days = set()
    for start, end in terms:
        day = start
        while day <= end:
            if dismissed is None or day < dismissed:
                days.add(day)
            day += dt.timedelta(days=1)
    return days


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=offsets,
    lengths=st.lists(st.integers(1, 300), min_size=1, max_size=3),
    gaps=st.lists(st.integers(0, 3), min_size=2, max_size=2),
    dismissed=st.one_of(st.none(), offsets),
    span=st.tuples(offsets, st.integers(0, 200)),
)
def test_the_database_definition_is_the_day_by_day_reference(
    personas: Any, first: int, lengths: list[int], gaps: list[int], dismissed: int | None, span: Any
) -> None:
    """Terms back to back or with gaps of a few days, a dismissal or none: ``served_in_full``,
    ``in_service_on`` and ``in_service_during`` agree with counting the days."""
    terms: list[tuple[dt.date, dt.date]] = []
    start = BASE + dt.timedelta(days=first)
    for i, length in enumerate(lengths):
        end = start + dt.timedelta(days=length)
        terms.append((start, end))
        start = end + dt.timedelta(days=1 + (gaps[i] if i < len(gaps) else 0))
    out = None if dismissed is None else BASE + dt.timedelta(days=dismissed)
    span_start = BASE + dt.timedelta(days=span[0])
    span_end = span_start + dt.timedelta(days=span[1])
    days = served_days(terms, out)
    every = {span_start + dt.timedelta(days=n) for n in range(span[1] + 1)}
    with transaction.atomic():
        person = AssistantFactory.create()
        for s, e in terms:
            appointed(person, start=s, end=e, by=personas.panzhou)
        if out is not None:
            Dismissal.objects.create(
                assistant=person,
                ground=DismissalGround.HEALTH,
                dismissed_on=out,
                document_no="x",
                created_by=personas.panzhou,
            )
        one = Assistant.objects.filter(pk=person.pk)
        assert one.filter(service.served_in_full(span_start, span_end)).exists() == (every <= days)
        assert one.filter(service.in_service_during(span_start, span_end)).exists() == bool(every & days)
        assert one.filter(service.in_service_on(span_start)).exists() == (span_start in days)
        transaction.set_rollback(True)


# --- the rules of issue 13, each on the pages that show them ---------------------------------


def test_half_year_figures_do_not_change_after_a_later_dismissal(today, personas, client_for):
    """Dismissing someone in August leaves the first half-year's figures as they were; the
    half-year of the dismissal is shown but not counted."""
    by = personas.panzhou
    silent = serve(UserFactory(username="silent", region_id=T1), T1, 2024, 2028, by)
    serve(personas.xieguan, T1, 2024, 2028, by)
    InspectionFactory(assistant=personas.xieguan, inspected_at=at(2026, 3, 5))
    InspectionFactory(assistant=personas.xieguan, inspected_at=at(2026, 9, 1))
    patrol = indicator("assistant_patrol")

    def figures() -> list[Any]:
        out = []
        for period in (H1, YEAR):
            total = patrol.total(COUNTY, period)
            missing = sorted(patrol.rows(COUNTY, period, Show.MISSING).values_list("name", flat=True))
            out.append((period.key, total.numerator, total.denominator, missing))
        return out

    before = figures()
    h1 = before[0]
    assert h1[1:3] == (1, 2) and h1[3] == [silent.name]
    actions.dismiss_assistant(
        silent,
        ground=DismissalGround.TRANSFERRED,
        dismissed_on=dt.date(2026, 8, 10),
        document_no="盘卫〔2026〕8号",
        note="",
        by=by,
    )
    after = figures()
    assert after[0] == before[0]  # 2026H1: the same numbers and the same names
    # 2026 as a year: still due in H1 (served it in full) and still missing it
    assert after[1][1:] == (1, 2, [silent.name])
    # 2026H2: dismissed within it, so not counted there, but listed with the dates
    h2 = patrol.total(COUNTY, H2)
    assert (h2.numerator, h2.denominator) == (1, 1)
    page = client_for("panzhou").get(
        reverse("indicators:drill", args=["assistant_patrol"]), {"region": COUNTY, "period": "2026H2"}
    )
    assert [r.name for r in page.context["partly"]] == [silent.name]
    assert "2026-08-10" in page.content.decode()


def test_an_assistant_appointed_mid_half_year_is_shown_but_not_counted(today, personas, client_for):
    by = personas.panzhou
    serve(personas.xieguan, T1, 2024, 2028, by)
    late = serve(None, T1, 2026, 2029, by, start=dt.date(2026, 3, 15), name="三月新聘")
    patrol = indicator("assistant_patrol")
    assert late.pk not in set(patrol.rows(COUNTY, H1, Show.ALL).values_list("pk", flat=True))
    assert (patrol.total(COUNTY, H1).denominator, patrol.total(COUNTY, H2).denominator) == (1, 2)
    # the year: due in H2 only (served it in full so far), H1 shown as not counted
    assert late.pk in set(patrol.rows(COUNTY, YEAR, Show.ALL).values_list("pk", flat=True))
    page = client_for("panzhou").get(
        reverse("indicators:drill", args=["assistant_patrol"]), {"region": COUNTY, "period": "2026H1"}
    )
    assert page.status_code == 200
    assert [r.name for r in page.context["partly"]] == ["三月新聘"]
    body = page.content.decode()
    assert "2026-03-15" in body and "不计" in body and "无登录账号" in body
    year_page = client_for("panzhou").get(
        reverse("indicators:drill", args=["assistant_patrol"]),
        {"region": COUNTY, "period": "2026", "show": "all"},
    )
    row = next(r for r in year_page.context["page"].object_list if r.pk == late.pk)
    assert row.half_counts == [(0, False), (0, True)]


def test_an_employer_closed_in_august_still_counts_in_the_first_half_year(today, personas):
    employer = EmployerFactory.create(region_id="520281117001", created_at=at(2024, 1, 1), is_key=True)
    InspectionFactory(employer=employer, assistant=personas.xieguan, inspected_at=at(2026, 4, 1))
    keys = ("registration", "key_coverage", "employer_patrol")
    before = {key: indicator(key).total(T1, H1) for key in keys}
    close_employer(employer, reason="已注销", by=personas.panzhou, closed_on=dt.date(2026, 8, 10))
    employer.refresh_from_db()
    assert employer.status == OperatingStatus.CLOSED and employer.closed_on == dt.date(2026, 8, 10)
    for key in keys:
        after = indicator(key).total(T1, H1)
        assert after.denominator == before[key].denominator == 1, key
        if key != "registration":  # (closing re-derives the registration flag from the fields)
            assert after.numerator == before[key].numerator == 1, key
        assert employer.pk in set(indicator(key).rows(T1, YEAR, Show.ALL).values_list("pk", flat=True))
    # the year: patrolled in H1, the half-year of its closing is not counted against it
    year = indicator("employer_patrol").total(T1, YEAR)
    assert (year.numerator, year.denominator) == (1, 1)
    # a year after its closing it is gone from every denominator
    for key in keys:
        assert indicator(key).total(T1, periods.year(2027)).denominator == 0
    # the assessment's area of that year keeps it too
    person = serve(personas.xieguan, T1, 2024, 2028, personas.panzhou)
    assert measure(person, 2026).employers == 1 and measure(person, 2027).employers == 0


def test_closing_dates_are_refused_in_the_future_or_before_registration(today, personas):
    from xieguan.employers.actions import LedgerError

    employer = EmployerFactory.create(region_id="520281117001", created_at=at(2025, 5, 1))
    with pytest.raises(LedgerError):
        close_employer(employer, reason="x", by=personas.panzhou, closed_on=dt.date(2026, 9, 16))
    with pytest.raises(LedgerError):
        close_employer(employer, reason="x", by=personas.panzhou, closed_on=dt.date(2025, 4, 30))
    employer.refresh_from_db()
    assert employer.status == OperatingStatus.OPERATING and employer.closed_on is None


@pytest.fixture
def county(personas: Any) -> dict[str, Assistant]:
    """盘州市 in 2026: T1 two assistants (one with the xieguan account, one without any account),
    T2 one with an account, one dismissed in 2025 and one whose term lapsed in 2025; T3 nobody.
    """
    by = personas.panzhou
    return {
        "xieguan": serve(personas.xieguan, T1, 2024, 2028, by),
        "no_account": serve(None, T1, 2024, 2028, by, name="无账号"),
        "t2": serve(UserFactory(username="t2", region_id=T2), T2, 2024, 2028, by),
        "gone": serve(
            UserFactory(username="gone", region_id=T2, is_active=False),
            T2,
            2024,
            2028,
            by,
            dismissed_on=dt.date(2025, 10, 1),
        ),
        "lapsed": serve(UserFactory(username="lapsed", region_id=T2), T2, 2024, 2025, by),
    }


def test_the_active_counts_agree_on_every_page(today, personas, client_for, county):
    """Staffing, funding, the patrol denominator and publicity count the same people."""
    expected = {T1: 2, T2: 1, T3: 0}
    client = client_for("panzhou")
    staffing_rows = client.get(reverse("personnel:staffing")).context["rows"]
    assert {r.code: r.assistants for r in staffing_rows if r.code in expected} == expected
    (funding_row,) = [r for r in client.get(reverse("funding:index")).context["rows"] if r.code == COUNTY]
    assert funding_row.assistants == 3
    table = client.get(reverse("indicators:dashboard"), {"period": "2026"}).context["table"]
    for row in table.rows:
        if row.code not in expected:
            continue
        cells = {cell.indicator.key: cell for cell in row.cells}
        assert cells["assistant_patrol"].counts.denominator == expected[row.code]
        assert cells["publicity"].counts.denominator == int(expected[row.code] > 0)
    townships = (
        client.get(
            reverse("indicators:drill", args=["publicity"]),
            {"region": COUNTY, "period": "2026", "show": "all"},
        )
        .context["page"]
        .object_list
    )
    assert {t.code: t.active_assistants for t in townships} == {T1: 2, T2: 1}
    # the same count from the one definition
    assert Assistant.objects.within(COUNTY).in_service().count() == 3
    assert sum(r.assistants for r in staffing.townships(COUNTY)) == county_funding(COUNTY, 2026)[0].assistants


def test_an_assistant_without_a_login_account_counts_in_publicity_and_staffing(today, personas):
    serve(None, T3, 2024, 2028, personas.panzhou, name="无账号")
    rows = {r.code: r for r in staffing.townships(COUNTY)}
    assert rows[T3].assistants == 1 and not rows[T3].flagged
    publicity = indicator("publicity")
    assert publicity.total(T3, YEAR).denominator == 1
    PublicityEventFactory(region_id=T3, held_on=dt.date(2026, 5, 1), recorded_by=personas.panzhou)
    total = publicity.total(T3, YEAR)
    assert (total.numerator, total.denominator) == (1, 1)
