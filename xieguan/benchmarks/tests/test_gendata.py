"""gendata --scale small: counts, derived fields as the domain actions store them, reproducibility."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import itertools
from collections import Counter, defaultdict
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from xieguan.accounts.models import Role, User
from xieguan.benchmarks.generator import SCALES
from xieguan.benchmarks.models import GeneratedDataset
from xieguan.employers.actions import compute_is_key, compute_missing_fields
from xieguan.employers.models import Employer
from xieguan.inspections import patrol
from xieguan.inspections.models import (
    Answer,
    AssistantHalf,
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    ItemKind,
)
from xieguan.leads.actions import report_due_at
from xieguan.leads.models import (
    AssistRequest,
    AssistStatus,
    Complaint,
    EventKind,
    Handling,
    Lead,
    LeadSource,
    LeadStatus,
    ReportingPolicy,
)
from xieguan.lib.validators import clean_credit_code, clean_id_number, clean_phone
from xieguan.outreach.models import PublicityEvent
from xieguan.personnel.models import Assistant, AssistantStatus, TrainingRecord
from xieguan.regions.models import Region

TODAY = dt.date(2026, 5, 20)
COUNTY = SCALES["small"].counties[0]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def code_lists(regions: None) -> None:
    """The hazard categories and industry codes (a data migration; the suite runs --no-migrations)."""
    from django.apps import apps

    importlib.import_module("xieguan.employers.migrations.0002_code_lists").load(apps, None)


def generate(seed: int = 7, reset: bool = False) -> None:
    # Tests run with DEBUG=false, where gendata wants --force (it refuses production by default).
    call_command("gendata", scale="small", seed=seed, today=TODAY, reset=reset, force=True, stdout=StringIO())


def digest() -> str:
    rows = [
        *Employer.objects.order_by("id").values_list("name", "region_id", "industry", "registered"),
        *Inspection.objects.order_by("id").values_list(
            "id", "employer__name", "inspected_at", "findings_count"
        ),
        *Lead.objects.order_by("id").values_list("description", "discovered_at", "reported_at", "status"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_small_scale_counts_and_records(regions: None) -> None:
    generate()
    dataset = GeneratedDataset.objects.get()
    assert (dataset.scale, dataset.seed, dataset.today) == ("small", 7, TODAY)
    assert Employer.objects.count() == SCALES["small"].employers == dataset.counts["employers_employer"]
    assert set(Employer.objects.values_list("township__parent_id", flat=True)) == {COUNTY}
    townships = set(Region.objects.filter(parent_id=COUNTY).values_list("code", flat=True))
    active = User.objects.filter(role=Role.ASSISTANT, is_active=True)
    per_township = Counter(active.values_list("region_id", flat=True))
    assert set(per_township) == townships  # every township has an assistant
    assert set(per_township.values()) <= {1, 2}
    assert User.objects.filter(role=Role.COUNTY_ADMIN, region_id=COUNTY).count() == 1
    assert User.objects.filter(role=Role.OFFICER, region_id=COUNTY, agency__isnull=False).count() == 2
    # Five years of about two inspections per employer and year, seven answers each.
    submitted = Inspection.objects.filter(status=InspectionStatus.SUBMITTED)
    assert 6 * Employer.objects.count() <= submitted.count() <= 12 * Employer.objects.count()
    template = ChecklistTemplate.objects.get(is_active=True)
    assert InspectionAnswer.objects.filter(inspection__status=InspectionStatus.SUBMITTED).count() == (
        submitted.count() * template.items.count()
    )
    years = {timezone.localtime(at).year for at in submitted.values_list("inspected_at", flat=True)}
    assert years == set(range(TODAY.year - 4, TODAY.year + 1))
    assert Complaint.objects.exists() and PublicityEvent.objects.exists() and TrainingRecord.objects.exists()
    # Identifiers are valid by the project's own validators.
    for employer in Employer.objects.all():
        if employer.credit_code:
            assert clean_credit_code(employer.credit_code) == employer.credit_code
        if employer.phone:
            clean_phone(employer.phone)
    for assistant in Assistant.objects.all():
        assert clean_id_number(assistant.id_number) == assistant.id_number
        assert assistant.status in {AssistantStatus.APPOINTED, AssistantStatus.DISMISSED}
        assert assistant.user is not None and assistant.user.is_active == (
            assistant.status == AssistantStatus.APPOINTED
        )
    assert set(
        Assistant.objects.filter(status=AssistantStatus.APPOINTED).values_list("pk", flat=True)
    ) == set(Assistant.objects.in_service(TODAY).values_list("pk", flat=True))


def test_derived_fields_are_what_the_actions_store(regions: None) -> None:
    generate()
    last: dict[int, dt.date] = {}
    halves: dict[int, int] = {}
    for employer_id, at in Inspection.objects.filter(status=InspectionStatus.SUBMITTED).values_list(
        "employer_id", "inspected_at"
    ):
        day = timezone.localdate(at)
        last[employer_id] = max(last.get(employer_id, day), day)
        halves[employer_id] = halves.get(employer_id, 0) | patrol.bit_of(at)
    for e in Employer.objects.prefetch_related("hazard_categories"):
        # The employers app's own rules (employers.actions.refresh_derived).
        assert e.township_id == e.region_id[:9]
        assert e.missing_fields == compute_missing_fields(e, e.hazard_categories.all())
        assert e.registered == (not e.missing_fields)
        assert e.is_key == compute_is_key(e)
        assert e.last_inspected_on == last.get(e.pk)
        assert e.inspected_halves == halves.get(e.pk, 0)  # inspections.patrol
    employers_count = Employer.objects.count()
    assert 0 < Employer.objects.filter(registered=False).count() < employers_count * 0.2
    assert 0 < Employer.objects.filter(is_key=True).count() < employers_count

    items = {i.pk: i for i in ChecklistTemplate.objects.get(is_active=True).items.all()}
    answers: dict[object, list[InspectionAnswer]] = defaultdict(list)
    for answer in InspectionAnswer.objects.all():
        answers[answer.inspection_id].append(answer)
    employers = {e.pk: e for e in Employer.objects.all()}
    for inspection in Inspection.objects.all():
        mine = answers[inspection.pk]
        for a in mine:
            item = items[a.item_id]
            expected = a.answer == (Answer.NO if item.kind == ItemKind.DOCUMENT else Answer.YES)
            assert a.is_finding == expected
            if a.answer == Answer.NOT_APPLICABLE:
                assert item.na_rule != "never" and not employers[inspection.employer_id].construction_project
        assert inspection.region_id == employers[inspection.employer_id].region_id
        if inspection.status == InspectionStatus.SUBMITTED:
            assert inspection.submitted_at is not None and inspection.submitted_at >= inspection.inspected_at
            assert inspection.findings_count == sum(a.is_finding for a in mine)
            assert inspection.complete == bool(
                len(mine) == len(items) and inspection.companion_signature and inspection.assistant_signature
            )
        else:
            assert not inspection.complete and inspection.submitted_at is None and len(mine) < len(items)

    # One lead per finding; due times as leads.actions computes them; reporting after discovery.
    findings = InspectionAnswer.objects.filter(is_finding=True, inspection__status=InspectionStatus.SUBMITTED)
    assert Lead.objects.filter(source=LeadSource.INSPECTION).count() == findings.count()
    assert set(
        Lead.objects.filter(source=LeadSource.INSPECTION).values_list("inspection_answer_id", flat=True)
    ) == set(findings.values_list("id", flat=True))
    policy = ReportingPolicy.for_region("52")
    statuses: Counter[str] = Counter()
    for lead in Lead.objects.all():
        assert lead.report_due_at == report_due_at(
            lead.discovered_at, lead.importance, lead.region_id, policy
        )
        assert (lead.reported_at is None) == (lead.status == LeadStatus.DISCOVERED)
        statuses["late" if lead.reported_at and lead.reported_at > lead.report_due_at else lead.status] += 1
    assert statuses["late"] and statuses[LeadStatus.DISCOVERED] and statuses[LeadStatus.CLOSED]
    # The officer's steps as leads.actions allows them.
    assert not Lead.objects.filter(acknowledged_at__isnull=False, acknowledged_by__isnull=True).exists()
    assert not Lead.objects.filter(
        handling=Handling.ENFORCEMENT, status=LeadStatus.CLOSED, officer_action=""
    ).exists()
    assert not Lead.objects.filter(handling=Handling.NO_ACTION).exclude(officer_action="").exists()
    assert not Lead.objects.filter(handling=Handling.NO_ACTION, handling_reason="").exists()
    assert not Lead.objects.filter(status=LeadStatus.CLOSED, assists__status=AssistStatus.REQUESTED).exists()
    assert (
        AssistRequest.objects.filter(lead__handling=Handling.ASSIST).count()
        == AssistRequest.objects.count()
        > 0
    )
    for lead in Lead.objects.prefetch_related("events"):
        kinds = [e.kind for e in lead.events.all()]
        assert kinds[0] == EventKind.DISCOVERED and kinds.count(EventKind.DISCOVERED) == 1
        assert (EventKind.REPORTED in kinds) == (lead.reported_at is not None)
        assert (EventKind.CLOSED in kinds) == (lead.status == LeadStatus.CLOSED)
    assert Complaint.objects.filter(lead__isnull=True).count() == 0


def test_stored_states_are_those_the_actions_can_produce(regions: None) -> None:
    """Compare gendata's rows with the domain actions' own rules: a submitted inspection passes
    submit_inspection's checks; a closed employer has the closing date its history gives (the
    migration's backfill rule) and no visit from then on; an assistant's terms and account are
    what personnel.actions keep, and they inspect only while in service."""
    from django.db import transaction

    from xieguan.inspections.actions import AnswerData, InspectionData, important_by_default, self_check
    from xieguan.personnel.actions import _sync_account
    from xieguan.personnel.models import Appointment, Dismissal

    generate()
    template = ChecklistTemplate.objects.get(is_active=True)
    items = list(template.items.all())
    numbers = {i.pk: i.number for i in items}
    answers: dict[object, list[AnswerData]] = defaultdict(list)
    defaults = {i.pk: important_by_default(i) for i in items}
    for inspection_id, item_id, answer, finding, important in InspectionAnswer.objects.values_list(
        "inspection_id", "item_id", "answer", "is_finding", "important"
    ):
        answers[inspection_id].append(AnswerData(numbers[item_id], answer))
        assert important == (finding and defaults[item_id])  # no mark given: a finding's default
    employers = {e.pk: e for e in Employer.objects.all()}
    submitted = Inspection.objects.filter(status=InspectionStatus.SUBMITTED)
    with time_machine.travel(
        dt.datetime.combine(TODAY, dt.time(23, 0), tzinfo=timezone.get_default_timezone())
    ):
        for i in submitted:
            data = InspectionData(
                id=i.id,
                employer=employers[i.employer_id],
                template=template,
                employer_name=i.employer_name,
                phone=i.phone,
                inspected_at=i.inspected_at,
                accompanying_person=i.accompanying_person,
                answers=answers[i.pk],
            )
            problems = self_check(
                data,
                items,
                has_companion_signature=bool(i.companion_signature),
                has_assistant_signature=bool(i.assistant_signature),
            )
            assert problems == [], (i.pk, problems)
            assert i.complete
    # Closed employers: the closing date, the "~" history record that closed them, the backfill rule.
    backfill = importlib.import_module("xieguan.employers.migrations.0008_employer_closing_date_from_history")
    closed = Employer.objects.filter(status="closed")
    assert (
        closed.exists()
        and not Employer.objects.exclude(status="closed").filter(closed_on__isnull=False).exists()
    )
    for e in closed:
        assert e.closed_on is not None
        assert timezone.localdate(e.created_at) <= e.closed_on <= TODAY
        history = list(e.history.order_by("-history_date").values_list("status", "history_date"))
        assert backfill.closing_day(history, e.created_at, e.updated_at) == e.closed_on
    last_visit = {
        pk: timezone.localdate(at)
        for pk, at in submitted.filter(employer__status="closed")
        .order_by("employer_id", "inspected_at")
        .values_list("employer_id", "inspected_at")
    }
    for pk, day in last_visit.items():
        closing = employers[pk].closed_on
        assert closing is not None and day < closing
    # Assistants: terms day after day, each at most five years, until one covers today or the dismissal.
    terms: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for aid, start, end in Appointment.objects.order_by("assistant_id", "start").values_list(
        "assistant_id", "start", "end"
    ):
        terms[aid].append((start, end))
    dismissed = dict(Dismissal.objects.values_list("assistant_id", "dismissed_on"))
    assert dismissed
    in_service: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for a in Assistant.objects.select_related("user"):
        mine = terms[a.pk]
        assert mine, a.pk
        for (_, end), (start, _) in itertools.pairwise(mine):
            assert start == end + dt.timedelta(days=1)
        assert all(end < dt.date(start.year + 5, start.month, start.day) for start, end in mine)
        out = dismissed.get(a.pk)
        assert mine[-1][1] >= (out or TODAY) > mine[0][0]
        assert out is None or out <= TODAY
        user = a.user
        assert user is not None and a.user_id is not None  # gendata's assistants all have an account
        in_service[a.user_id] = [(mine[0][0], out - dt.timedelta(days=1) if out else mine[-1][1])]
        before = (user.is_active, user.access_until)
        with transaction.atomic():
            _sync_account(a, TODAY)
            user.refresh_from_db()
            assert (user.is_active, user.access_until) == before
            transaction.set_rollback(True)
    for user_id, at in submitted.values_list("assistant_id", "inspected_at"):
        day = timezone.localdate(at)
        assert any(first <= day <= last for first, last in in_service[user_id]), (user_id, day)


def test_refuses_to_generate_twice_and_reset_reproduces(regions: None) -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("gendata", scale="small", stdout=StringIO())
    generate(seed=7)
    first = digest()
    with pytest.raises(CommandError, match="--reset"):
        generate(seed=7)
    assert GeneratedDataset.objects.count() == 1
    generate(seed=8, reset=True)
    assert digest() != first
    generate(seed=7, reset=True)
    assert digest() == first
    assert GeneratedDataset.objects.get().seed == 7


def test_assistant_halves_are_what_the_actions_store(regions: None) -> None:
    """AssistantHalf (issue 16 item 2), filled after the bulk load, agrees with the inspections."""
    generate()
    assert AssistantHalf.objects.exists()
    assert patrol.assistant_differences() == []
