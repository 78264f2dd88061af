"""记录及报告: the records indicator measures what can fail (late records), with its policy as data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from xieguan.indicators import periods
from xieguan.indicators.models import RecordingPolicy
from xieguan.indicators.registry import indicator
from xieguan.indicators.tests.factories import InspectionFactory, at
from xieguan.indicators.tests.scenario import COUNTY, T1
from xieguan.leads import actions as lead_actions
from xieguan.leads.models import ComplaintChannel, Importance, LeadSource, LeadType, ReportingPolicy
from xieguan.lib.testing import TOWNSHIP, VILLAGE, EmployerFactory
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db

YEAR = periods.year(2025)


def load_default_policy() -> None:
    """The policy the data migration installs (tests run without migrations)."""
    import importlib

    from django.apps import apps

    importlib.import_module("xieguan.indicators.migrations.0004_default_recording_policy").load(apps, None)


def records(code: str = TOWNSHIP) -> tuple[int, int]:
    total = indicator("records").total(code, YEAR)
    return total.numerator, total.denominator


def test_the_migration_installs_the_default_policy():
    load_default_policy()
    load_default_policy()  # idempotent
    policy = RecordingPolicy.objects.get()
    assert (policy.inspection_days, policy.complaint_hours) == (3, 24)


def test_a_late_inspection_record_brings_the_rate_below_100(frozen, personas):
    employer = EmployerFactory()
    InspectionFactory(employer=employer, assistant=personas.xieguan, inspected_at=at(2025, 5, 6))
    assert records() == (1, 1)
    # visited on 6 May, submitted on the 10th: more than the policy's 3 days
    InspectionFactory(
        employer=employer,
        assistant=personas.xieguan,
        inspected_at=at(2025, 5, 6),
        submitted_at=at(2025, 5, 10),
    )
    assert records() == (1, 2)
    assert indicator("records").total(TOWNSHIP, YEAR).rate == Decimal("50.0")
    # exactly on the deadline is in time
    InspectionFactory(
        employer=employer,
        assistant=personas.xieguan,
        inspected_at=at(2025, 6, 1),
        submitted_at=at(2025, 6, 4),
    )
    assert records() == (2, 3)


def test_a_draft_counts_only_once_its_deadline_has_passed(personas):
    employer = EmployerFactory()
    with time_machine.travel(at(2025, 5, 7), tick=False):
        InspectionFactory(
            employer=employer, assistant=personas.xieguan, inspected_at=at(2025, 5, 6), status="draft"
        )
        assert records() == (0, 0)  # still in time to submit
    with time_machine.travel(at(2025, 5, 10), tick=False):
        assert records() == (0, 1)  # past the 3 days: late


def test_a_late_complaint_counts(personas):
    village = Region.objects.get(code=VILLAGE)
    with time_machine.travel(at(2025, 4, 10, 15), tick=False):
        # received this morning, recorded now: in time
        lead_actions.record_complaint(
            region=village,
            recorded_by=personas.xieguan,
            channel=ComplaintChannel.PHONE,
            content="粉尘大",
            place="柏果村",
            received_at=at(2025, 4, 10, 9),
        )
        # received two days ago, only recorded now: later than 24 hours
        lead_actions.record_complaint(
            region=village,
            recorded_by=personas.xieguan,
            channel=ComplaintChannel.VISIT,
            content="噪声大",
            place="柏果村",
            received_at=at(2025, 4, 8, 9),
        )
    with time_machine.travel(at(2025, 4, 10, 16), tick=False):
        total = indicator("records").total(TOWNSHIP, YEAR)
    assert total.extras["late_complaint"] == 1
    # of the two leads the complaints became, the late one's is past its 2 days unreported
    # (late too); today's is not due yet (not judged)
    assert total.extras["late_lead"] == 1
    assert (total.numerator, total.denominator) == (1, 3)


def test_an_important_lead_reported_after_the_policys_hours_is_late(personas):
    ReportingPolicy.objects.create(important_hours=2, normal_days=2)
    village = Region.objects.get(code=VILLAGE)
    with time_machine.travel(at(2025, 3, 1, 9), tick=False):
        lead = lead_actions.discover_lead(
            region=village,
            lead_type=LeadType.SUSPECTED_PATIENT,
            source=LeadSource.DIRECT,
            description="疑似尘肺病人",
            place="柏果村",
            discovered_by=personas.xieguan,
            importance=Importance.IMPORTANT,
        )
    assert lead.report_due_at == at(2025, 3, 1, 11)
    with time_machine.travel(at(2025, 3, 1, 14), tick=False):
        lead_actions.report_lead(lead, by=personas.xieguan, method="phone", officer=personas.jiandu)
        total = indicator("records").total(TOWNSHIP, YEAR)
    assert (total.numerator, total.denominator, total.extras["late_lead"]) == (0, 1, 1)


def test_editing_the_policy_changes_the_result(scenario: Any):
    load_default_policy()
    assert records(T1) == (5, 7)
    # I3 was submitted five days after the visit: in time once the policy allows a week
    RecordingPolicy.objects.update(inspection_days=7)
    assert records(T1) == (6, 7)
    # C2 was recorded 48 hours after receipt
    RecordingPolicy.objects.update(complaint_hours=48)
    assert indicator("records").total(COUNTY, YEAR).extras["late_complaint"] == 0


def test_the_deadlines_are_whole_days_and_hours_from_the_event():
    policy = RecordingPolicy(inspection_days=3, complaint_hours=24)
    from xieguan.indicators.catalogue.records import ComplaintPart, InspectionPart

    now = at(2025, 1, 1)
    assert InspectionPart(policy, now).delta == dt.timedelta(days=3)
    assert ComplaintPart(policy, now).delta == dt.timedelta(hours=24)
