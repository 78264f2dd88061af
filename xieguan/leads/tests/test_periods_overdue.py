"""Period boundaries of the list filters and overdue computation, on frozen Asia/Shanghai clocks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from xieguan.leads.filters import period_bounds
from xieguan.leads.models import Importance, Lead
from xieguan.leads.tests.factories import make_lead, report

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args).replace(tzinfo=SH)


def discover(personas, when, **kwargs):
    with time_machine.travel(when, tick=False):
        return make_lead(personas, discovered_at=when, **kwargs)


def report_at(lead, personas, when):
    with time_machine.travel(when, tick=False):
        report(lead, personas, at=when)
    lead.refresh_from_db()
    return lead


def listed(client, **params):
    response = client.get(reverse("leads:list"), params)
    assert response.status_code == 200
    return {lead.pk for lead in response.context["page"].object_list}


@pytest.fixture
def boundary(personas):
    """Leads on both sides of midnight 30 June / 1 July (local), one of them reported late."""
    last_h1 = discover(personas, at(2025, 6, 30, 23, 30), importance=Importance.IMPORTANT)  # due 01:30
    report_at(last_h1, personas, at(2025, 7, 1, 1, 31))  # a minute late
    ordinary = discover(personas, at(2025, 6, 30, 23, 30))  # due 2 July 23:30
    report_at(ordinary, personas, at(2025, 7, 1, 0, 20))
    first_h2 = discover(personas, at(2025, 7, 1, 0, 10))  # 30 June 16:10 UTC: still June in UTC
    first_h1 = discover(personas, at(2025, 1, 1, 0, 0))
    last_year = discover(personas, at(2024, 12, 31, 23, 59))
    return {
        "last_h1": last_h1,
        "ordinary": ordinary,
        "first_h2": first_h2,
        "first_h1": first_h1,
        "last_year": last_year,
    }


def test_first_half_is_local_days_inclusive(client_for, boundary):
    client = client_for("panzhou")
    b = boundary
    h1 = {b["last_h1"].pk, b["ordinary"].pk, b["first_h1"].pk}
    with time_machine.travel(at(2025, 7, 10, 9, 0), tick=False):
        assert listed(client, discovered_from="2025-01-01", discovered_to="2025-06-30") == h1
        assert listed(client, period="2025H1") == h1
        assert listed(client, period="2025h2") == {b["first_h2"].pk}
        assert listed(client, period="2025-06") == {b["last_h1"].pk, b["ordinary"].pk}
        assert listed(client, period="2024") == {b["last_year"].pk}
        assert listed(client, discovered_from="2025-07-01") == {b["first_h2"].pk}
        assert listed(client, discovered_to="2024-12-31") == {b["last_year"].pk}


def test_discovered_in_h1_reported_in_july_counts_for_h1(client_for, boundary):
    client = client_for("panzhou")
    b = boundary
    with time_machine.travel(at(2025, 7, 10, 9, 0), tick=False):
        assert listed(client, period="2025H1", reported="yes") == {b["last_h1"].pk, b["ordinary"].pk}
        assert listed(client, period="2025H1", reported="no") == {b["first_h1"].pk}
        # The important one was reported at 01:31, one minute after its 01:30 deadline.
        assert listed(client, period="2025H1", on_time="1") == {b["ordinary"].pk}
        assert listed(client, period="2025H1", overdue="1") == {b["last_h1"].pk, b["first_h1"].pk}
        assert listed(client, period="2025H1", reported="yes", overdue="1") == {b["last_h1"].pk}
        assert listed(client, period="2025H1", overdue="0") == {b["ordinary"].pk}


def test_overdue_is_strictly_after_the_deadline(personas):
    lead = discover(personas, at(2025, 6, 30, 23, 30), importance=Importance.IMPORTANT)
    assert lead.report_due_at == at(2025, 7, 1, 1, 30)
    for moment, overdue in [
        (at(2025, 7, 1, 1, 29, 59), False),
        (at(2025, 7, 1, 1, 30, 0), False),
        (at(2025, 7, 1, 1, 30, 1), True),
    ]:
        with time_machine.travel(moment, tick=False):
            assert lead.is_overdue is overdue, moment
            assert Lead.objects.overdue().filter(pk=lead.pk).exists() is overdue
            assert Lead.objects.overdue_unreported().filter(pk=lead.pk).exists() is overdue


def test_reported_exactly_at_the_deadline_is_on_time(personas):
    lead = discover(personas, at(2025, 12, 31, 22, 0))  # ordinary: due 2 Jan 2026 22:00
    assert lead.report_due_at == at(2026, 1, 2, 22, 0)
    report_at(lead, personas, at(2026, 1, 2, 22, 0))
    with time_machine.travel(at(2026, 3, 1), tick=False):
        assert lead.is_on_time and not lead.is_overdue
        assert Lead.objects.on_time().filter(pk=lead.pk).exists()
        assert not Lead.objects.overdue().filter(pk=lead.pk).exists()


def test_ordinary_deadline_is_48_hours_across_month_and_year(personas):
    lead = discover(personas, at(2025, 12, 31, 23, 59))
    assert lead.report_due_at == at(2026, 1, 2, 23, 59)
    with time_machine.travel(at(2026, 1, 2, 23, 58, 59), tick=False):
        assert not lead.is_overdue
    with time_machine.travel(at(2026, 1, 2, 23, 59, 1), tick=False):
        assert lead.is_overdue


def test_overdue_filter_uses_the_clock(client_for, personas):
    lead = discover(personas, at(2025, 3, 1, 8, 0), importance=Importance.IMPORTANT)
    client = client_for("xieguan")
    with time_machine.travel(at(2025, 3, 1, 9, 59), tick=False):
        assert lead.pk not in listed(client, overdue="1")
        assert lead.pk in listed(client, overdue="0")
    with time_machine.travel(at(2025, 3, 1, 10, 1), tick=False):
        assert lead.pk in listed(client, overdue="1")


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2025", (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        ("2025H1", (dt.date(2025, 1, 1), dt.date(2025, 6, 30))),
        ("2025H2", (dt.date(2025, 7, 1), dt.date(2025, 12, 31))),
        ("2024Q1", (dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
        ("2024-02", (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        ("2025-13", None),
        ("H1", None),
    ],
)
def test_period_bounds(text, bounds):
    assert period_bounds(text) == bounds


def test_bad_filters_are_reported_not_applied(client_for, personas):
    make_lead(personas)
    response = client_for("xieguan").get(
        reverse("leads:list"), {"period": "半年", "discovered_from": "2025-02-30"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "期间格式应为" in body and "以上条件未生效" in body
    assert response.context["page"].paginator.count == 1


def test_the_reporting_indicator_drills_down_to_exactly_these_lists(client_for, boundary):
    """The indicators module computes the rate; its links land on this list with the same leads."""
    from xieguan.indicators.periods import half_year
    from xieguan.indicators.registry import indicator

    reporting = indicator("reporting")
    client = client_for("panzhou")
    period = half_year(2025, 1)
    with time_machine.travel(at(2025, 7, 10, 9, 0), tick=False):
        counts = reporting.total("520281", period)
        assert (counts.numerator, counts.denominator, counts.extras) == (2, 3, {"on_time": 1, "overdue": 2})
        for show, expected in [("ok", 2), ("missing", 1), ("overdue", 2), ("all", 3)]:
            url = reporting.list_url("520281", period, show)
            response = client.get(url)
            assert response.status_code == 200, url
            rows = {lead.pk for lead in response.context["page"].object_list}
            assert rows == {lead.pk for lead in reporting.rows("520281", period, show)}, show
            assert len(rows) == expected, show
