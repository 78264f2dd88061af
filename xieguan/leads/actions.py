"""Domain actions on leads (事件或线索). Views, the API and other apps call these only.

Each action is atomic, checks the transition table below before writing anything, and records a
LeadEvent (who, when, what), which the lead page shows as its timeline. A step out of order is
refused with a ``LeadRefused`` carrying a plain Chinese message; a user of the wrong role or region
gets ``PermissionDenied`` (views and the API have already answered 404 for records out of scope).

The life of a lead (SPEC §5):

    discovered --report--> reported --acknowledge--> acknowledged
        --request_assist / set_handling--> handling --record_officer_action--> handling
        --close--> closed

    discovered / reported (not yet signed for) --withdraw--> withdrawn (entered in error)
    any open state --regrade--> the same state, another importance and deadline

Signing for, handling and closing belong to the officer or agency the lead was reported to
(``Lead.is_assigned_to``); any other officer is refused (``PermissionDenied``; pages and the API
answer 404, as for a lead out of scope).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import Agency, Role, can_work
from xieguan.leads import notify
from xieguan.leads.models import (
    IMPORTANT_BY_DEFAULT,
    AbnormalKind,
    AssistPhoto,
    AssistRequest,
    AssistStatus,
    Complaint,
    ComplaintChannel,
    EventKind,
    Handling,
    Importance,
    Lead,
    LeadEvent,
    LeadPhoto,
    LeadSource,
    LeadStatus,
    LeadType,
    OfficerAction,
    ReportingPolicy,
    ReportMethod,
)
from xieguan.lib import images
from xieguan.lib.filechanges import insert_with_files
from xieguan.lib.scoping import region_in_scope
from xieguan.lib.sync import REPEAT_ATTR, UuidTaken, create_once, owned_by, stored, uuid_saved
from xieguan.regions.models import Level, Region

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from xieguan.accounts.models import User
    from xieguan.employers.models import Employer
    from xieguan.inspections.models import Inspection, InspectionAnswer
    from xieguan.regions.models import Region


class LeadRefused(ValidationError):
    """A step the lead's state does not allow, or invalid input: the message says why, in Chinese."""


def _photo_files(photos: Iterable[Any]) -> list[ContentFile[bytes]]:
    """Every photo checked and re-encoded (lib/images.py) before anything is written."""
    try:
        return images.photo_files(photos)
    except ValidationError as exc:
        raise LeadRefused(" ".join(exc.messages), code="photos") from exc


# --- the transition table ---------------------------------------------------------------------


class State(StrEnum):
    """The states of the life cycle: LeadStatus, with 'reported' split by acknowledgement."""

    DISCOVERED = "discovered"
    REPORTED = "reported"  # reported, not yet signed for by an officer
    ACKNOWLEDGED = "acknowledged"  # signed for, handling not yet decided
    HANDLING = "handling"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


STATE_LABELS: dict[State, _StrPromise] = {
    State.DISCOVERED: gettext_lazy("已发现、未报告"),
    State.REPORTED: gettext_lazy("已报告、待签收"),
    State.ACKNOWLEDGED: gettext_lazy("已签收、待确定处置方式"),
    State.HANDLING: gettext_lazy("处理中"),
    State.CLOSED: gettext_lazy("已办结"),
    State.WITHDRAWN: gettext_lazy("已撤回"),
}


class Step(StrEnum):
    REPORT = "report"
    ACKNOWLEDGE = "acknowledge"
    REQUEST_ASSIST = "request_assist"
    SET_HANDLING = "set_handling"
    OFFICER_ACTION = "officer_action"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REGRADE = "regrade"


# Steps only the officer (or agency) the lead was reported to may take.
ASSIGNED_STEPS = frozenset({"acknowledge", "request_assist", "set_handling", "officer_action", "close"})
OPEN_STATES = frozenset({State.DISCOVERED, State.REPORTED, State.ACKNOWLEDGED, State.HANDLING})


@dataclass(frozen=True)
class Transition:
    label: _StrPromise
    sources: frozenset[State]
    roles: frozenset[str]


TRANSITIONS: dict[Step, Transition] = {
    Step.REPORT: Transition(
        gettext_lazy("报告"), frozenset({State.DISCOVERED}), frozenset({Role.ASSISTANT, Role.COUNTY_ADMIN})
    ),
    Step.ACKNOWLEDGE: Transition(
        gettext_lazy("签收"), frozenset({State.REPORTED}), frozenset({Role.OFFICER})
    ),
    Step.REQUEST_ASSIST: Transition(
        gettext_lazy("发起协查"), frozenset({State.ACKNOWLEDGED, State.HANDLING}), frozenset({Role.OFFICER})
    ),
    Step.SET_HANDLING: Transition(
        gettext_lazy("确定处置方式"),
        frozenset({State.ACKNOWLEDGED, State.HANDLING}),
        frozenset({Role.OFFICER}),
    ),
    Step.OFFICER_ACTION: Transition(
        gettext_lazy("记录执法处理"), frozenset({State.HANDLING}), frozenset({Role.OFFICER})
    ),
    Step.CLOSE: Transition(gettext_lazy("办结"), frozenset({State.HANDLING}), frozenset({Role.OFFICER})),
    Step.WITHDRAW: Transition(
        gettext_lazy("撤回"),
        frozenset({State.DISCOVERED, State.REPORTED}),
        frozenset({Role.ASSISTANT, Role.COUNTY_ADMIN}),
    ),
    Step.REGRADE: Transition(
        gettext_lazy("调整重要程度"),
        OPEN_STATES,
        frozenset({Role.ASSISTANT, Role.COUNTY_ADMIN, Role.OFFICER}),
    ),
}

# Why a step is refused in a state it does not start from (the generic message otherwise).
_REFUSALS: dict[tuple[Step, State], _StrPromise] = {
    (Step.REPORT, State.REPORTED): gettext_lazy("该线索已报告，不能重复报告。"),
    (Step.REPORT, State.ACKNOWLEDGED): gettext_lazy("该线索已报告并已签收，不能重复报告。"),
    (Step.REPORT, State.HANDLING): gettext_lazy("该线索已报告、正在处理，不能重复报告。"),
    (Step.ACKNOWLEDGE, State.DISCOVERED): gettext_lazy("该线索尚未报告，不能签收。"),
    (Step.ACKNOWLEDGE, State.ACKNOWLEDGED): gettext_lazy("该线索已签收，不能重复签收。"),
    (Step.ACKNOWLEDGE, State.HANDLING): gettext_lazy("该线索已签收并在处理中，不能重复签收。"),
    (Step.REQUEST_ASSIST, State.DISCOVERED): gettext_lazy("该线索尚未报告，不能发起协查。"),
    (Step.REQUEST_ASSIST, State.REPORTED): gettext_lazy("请先签收该线索，再发起协查。"),
    (Step.SET_HANDLING, State.DISCOVERED): gettext_lazy("该线索尚未报告，不能确定处置方式。"),
    (Step.SET_HANDLING, State.REPORTED): gettext_lazy("请先签收该线索，再确定处置方式。"),
    (Step.OFFICER_ACTION, State.DISCOVERED): gettext_lazy("该线索尚未报告，不能记录执法处理。"),
    (Step.OFFICER_ACTION, State.REPORTED): gettext_lazy("请先签收该线索，再记录执法处理。"),
    (Step.OFFICER_ACTION, State.ACKNOWLEDGED): gettext_lazy(
        "请先确定处置方式（协查、查处或无需处理），再记录执法处理。"
    ),
    (Step.CLOSE, State.DISCOVERED): gettext_lazy("该线索尚未报告，不能办结。"),
    (Step.CLOSE, State.REPORTED): gettext_lazy("该线索尚未签收，不能办结。"),
    (Step.CLOSE, State.ACKNOWLEDGED): gettext_lazy("请先确定处置方式（协查、查处或无需处理），再办结。"),
    (Step.WITHDRAW, State.ACKNOWLEDGED): gettext_lazy(
        "监督执法人员已签收该线索，不能撤回；如确属误报，请联系经办的执法人员以“无需处理”办结。"
    ),
    (Step.WITHDRAW, State.HANDLING): gettext_lazy(
        "该线索正在处理，不能撤回；如确属误报，请联系经办的执法人员以“无需处理”办结。"
    ),
}


def state_of(lead: Lead) -> State:
    if lead.status == LeadStatus.REPORTED:
        return State.ACKNOWLEDGED if lead.acknowledged_at else State.REPORTED
    return State(lead.status)


def refusal(step: Step, lead: Lead) -> str | None:
    """Why ``step`` may not be taken on ``lead`` now, or None when it may."""
    state = state_of(lead)
    transition = TRANSITIONS[step]
    if state in transition.sources:
        return None
    if state == State.CLOSED:
        return _("该线索已办结，不能再%(step)s。") % {"step": transition.label}
    if state == State.WITHDRAWN:
        return _("该线索已撤回，不能再%(step)s。") % {"step": transition.label}
    known = _REFUSALS.get((step, state))
    if known is not None:
        return str(known)
    return _("线索当前状态为“%(state)s”，不能%(step)s。") % {
        "state": STATE_LABELS[state],
        "step": transition.label,
    }


def is_theirs(step: Step, lead: Lead, user: User) -> bool:
    """Whether ``user`` is the one to take ``step``: an officer acts only on the leads reported
    to them or their agency (``Lead.is_assigned_to``); the other roles by role and region."""
    if user.role == Role.OFFICER and (step in ASSIGNED_STEPS or step == Step.REGRADE):
        # Not reported yet: nobody's; the state refuses the step (该线索尚未报告…).
        return lead.reported_at is None or lead.is_assigned_to(user)
    return True


def allowed_steps(lead: Lead, user: User) -> set[Step]:
    """The steps ``user`` may take on ``lead`` now (the page shows only these)."""
    if not region_in_scope(user, lead.region_id):
        return set()
    return {
        step
        for step, transition in TRANSITIONS.items()
        if user.role in transition.roles and is_theirs(step, lead, user) and refusal(step, lead) is None
    }


NOT_ASSIGNED = gettext_lazy("该线索未报告给您或您所在的监督机构，只有接收报告的执法人员可以办理。")


def _check(step: Step, lead: Lead, user: User) -> Lead:
    """Lock the lead, check role, region, assignment and state; return the fresh locked row."""
    transition = TRANSITIONS[step]
    if user.role not in transition.roles:
        raise PermissionDenied(_("您的角色不能%(step)s线索。") % {"step": transition.label})
    if not region_in_scope(user, lead.region_id):
        raise PermissionDenied(_("该线索不在您的辖区内。"))
    fresh = Lead.objects.select_for_update().get(pk=lead.pk)
    if not is_theirs(step, fresh, user):
        raise PermissionDenied(str(NOT_ASSIGNED))
    reason = refusal(step, fresh)
    if reason is not None:
        raise LeadRefused(reason, code="state")
    return fresh


def _event(lead: Lead, kind: str, by: User, note: str = "", at: dt.datetime | None = None) -> LeadEvent:
    return LeadEvent.objects.create(lead=lead, kind=kind, by=by, note=note, at=at or timezone.now())


def _sync(target: Lead, source: Lead) -> None:
    """Copy the saved state back onto the caller's instance."""
    for field in Lead._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _required(value: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise LeadRefused(message, code="required")
    return text


# --- discovery --------------------------------------------------------------------------------


def report_due_at(
    discovered_at: dt.datetime,
    importance: str,
    region: Region | str | None,
    policy: ReportingPolicy | None = None,
) -> dt.datetime:
    """When a lead of ``region`` discovered at ``discovered_at`` must have been reported by.

    Important leads: ``important_hours`` after discovery (default 2); ordinary ones:
    ``normal_days`` × 24 hours after discovery (default 2 days), to the minute — the hours and
    days of the region's province (``ReportingPolicy.for_region``).
    """
    policy = policy or ReportingPolicy.for_region(region)
    if importance == Importance.IMPORTANT:
        return discovered_at + dt.timedelta(hours=policy.important_hours)
    return discovered_at + dt.timedelta(days=policy.normal_days)


@transaction.atomic
def discover_lead(
    *,
    region: Region,
    lead_type: str,
    source: str,
    description: str,
    discovered_by: User,
    discovered_at: dt.datetime | None = None,
    employer: Employer | None = None,
    importance: str | None = None,
    abnormal_kind: str = "",
    place: str = "",
    inspection: Inspection | None = None,
    inspection_answer: InspectionAnswer | None = None,
    photos: Iterable[UploadedFile] = (),
    client_uuid: uuid.UUID | None = None,
) -> Lead:
    """Record a discovered lead (from an inspection finding, a complaint, or entered directly).

    A new important lead notifies the county admins and officers of its county. With
    ``client_uuid`` (a lead entered on the phone) a repeat returns the stored lead and writes
    nothing (``lib.sync.is_repeat`` tells it apart; docs/sync.md).
    """

    def create() -> Lead:
        return _discover(
            region=region,
            lead_type=lead_type,
            source=source,
            description=description,
            discovered_by=discovered_by,
            discovered_at=discovered_at,
            employer=employer,
            importance=importance,
            abnormal_kind=abnormal_kind,
            place=place,
            inspection=inspection,
            inspection_answer=inspection_answer,
            photos=photos,
            client_uuid=client_uuid,
        )

    lead, _created = create_once(
        Lead.objects.all(),
        client_uuid,
        create,
        user=discovered_by,
        mine=owned_by(discovered_by, "discovered_by"),
    )
    return lead


def _discover(
    *,
    region: Region,
    lead_type: str,
    source: str,
    description: str,
    discovered_by: User,
    discovered_at: dt.datetime | None,
    employer: Employer | None,
    importance: str | None,
    abnormal_kind: str,
    place: str,
    inspection: Inspection | None,
    inspection_answer: InspectionAnswer | None,
    photos: Iterable[UploadedFile],
    client_uuid: uuid.UUID | None,
) -> Lead:
    when = discovered_at or timezone.now()
    if lead_type not in LeadType.values:
        raise LeadRefused(_("请选择信息类别。"), code="lead_type")
    if abnormal_kind and (lead_type != LeadType.ABNORMAL or abnormal_kind not in AbnormalKind.values):
        raise LeadRefused(_("只有“工作场所异常”需要选择异常类别。"), code="abnormal_kind")
    if importance is None:
        importance = Importance.IMPORTANT if lead_type in IMPORTANT_BY_DEFAULT else Importance.NORMAL
    if importance not in Importance.values:
        raise LeadRefused(_("请选择重要程度。"), code="importance")
    text = _required(description, _("请填写信息内容。"))
    if not employer and not place.strip():
        raise LeadRefused(_("请选择用人单位，或填写地点。"), code="place")
    files = _photo_files(photos)
    lead = Lead.objects.create(
        region=region,
        employer=employer,
        place=place.strip(),
        lead_type=lead_type,
        abnormal_kind=abnormal_kind,
        source=source,
        inspection=inspection,
        inspection_answer=inspection_answer,
        description=text,
        importance=importance,
        discovered_at=when,
        discovered_by=discovered_by,
        report_due_at=report_due_at(when, importance, region),
        client_uuid=client_uuid,
    )
    for file in files:
        LeadPhoto.objects.create(lead=lead, image=file)
    _event(lead, EventKind.DISCOVERED, discovered_by, str(LeadSource(source).label), at=when)
    if importance == Importance.IMPORTANT:
        notify.notify_important_lead(lead)
    return lead


@transaction.atomic
def record_complaint(
    *,
    region: Region,
    recorded_by: User,
    channel: str,
    content: str,
    received_at: dt.datetime | None = None,
    employer: Employer | None = None,
    place: str = "",
    anonymous: bool = False,
    complainant_name: str = "",
    complainant_contact: str = "",
    importance: str | None = None,
    client_uuid: uuid.UUID | None = None,
) -> Complaint:
    """Record a public complaint (群众投诉举报) and the lead it becomes.

    With ``client_uuid`` a repeat returns the stored complaint and writes nothing, whatever
    its body (``lib.sync.is_repeat``; docs/sync.md)."""
    if recorded_by.role not in (Role.ASSISTANT, Role.COUNTY_ADMIN):
        raise PermissionDenied(_("只有协管员和县(区)卫生健康行政部门可以登记投诉举报。"))

    def create() -> Complaint:
        return _complaint(
            region=region,
            recorded_by=recorded_by,
            channel=channel,
            content=content,
            received_at=received_at,
            employer=employer,
            place=place,
            anonymous=anonymous,
            complainant_name=complainant_name,
            complainant_contact=complainant_contact,
            importance=importance,
            client_uuid=client_uuid,
        )

    complaint, _created = create_once(
        Complaint.objects.all(),
        client_uuid,
        create,
        user=recorded_by,
        mine=owned_by(recorded_by, "recorded_by"),
    )
    return complaint


def _complaint(
    *,
    region: Region,
    recorded_by: User,
    channel: str,
    content: str,
    received_at: dt.datetime | None,
    employer: Employer | None,
    place: str,
    anonymous: bool,
    complainant_name: str,
    complainant_contact: str,
    importance: str | None,
    client_uuid: uuid.UUID | None,
) -> Complaint:
    if not region_in_scope(recorded_by, region.code):
        raise PermissionDenied(_("该地点不在您的辖区内。"))
    if channel not in ComplaintChannel.values:
        raise LeadRefused(_("请选择举报渠道。"), code="channel")
    name, contact = complainant_name.strip(), complainant_contact.strip()
    if anonymous and (name or contact):
        raise LeadRefused(
            _("匿名举报不记录举报人姓名和联系方式，请清空这两项或取消“匿名”。"), code="anonymous"
        )
    when = received_at or timezone.now()
    if when > timezone.now():
        raise LeadRefused(_("接报时间不能晚于现在。"), code="received_at")
    text = _required(content, _("请填写举报内容。"))
    lead = discover_lead(
        region=region,
        lead_type=LeadType.COMPLAINT,
        source=LeadSource.COMPLAINT,
        description=text,
        discovered_by=recorded_by,
        discovered_at=when,
        employer=employer,
        importance=importance,
        place=place,
    )
    return Complaint.objects.create(
        region=region,
        received_at=when,
        recorded_at=timezone.now(),
        channel=channel,
        content=text,
        employer=employer,
        place=place.strip(),
        anonymous=anonymous,
        complainant_name=name,
        complainant_contact=contact,
        recorded_by=recorded_by,
        lead=lead,
        client_uuid=client_uuid,
    )


# --- reporting --------------------------------------------------------------------------------


def supervision_agencies_for(lead: Lead) -> list[Agency]:
    """Supervision agencies whose region contains the lead's (the county's, the prefecture's …)."""
    region_codes = [lead.region_id[:n] for n in (2, 4, 6, 9, 12) if n <= len(lead.region_id)]
    return list(
        Agency.objects.filter(kind=Agency.Kind.SUPERVISION, region_id__in=region_codes).order_by("-region_id")
    )


def officers_for(lead: Lead) -> list[User]:
    """Officers who can work (accounts.models.can_work) whose region contains the lead's."""
    from xieguan.accounts.models import User

    region_codes = [lead.region_id[:n] for n in (2, 4, 6, 9, 12) if n <= len(lead.region_id)]
    return list(
        User.objects.filter(can_work(), role=Role.OFFICER, region_id__in=region_codes)
        .select_related("agency")
        .order_by("-region_id", "full_name")
    )


def administrations_for(lead: Lead) -> list[Agency]:
    """Health administration departments above the lead (county, prefecture, province): where a
    suspected occupational-disease patient or a poisoning accident is also reported."""
    region_codes = [lead.region_id[:n] for n in (2, 4, 6) if n <= len(lead.region_id)]
    return list(
        Agency.objects.filter(kind=Agency.Kind.ADMINISTRATION, region_id__in=region_codes).order_by(
            "-region_id"
        )
    )


# One answer for an officer who does not exist, is not an officer, or works elsewhere (and the
# same for agencies), so the report form and the API reveal nothing about other counties' staff.
OFFICER_REFUSED = gettext_lazy("所选人员不是负责该地区的监督执法人员。")
AGENCY_REFUSED = gettext_lazy("所选机构不是负责该地区的卫生健康监督机构。")
ADMINISTRATION_REFUSED = gettext_lazy("所选部门不是该地区的上级卫生健康行政部门。")


@transaction.atomic
def report_lead(
    lead: Lead,
    *,
    by: User,
    method: str,
    agency: Agency | None = None,
    officer: User | None = None,
    administration: Agency | None = None,
    reported_at: dt.datetime | None = None,
    note: str = "",
) -> Lead:
    """Report a lead to a supervision agency or officer: when, to whom, how.

    A suspected occupational-disease patient or a poisoning accident may also be reported to a
    health administration department above it (``administration``), as the regulation asks.
    """
    fresh = _check(Step.REPORT, lead, by)
    if method not in ReportMethod.values:
        raise LeadRefused(_("请选择报告方式（系统报送、电话或当面）。"), code="method")
    if officer is not None:
        if (
            officer.role != Role.OFFICER
            or not officer.can_work()
            or not region_in_scope(officer, fresh.region_id)
        ):
            raise LeadRefused(str(OFFICER_REFUSED), code="officer")
        agency = agency or officer.agency
    if agency is None:
        raise LeadRefused(_("请选择报告的监督机构或执法人员。"), code="agency")
    if agency.kind != Agency.Kind.SUPERVISION or not fresh.region_id.startswith(agency.region_id):
        raise LeadRefused(str(AGENCY_REFUSED), code="agency")
    if officer is not None and officer.agency_id not in (None, agency.pk):
        raise LeadRefused(_("所选执法人员不属于所选监督机构。"), code="officer")
    if administration is not None:
        if fresh.lead_type not in IMPORTANT_BY_DEFAULT:
            raise LeadRefused(
                _("只有可疑职业病人和职业中毒事故需要同时报告卫生健康行政部门。"), code="administration"
            )
        if administration.kind != Agency.Kind.ADMINISTRATION or administration.region_id not in {
            fresh.region_id[:n] for n in (2, 4, 6)
        }:
            raise LeadRefused(str(ADMINISTRATION_REFUSED), code="administration")
    now = timezone.now()
    when = reported_at or now
    if fresh.discovered_at.replace(second=0, microsecond=0) <= when < fresh.discovered_at:
        when = fresh.discovered_at  # typed to the minute (forms): the minute of discovery is not "before" it
    if when > now:
        raise LeadRefused(_("报告时间不能晚于现在。"), code="reported_at")
    if when < fresh.discovered_at:
        raise LeadRefused(_("报告时间不能早于发现时间。"), code="reported_at")
    fresh.status = LeadStatus.REPORTED
    fresh.reported_at = when
    fresh.reported_by = by
    fresh.reported_to_agency = agency
    fresh.reported_to_officer = officer
    fresh.report_method = method
    fresh.reported_to_administration = administration
    fresh.save(
        update_fields=[
            "status",
            "reported_at",
            "reported_by",
            "reported_to_agency",
            "reported_to_officer",
            "report_method",
            "reported_to_administration",
        ]
    )
    target = f"{agency}" + (f" {officer}" if officer else "")
    if administration is not None:
        target += _("，同时报告%(dept)s") % {"dept": administration}
    text = _("报告%(target)s（%(method)s）") % {"target": target, "method": ReportMethod(method).label}
    _event(fresh, EventKind.REPORTED, by, "\n".join(p for p in (text, note.strip()) if p), at=when)
    if administration is not None:
        notify.notify_administration(fresh, administration)
    _sync(lead, fresh)
    return lead


# --- the officer's steps ----------------------------------------------------------------------


@transaction.atomic
def acknowledge_lead(lead: Lead, *, by: User, note: str = "") -> Lead:
    """The officer signs for a reported lead (签收)."""
    fresh = _check(Step.ACKNOWLEDGE, lead, by)
    fresh.acknowledged_at = timezone.now()
    fresh.acknowledged_by = by
    fresh.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _event(fresh, EventKind.ACKNOWLEDGED, by, note.strip(), at=fresh.acknowledged_at)
    _sync(lead, fresh)
    return lead


def assistants_for(region_code: str) -> list[User]:
    """Assistants who can work (accounts.models.can_work) whose township contains ``region_code``
    (who may be asked to assist)."""
    from xieguan.accounts.models import User

    return list(
        User.objects.filter(can_work(), role=Role.ASSISTANT, region_id=region_code[:9]).order_by("full_name")
    )


@transaction.atomic
def request_assist(
    *,
    by: User,
    assistant: User,
    lead: Lead | None = None,
    employer: Employer | None = None,
    due_on: dt.date | None = None,
    note: str = "",
) -> AssistRequest:
    """An officer asks an assistant for an assisted investigation (协查) of a lead or an employer."""
    if by.role != Role.OFFICER:
        raise PermissionDenied(_("只有监督执法人员可以发起协查。"))
    fresh: Lead | None = None
    if lead is not None:
        fresh = _check(Step.REQUEST_ASSIST, lead, by)
        employer = employer or fresh.employer
        region_id = fresh.region_id
    elif employer is not None:
        if not region_in_scope(by, employer.region_id):
            raise PermissionDenied(_("该用人单位不在您的辖区内。"))
        region_id = employer.region_id
    else:
        raise LeadRefused(_("请指明协查的线索或用人单位。"), code="subject")
    if (
        assistant.role != Role.ASSISTANT
        or not assistant.can_work()
        or not region_in_scope(assistant, region_id)
    ):
        raise LeadRefused(_("所选协管员不负责该地区，请选择当地的协管员。"), code="assistant")
    if due_on is not None and due_on < timezone.localdate():
        raise LeadRefused(_("要求完成日期不能早于今天。"), code="due_on")
    assist = AssistRequest.objects.create(
        region_id=region_id,
        lead=fresh,
        employer=employer,
        requested_by=by,
        assistant=assistant,
        due_on=due_on,
        request_note=note.strip(),
    )
    if fresh is not None and lead is not None:
        fresh.status = LeadStatus.HANDLING
        fresh.handling = Handling.ASSIST
        fresh.save(update_fields=["status", "handling"])
        text = _("请协管员 %(who)s 协查") % {"who": assistant}
        _event(fresh, EventKind.ASSIST_REQUESTED, by, "\n".join(p for p in (text, note.strip()) if p))
        _sync(lead, fresh)
    notify.notify_assist_request(assist)
    return assist


@transaction.atomic
def record_assist(
    assist: AssistRequest,
    *,
    by: User,
    done_on: dt.date,
    what_done: str,
    outcome: str,
    photos: Iterable[UploadedFile] = (),
    record_uuid: uuid.UUID | None = None,
) -> AssistRequest:
    """The assistant records the assisted investigation: date, what was done, outcome, photos.

    Idempotent by ``record_uuid`` (the phone's id of this record): when the 协查 was already
    recorded with the same UUID, the stored record is returned unchanged (``lib.sync.is_repeat``),
    whatever the body; the row lock serialises two racing repeats."""
    fresh = AssistRequest.objects.select_for_update().get(pk=assist.pk)
    if by.pk != fresh.assistant_id:
        raise PermissionDenied(_("只有被请求协查的协管员可以记录协查情况。"))
    if record_uuid is not None and fresh.record_uuid == record_uuid:
        _sync_assist(assist, fresh)
        setattr(assist, REPEAT_ATTR, True)
        return assist
    if stored(AssistRequest.objects.all(), record_uuid, user=by, field="record_uuid") is not None:
        raise UuidTaken  # another 协查's record in the scope; one outside it is met at the save
    if fresh.status == AssistStatus.DONE:
        raise LeadRefused(_("该协查已记录完成，不能重复记录。"), code="state")
    if fresh.status == AssistStatus.CANCELLED:
        raise LeadRefused(_("该协查已取消，不能记录。"), code="state")
    lead = Lead.objects.select_for_update().get(pk=fresh.lead_id) if fresh.lead_id else None
    if lead is not None and lead.status == LeadStatus.CLOSED:
        raise LeadRefused(_("该线索已办结，不能再记录协查。"), code="state")
    if done_on > timezone.localdate():
        raise LeadRefused(_("协查日期不能晚于今天。"), code="done_on")
    if done_on < timezone.localtime(fresh.requested_at).date():
        raise LeadRefused(_("协查日期不能早于提出协查的日期。"), code="done_on")
    files = _photo_files(photos)
    fresh.what_done = _required(what_done, _("请填写协查情况（做了什么）。"))
    fresh.outcome = _required(outcome, _("请填写协查结果。"))
    fresh.done_on = done_on
    fresh.status = AssistStatus.DONE
    fresh.recorded_at = timezone.now()
    fresh.record_uuid = record_uuid
    with uuid_saved(AssistRequest, "record_uuid"):
        fresh.save(update_fields=["what_done", "outcome", "done_on", "status", "recorded_at", "record_uuid"])
    for file in files:
        AssistPhoto.objects.create(assist=fresh, image=file)
    if lead is not None:
        _event(lead, EventKind.ASSIST_RECORDED, by, _("协查结果：%(outcome)s") % {"outcome": fresh.outcome})
    _sync_assist(assist, fresh)
    return assist


def _sync_assist(target: AssistRequest, source: AssistRequest) -> None:
    for field in ("what_done", "outcome", "done_on", "status", "recorded_at", "record_uuid"):
        setattr(target, field, getattr(source, field))


# --- photos sent one by one (the offline phone client) -------------------------------------------


def _stored_photo(data: bytes) -> ContentFile[bytes]:
    """An uploaded photo through the one image pipeline (checked, upright, re-encoded, no EXIF)."""
    try:
        return images.photo_file(data)
    except ValidationError as exc:
        raise LeadRefused(_("照片：%(m)s") % {"m": exc.messages[0]}, code="photo") from exc


@transaction.atomic
def add_lead_photo(lead: Lead, *, by: User, image: bytes, client_uuid: uuid.UUID | None = None) -> LeadPhoto:
    """A photo of a lead its discoverer entered (sent after the lead by the phone). Idempotent by
    ``client_uuid``: a repeat returns the stored photo, even after the lead was closed."""
    if by.pk != lead.discovered_by_id:
        raise PermissionDenied(_("只有录入线索的人可以为线索补充照片。"))

    def create() -> LeadPhoto:
        if lead.status == LeadStatus.CLOSED:
            raise LeadRefused(_("该线索已办结，不能再补充照片。"), code="state")
        return insert_with_files(LeadPhoto, lead=lead, image=_stored_photo(image), client_uuid=client_uuid)

    photo, _created = create_once(
        LeadPhoto.objects.all(), client_uuid, create, user=by, mine=lambda p: p.lead_id == lead.pk
    )
    return photo


@transaction.atomic
def add_assist_photo(
    assist: AssistRequest, *, by: User, image: bytes, client_uuid: uuid.UUID | None = None
) -> AssistPhoto:
    """A photo of a 协查 by the assistant asked for it, before or after the record (the phone
    sends photos one by one). Idempotent by ``client_uuid``."""
    if by.pk != assist.assistant_id:
        raise PermissionDenied(_("只有被请求协查的协管员可以上传协查照片。"))

    def create() -> AssistPhoto:
        if assist.status == AssistStatus.CANCELLED:
            raise LeadRefused(_("该协查已取消，不能上传照片。"), code="state")
        return insert_with_files(
            AssistPhoto, assist=assist, image=_stored_photo(image), client_uuid=client_uuid
        )

    photo, _created = create_once(
        AssistPhoto.objects.all(), client_uuid, create, user=by, mine=lambda p: p.assist_id == assist.pk
    )
    return photo


@transaction.atomic
def set_handling(lead: Lead, *, by: User, handling: str, reason: str = "") -> Lead:
    """The officer decides how the lead is handled: 查处 or 无需处理 (协查 through request_assist)."""
    fresh = _check(Step.SET_HANDLING, lead, by)
    if handling == Handling.ASSIST:
        raise LeadRefused(_("协查请通过“发起协查”指派协管员。"), code="handling")
    if handling not in Handling.values:
        raise LeadRefused(_("请选择处置方式。"), code="handling")
    text = reason.strip()
    if handling == Handling.NO_ACTION and not text:
        raise LeadRefused(_("选择“无需处理”时请说明理由。"), code="reason")
    fresh.status = LeadStatus.HANDLING
    fresh.handling = handling
    fresh.handling_reason = text
    fresh.save(update_fields=["status", "handling", "handling_reason"])
    label = Handling(handling).label
    _event(fresh, EventKind.HANDLING, by, "\n".join(p for p in (str(label), text) if p))
    _sync(lead, fresh)
    return lead


@transaction.atomic
def record_officer_action(lead: Lead, *, by: User, action: str, reason: str = "") -> Lead:
    """The officer records what enforcement did: 立案, 责令整改, 处罚 or 不予处理 (with reason)."""
    fresh = _check(Step.OFFICER_ACTION, lead, by)
    if fresh.handling == Handling.NO_ACTION:
        raise LeadRefused(
            _("处置方式为“无需处理”的线索不记录执法处理；如需查处，请先改为“查处”。"), code="handling"
        )
    if action not in OfficerAction.values:
        raise LeadRefused(_("请选择执法处理（立案、责令整改、处罚或不予处理）。"), code="action")
    text = reason.strip()
    if action == OfficerAction.NO_ACTION and not text:
        raise LeadRefused(_("选择“不予处理”时请说明理由。"), code="reason")
    fresh.officer_action = action
    fresh.officer_action_reason = text
    fresh.save(update_fields=["officer_action", "officer_action_reason"])
    _event(
        fresh,
        EventKind.OFFICER_ACTION,
        by,
        "\n".join(p for p in (str(OfficerAction(action).label), text) if p),
    )
    _sync(lead, fresh)
    return lead


@transaction.atomic
def close_lead(lead: Lead, *, by: User, outcome: str) -> Lead:
    """The officer closes the lead with its outcome (办结)."""
    fresh = _check(Step.CLOSE, lead, by)
    text = _required(outcome, _("请填写办结结果。"))
    open_assists = fresh.assists.filter(status=AssistStatus.REQUESTED).count()
    if open_assists:
        raise LeadRefused(
            _("尚有 %(n)s 项协查未完成，不能办结。请等待协管员记录协查结果。") % {"n": open_assists},
            code="assist_open",
        )
    if fresh.handling == Handling.ENFORCEMENT and not fresh.officer_action:
        raise LeadRefused(
            _("查处的线索须先记录执法处理（立案、责令整改、处罚或不予处理），再办结。"), code="action_missing"
        )
    fresh.status = LeadStatus.CLOSED
    fresh.closed_at = timezone.now()
    fresh.closed_by = by
    fresh.outcome = text
    fresh.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
    _event(fresh, EventKind.CLOSED, by, text, at=fresh.closed_at)
    _sync(lead, fresh)
    return lead


# --- corrections: withdraw, regrade ----------------------------------------------------------


@transaction.atomic
def withdraw_lead(lead: Lead, *, by: User, reason: str) -> Lead:
    """Withdraw a lead entered in error (撤回), with the reason.

    Allowed until an officer signs for it. The lead stays, with its timeline, as 已撤回; it no
    longer counts in the reporting rate (``LeadQuerySet.counted``), is never overdue and leaves
    the officers' inbox.
    """
    fresh = _check(Step.WITHDRAW, lead, by)
    text = _required(reason, _("请填写撤回原因（例如：误录、重复录入）。"))
    fresh.status = LeadStatus.WITHDRAWN
    fresh.withdrawn_at = timezone.now()
    fresh.withdrawal_reason = text
    fresh.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    _event(fresh, EventKind.WITHDRAWN, by, text, at=fresh.withdrawn_at)
    _sync(lead, fresh)
    return lead


@transaction.atomic
def regrade_lead(lead: Lead, *, by: User, importance: str, reason: str) -> Lead:
    """Change a lead's importance (重要/一般) with a reason; the report deadline is recomputed from
    the discovery time under the ReportingPolicy of its province, and the change kept on the timeline."""
    fresh = _check(Step.REGRADE, lead, by)
    if importance not in Importance.values:
        raise LeadRefused(_("请选择重要程度。"), code="importance")
    if importance == fresh.importance:
        raise LeadRefused(
            _("该线索已是“%(label)s”，无需调整。") % {"label": Importance(importance).label},
            code="importance",
        )
    text = _required(reason, _("请填写调整重要程度的理由。"))
    before = Importance(fresh.importance).label
    fresh.importance = importance
    fresh.report_due_at = report_due_at(fresh.discovered_at, importance, fresh.region_id)
    fresh.save(update_fields=["importance", "report_due_at"])
    due = f"{timezone.localtime(fresh.report_due_at):%Y-%m-%d %H:%M}"
    change = _("由“%(before)s”调整为“%(after)s”，报告时限改为 %(due)s") % {
        "before": before,
        "after": Importance(importance).label,
        "due": due,
    }
    _event(fresh, EventKind.REGRADED, by, f"{change}\n{text}")
    if importance == Importance.IMPORTANT and fresh.reported_at is None:
        notify.notify_important_lead(fresh)
    _sync(lead, fresh)
    return lead


@transaction.atomic
def retract_finding(lead: Lead, *, by: User, note: str) -> Lead:
    """An inspection amendment turned the finding behind ``lead`` back (e.g. 无 → 有 on item 1-5).

    A lead not yet reported is withdrawn (it was never true); a lead already with an officer is
    flagged on its timeline, for the officer to close; a closed or withdrawn one only notes it.
    """
    fresh = Lead.objects.select_for_update().get(pk=lead.pk)
    state = state_of(fresh)
    if state == State.DISCOVERED:
        fresh.status = LeadStatus.WITHDRAWN
        fresh.withdrawn_at = timezone.now()
        fresh.withdrawal_reason = note
        fresh.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        _event(fresh, EventKind.WITHDRAWN, by, note, at=fresh.withdrawn_at)
    elif state in OPEN_STATES:
        _event(
            fresh,
            EventKind.FINDING_AMENDED,
            by,
            note + _("\n该线索所依据的巡查发现已不成立，请经办的执法人员核实后办结。"),
        )
    else:
        _event(fresh, EventKind.FINDING_AMENDED, by, note)
    _sync(lead, fresh)
    return lead


def finding_retracted(lead: Lead) -> bool:
    """Whether an inspection amendment has flagged this open lead (its finding no longer holds)."""
    return (
        lead.status in (LeadStatus.REPORTED, LeadStatus.HANDLING)
        and lead.events.filter(kind=EventKind.FINDING_AMENDED).exists()
    )


# --- 协查: cancel, reassign --------------------------------------------------------------------


def may_manage_assist(user: User, assist: AssistRequest) -> bool:
    """Who may cancel or reassign an open 协查: the officer who asked for it, the officer the lead
    is assigned to, or the county admin of its county (after a dismissal, for instance)."""
    if not region_in_scope(user, assist.region_id):
        return False
    if user.role == Role.COUNTY_ADMIN:
        return True
    if user.role == Role.OFFICER:
        if assist.requested_by_id == user.pk:
            return True
        return assist.lead is not None and assist.lead.is_assigned_to(user)
    return False


def _open_assist(assist: AssistRequest, by: User) -> tuple[AssistRequest, Lead | None]:
    """Lock the 协查 (and its lead), check who and state; nothing written yet."""
    if by.role not in (Role.OFFICER, Role.COUNTY_ADMIN):
        raise PermissionDenied(_("只有监督执法人员和县(区)卫生健康行政部门可以取消或改派协查。"))
    fresh = AssistRequest.objects.select_for_update(of=("self",)).select_related("lead").get(pk=assist.pk)
    if not may_manage_assist(by, fresh):
        raise PermissionDenied(_("只有提出协查的执法人员、经办线索的执法人员或县(区)管理员可以取消或改派。"))
    if fresh.status == AssistStatus.DONE:
        raise LeadRefused(_("该协查已完成，不能取消或改派。"), code="state")
    if fresh.status == AssistStatus.CANCELLED:
        raise LeadRefused(_("该协查已取消，不能再取消或改派。"), code="state")
    lead = Lead.objects.select_for_update().get(pk=fresh.lead_id) if fresh.lead_id else None
    if lead is not None and lead.status == LeadStatus.CLOSED:
        raise LeadRefused(_("该线索已办结，协查不能再取消或改派。"), code="state")
    return fresh, lead


def _cancel(fresh: AssistRequest, by: User, reason: str) -> None:
    fresh.status = AssistStatus.CANCELLED
    fresh.cancelled_at = timezone.now()
    fresh.cancelled_by = by
    fresh.cancel_reason = reason
    fresh.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])


@transaction.atomic
def cancel_assist(assist: AssistRequest, *, by: User, reason: str) -> AssistRequest:
    """Cancel an open 协查 with a reason (e.g. the assistant was dismissed). The lead can then be
    handled another way or closed; the cancelled request stays in its history."""
    fresh, lead = _open_assist(assist, by)
    text = _required(reason, _("请填写取消协查的原因。"))
    _cancel(fresh, by, text)
    if lead is not None:
        note = _("取消对协管员 %(who)s 的协查：%(reason)s") % {"who": fresh.assistant, "reason": text}
        _event(lead, EventKind.ASSIST_CANCELLED, by, note)
    for name in ("status", "cancelled_at", "cancelled_by_id", "cancel_reason"):
        setattr(assist, name, getattr(fresh, name))
    return assist


@transaction.atomic
def reassign_assist(assist: AssistRequest, *, by: User, assistant: User, reason: str) -> AssistRequest:
    """Give an open 协查 to another assistant of the area, with a reason: the request is cancelled
    (改派) and a new one made for the new assistant (same lead, employer, due date and request),
    who is notified. Returns the new request."""
    fresh, lead = _open_assist(assist, by)
    text = _required(reason, _("请填写改派协查的原因。"))
    if assistant.pk == fresh.assistant_id:
        raise LeadRefused(_("请选择另一位协管员。"), code="assistant")
    if (
        assistant.role != Role.ASSISTANT
        or not assistant.can_work()
        or not region_in_scope(assistant, fresh.region_id)
    ):
        raise LeadRefused(_("所选协管员不负责该地区，请选择当地的协管员。"), code="assistant")
    _cancel(fresh, by, _("改派给 %(who)s：%(reason)s") % {"who": assistant, "reason": text})
    new = AssistRequest.objects.create(
        region_id=fresh.region_id,
        lead=lead,
        employer_id=fresh.employer_id,
        requested_by_id=fresh.requested_by_id,
        assistant=assistant,
        due_on=fresh.due_on,
        request_note=fresh.request_note,
        reassigned_from=fresh,
    )
    if lead is not None:
        note = _("协查由 %(old)s 改派给 %(new)s：%(reason)s") % {
            "old": fresh.assistant,
            "new": assistant,
            "reason": text,
        }
        _event(lead, EventKind.ASSIST_REASSIGNED, by, note)
    notify.notify_assist_request(new)
    return new


def region_choices_for(user: User) -> list[Region]:
    """Where a user may place a lead or complaint: their township and its villages (assistant),
    or the townships of their county (county admin)."""
    from xieguan.regions.models import Region

    qs = Region.objects.visible_to(user)
    if user.role == Role.ASSISTANT:
        return list(qs.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("code"))
    return list(qs.filter(level=Level.TOWNSHIP).order_by("code"))
