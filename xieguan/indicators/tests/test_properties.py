"""Properties of the indicator arithmetic on random data (hypothesis).

- a region's counts are the sums of its children's (grouping by code prefix loses nothing
  and counts nothing twice), and each child's grouped count equals that child's own total;
- rates stay within 0-100% (the numerator is a subset of the denominator).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieguan.accounts.models import Role, User
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.indicators import periods
from xieguan.indicators.registry import Counts, all_indicators
from xieguan.indicators.tests.factories import TemplateFactory, at
from xieguan.inspections import patrol
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.leads.models import Lead, LeadSource, LeadType
from xieguan.outreach.models import PublicityEvent, PublicityKind
from xieguan.personnel.models import Dismissal, DismissalGround
from xieguan.personnel.tests.factories import AssistantFactory, appointed

pytestmark = pytest.mark.django_db

COUNTY = "520281"
PLACES = ["520281117", "520281117001", "520281117002", "520281104", "520281104001", "520281105"]
TOWNSHIPS = ["520281117", "520281104", "520281105"]
PERIODS = [periods.year(2025), periods.half_year(2024, 2), periods.parse_period("2025-03-01~2025-10-31")]

days = st.integers(min_value=0, max_value=800).map(
    lambda n: at(2024, 1, 1) + dt.timedelta(days=n, hours=n % 13)
)

employers = st.lists(
    st.tuples(
        st.sampled_from(PLACES),
        st.booleans(),  # registered
        st.booleans(),  # is_key
        st.sampled_from(list(OperatingStatus)),
        days,  # created_at
        st.integers(0, 600),  # days open before closing, when closed
    ),
    max_size=8,
)
# township, login account, first term start, its length, gap before a renewal (None: none),
# days after the start of a dismissal (None: none)
assistants = st.lists(
    st.tuples(
        st.sampled_from(TOWNSHIPS),
        st.booleans(),
        days.map(lambda d: d.date()),
        st.integers(30, 500),
        st.one_of(st.none(), st.integers(0, 60)),
        st.one_of(st.none(), st.integers(0, 700)),
    ),
    max_size=4,
)
inspections = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 3), days, st.booleans(), st.booleans()), max_size=12
)
leads = st.lists(
    st.tuples(st.sampled_from(PLACES), days, st.one_of(st.none(), st.integers(0, 6))), max_size=6
)
events = st.lists(st.tuples(st.sampled_from(TOWNSHIPS), days.map(lambda d: d.date())), max_size=4)


def populate(data: dict[str, Any], recorder: User) -> None:
    made = [
        Employer.objects.create(
            name=f"单位{i}",
            name_key=f"单位{i}",
            region_id=place,
            township_id=place[:9],
            registered=registered,
            is_key=is_key,
            status=status,
            created_at=created,
            closed_on=(created + dt.timedelta(days=open_days)).date()
            if status == OperatingStatus.CLOSED
            else None,
        )
        for i, (place, registered, is_key, status, created, open_days) in enumerate(data["employers"])
    ]
    people = []
    for i, (township, account, start, length, gap, dismissed) in enumerate(data["assistants"]):
        user = User.objects.create(
            username=f"p{i}", role=Role.ASSISTANT, region_id=township, date_joined=at(2023, 1, 1)
        )
        people.append(user)
        person = AssistantFactory.create(township_id=township, user=user if account else None)
        end = start + dt.timedelta(days=length)
        appointed(person, start=start, end=end, by=recorder)
        if gap is not None:
            renewal = end + dt.timedelta(days=1 + gap)
            appointed(person, start=renewal, end=renewal + dt.timedelta(days=length), by=recorder)
        if dismissed is not None:
            Dismissal.objects.create(
                assistant=person,
                ground=DismissalGround.HEALTH,
                dismissed_on=start + dt.timedelta(days=dismissed),
                document_no="x",
                created_by=recorder,
            )
    template = TemplateFactory.create()
    for e, a, when, submitted, complete in data["inspections"]:
        if not made or not people:
            break
        employer, assistant = made[e % len(made)], people[a % len(people)]
        Inspection.objects.create(
            template=template,
            employer=employer,
            region_id=employer.region_id,
            assistant=assistant,
            employer_name=employer.name,
            inspected_at=when,
            status=InspectionStatus.SUBMITTED if submitted else InspectionStatus.DRAFT,
            complete=complete,
        )
    patrol.refresh(e.pk for e in made)  # as the inspection actions keep it
    patrol.refresh_assistants(p.pk for p in people)
    for place, when, delay in data["leads"]:
        Lead.objects.create(
            region_id=place,
            lead_type=LeadType.ABNORMAL,
            source=LeadSource.DIRECT,
            description="x",
            discovered_at=when,
            discovered_by=recorder,
            report_due_at=when + dt.timedelta(days=2),
            reported_at=None if delay is None else when + dt.timedelta(days=delay),
        )
    for township, day in data["events"]:
        PublicityEvent.objects.create(
            region_id=township, held_on=day, kind=PublicityKind.LAW, topic="t", recorded_by=recorder
        )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.fixed_dictionaries(
        {
            "employers": employers,
            "assistants": assistants,
            "inspections": inspections,
            "leads": leads,
            "events": events,
        }
    )
)
def test_a_region_is_the_sum_of_its_children_and_rates_stay_in_range(frozen, personas, data):
    with transaction.atomic():
        populate(data, personas.panzhou)
        for period in PERIODS:
            for indicator in all_indicators():
                grouped = indicator.counts(COUNTY, period, child_length=9)
                total = indicator.total(COUNTY, period)
                summed = sum(grouped.values(), Counts())
                assert (summed.numerator, summed.denominator) == (total.numerator, total.denominator)
                assert {k: summed.extras.get(k, 0) for k in total.extras} == total.extras
                for township in TOWNSHIPS:
                    own = indicator.total(township, period)
                    got = grouped.get(township, Counts())
                    assert (got.numerator, got.denominator) == (own.numerator, own.denominator)
                for counts in [total, *grouped.values()]:
                    assert 0 <= counts.numerator <= counts.denominator
                    assert counts.rate is None or 0 <= counts.rate <= 100
                    assert all(0 <= n <= counts.denominator for n in counts.extras.values())
        transaction.set_rollback(True)
