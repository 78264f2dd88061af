"""The leads API (/api/v1/leads/…): list, detail, report, and the assistant's 协查 record.

Scoped like the pages (visible_to / get_visible_or_404: out of scope is 404), the same actions
(a refused step is 409 with the Chinese reason, bad input 400, a wrong role 403), and the same
confidentiality rule: the API always shows a complainant masked (confidentiality.Where.API).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from xieguan.accounts.models import Agency, Role, User
from xieguan.leads import actions
from xieguan.leads.actions import LeadRefused
from xieguan.leads.confidentiality import Where, complainant_for
from xieguan.leads.filters import apply_filters, parse_filters
from xieguan.leads.models import AssistRequest, Complaint, Lead
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404

router = Router(tags=["信息报告"])


class LeadOut(Schema):
    id: int
    region: str
    lead_type: str
    lead_type_label: str
    abnormal_kind: str
    source: str
    importance: str
    status: str
    state: str
    employer_id: int | None
    employer_name: str
    place: str
    description: str
    discovered_at: dt.datetime
    discovered_by: str
    report_due_at: dt.datetime
    reported_at: dt.datetime | None
    reported_to_agency: str
    reported_to_officer: str
    reported_to_administration: str
    report_method: str
    overdue: bool
    on_time: bool

    # Resolvers map a Lead row to the schema, so a page is sliced in the database.
    @staticmethod
    def resolve_region(obj: Lead) -> str:
        return obj.region_id

    @staticmethod
    def resolve_lead_type_label(obj: Lead) -> str:
        return str(obj.get_lead_type_display())

    @staticmethod
    def resolve_state(obj: Lead) -> str:
        return str(actions.state_of(obj))

    @staticmethod
    def resolve_employer_name(obj: Lead) -> str:
        return obj.employer.name if obj.employer else ""

    @staticmethod
    def resolve_discovered_by(obj: Lead) -> str:
        return str(obj.discovered_by)

    @staticmethod
    def resolve_reported_to_agency(obj: Lead) -> str:
        return str(obj.reported_to_agency or "")

    @staticmethod
    def resolve_reported_to_officer(obj: Lead) -> str:
        return str(obj.reported_to_officer or "")

    @staticmethod
    def resolve_reported_to_administration(obj: Lead) -> str:
        return str(obj.reported_to_administration or "")

    @staticmethod
    def resolve_overdue(obj: Lead) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_on_time(obj: Lead) -> bool:
        return obj.is_on_time


class EventOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    by: str
    note: str


class ComplaintOut(Schema):
    received_at: dt.datetime
    channel: str
    anonymous: bool
    complainant_name: str
    complainant_contact: str
    masked: bool


class AssistOut(Schema):
    id: int
    lead_id: int | None
    employer_id: int | None
    status: str
    assistant: str
    requested_by: str
    requested_at: dt.datetime
    due_on: dt.date | None
    request_note: str
    done_on: dt.date | None
    what_done: str
    outcome: str
    cancel_reason: str
    reassigned_from_id: int | None

    @staticmethod
    def resolve_assistant(obj: AssistRequest) -> str:
        return str(obj.assistant)

    @staticmethod
    def resolve_requested_by(obj: AssistRequest) -> str:
        return str(obj.requested_by)


class LeadDetailOut(LeadOut):
    handling: str
    handling_reason: str
    officer_action: str
    officer_action_reason: str
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    events: list[EventOut]
    complaint: ComplaintOut | None
    assists: list[AssistOut]

    @staticmethod
    def resolve_events(obj: Lead) -> list[dict[str, object]]:
        return [
            {
                "kind": e.kind,
                "kind_label": str(e.get_kind_display()),
                "at": e.at,
                "by": str(e.by),
                "note": e.note,
            }
            for e in obj.events.select_related("by")
        ]

    @staticmethod
    def resolve_complaint(obj: Lead) -> dict[str, object] | None:
        return getattr(obj, "complaint_out", None)  # set by _detail, masked for the requesting user

    @staticmethod
    def resolve_assists(obj: Lead) -> list[AssistRequest]:
        return list(obj.assists.select_related("assistant", "requested_by"))


class ReportIn(Schema):
    method: str
    agency_id: int | None = None
    officer_id: int | None = None
    administration_id: int | None = None
    reported_at: dt.datetime | None = None
    note: str = ""


class ReasonIn(Schema):
    reason: str


class RegradeIn(Schema):
    importance: str
    reason: str


class ReassignIn(Schema):
    assistant_id: int
    reason: str


class AssistRecordIn(Schema):
    done_on: dt.date
    what_done: str
    outcome: str


class Error(Schema):
    detail: str


LEAD_RELATED = (
    "employer",
    "discovered_by",
    "reported_to_agency",
    "reported_to_officer",
    "reported_to_administration",
)


def _detail(request: AuthedRequest, lead_id: int) -> Lead:
    lead = get_visible_or_404(Lead.objects.select_related(*LEAD_RELATED), request.user, pk=lead_id)
    complaint = Complaint.objects.filter(lead=lead).first()
    if complaint is not None:
        who = complainant_for(request.user, complaint, where=Where.API)
        lead.complaint_out = {  # type: ignore[attr-defined]
            "received_at": complaint.received_at,
            "channel": complaint.channel,
            "anonymous": complaint.anonymous,
            "complainant_name": who.name,
            "complainant_contact": who.contact,
            "masked": who.masked,
        }
    return lead


def _refused(exc: LeadRefused) -> HttpError:
    status = 409 if exc.code == "state" else 400
    return HttpError(status, " ".join(str(m) for m in exc.messages))


@router.get("/leads", response=list[LeadOut], summary="线索列表（与页面相同的筛选参数，见 docs/leads.md）")
@paginate(PageNumberPagination, page_size=50)
def list_leads(request: AuthedRequest) -> QuerySet[Lead]:
    form = parse_filters(request.GET, request.user)
    if form.errors:
        raise HttpError(400, "；".join(str(e) for errors in form.errors.values() for e in errors))
    leads = apply_filters(Lead.objects.visible_to(request.user), form).select_related(*LEAD_RELATED)
    return leads.order_by("-discovered_at", "-pk")


@router.get("/leads/{lead_id}", response=LeadDetailOut, summary="线索详情（含办理过程）")
def lead_detail(request: AuthedRequest, lead_id: int) -> Lead:
    return _detail(request, lead_id)


@router.post(
    "/leads/{lead_id}/report",
    response={200: LeadDetailOut, 400: Error, 403: Error, 409: Error},
    summary="报告线索",
)
def report_lead(request: AuthedRequest, lead_id: int, payload: ReportIn) -> Lead:
    user = request.user
    if user.role not in actions.TRANSITIONS[actions.Step.REPORT].roles:
        raise HttpError(403, "您的角色不能报告线索。")
    lead = get_visible_or_404(Lead, user, pk=lead_id)
    # Whether the id does not exist, is not an officer / a supervision agency, or belongs to another
    # county, the answer is the same (the action's message): nothing about other counties leaks.
    agency = officer = administration = None
    if payload.agency_id is not None:
        agency = Agency.objects.filter(pk=payload.agency_id).first()
        if agency is None:
            raise HttpError(400, str(actions.AGENCY_REFUSED))
    if payload.officer_id is not None:
        officer = User.objects.filter(pk=payload.officer_id).first()
        if officer is None:
            raise HttpError(400, str(actions.OFFICER_REFUSED))
    if payload.administration_id is not None:
        administration = Agency.objects.filter(pk=payload.administration_id).first()
        if administration is None:
            raise HttpError(400, str(actions.ADMINISTRATION_REFUSED))
    try:
        actions.report_lead(
            lead,
            by=user,
            method=payload.method,
            agency=agency,
            officer=officer,
            administration=administration,
            reported_at=payload.reported_at,
            note=payload.note,
        )
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _detail(request, lead_id)


def _lead_step(request: AuthedRequest, lead_id: int, step: actions.Step) -> Lead:
    """The lead for ``step``: 404 out of scope or another officer's, 403 for a wrong role."""
    user = request.user
    if user.role not in actions.TRANSITIONS[step].roles:
        raise HttpError(403, f"您的角色不能{actions.TRANSITIONS[step].label}线索。")
    lead = get_visible_or_404(Lead, user, pk=lead_id)
    if not actions.is_theirs(step, lead, user):
        raise Http404
    return lead


@router.post(
    "/leads/{lead_id}/withdraw",
    response={200: LeadDetailOut, 400: Error, 403: Error, 409: Error},
    summary="撤回误录的线索（不再计入报告率，记录保留）",
)
def withdraw_lead(request: AuthedRequest, lead_id: int, payload: ReasonIn) -> Lead:
    lead = _lead_step(request, lead_id, actions.Step.WITHDRAW)
    try:
        actions.withdraw_lead(lead, by=request.user, reason=payload.reason)
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _detail(request, lead_id)


@router.post(
    "/leads/{lead_id}/regrade",
    response={200: LeadDetailOut, 400: Error, 403: Error, 409: Error},
    summary="调整线索重要程度（重新计算报告时限）",
)
def regrade_lead(request: AuthedRequest, lead_id: int, payload: RegradeIn) -> Lead:
    lead = _lead_step(request, lead_id, actions.Step.REGRADE)
    try:
        actions.regrade_lead(lead, by=request.user, importance=payload.importance, reason=payload.reason)
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _detail(request, lead_id)


def _managed_assist(request: AuthedRequest, assist_id: int) -> AssistRequest:
    if request.user.role not in (Role.OFFICER, Role.COUNTY_ADMIN):
        raise HttpError(403, "只有监督执法人员和县(区)卫生健康行政部门可以取消或改派协查。")
    item = get_visible_or_404(
        AssistRequest.objects.select_related("assistant", "requested_by", "lead"), request.user, pk=assist_id
    )
    if not actions.may_manage_assist(request.user, item):
        raise Http404
    return item


@router.post(
    "/assists/{assist_id}/cancel",
    response={200: AssistOut, 400: Error, 403: Error, 409: Error},
    summary="取消协查（须说明原因）",
)
def cancel_assist(request: AuthedRequest, assist_id: int, payload: ReasonIn) -> AssistRequest:
    item = _managed_assist(request, assist_id)
    try:
        actions.cancel_assist(item, by=request.user, reason=payload.reason)
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return item


@router.post(
    "/assists/{assist_id}/reassign",
    response={200: AssistOut, 400: Error, 403: Error, 409: Error},
    summary="改派协查给本地区另一名协管员（返回新的协查）",
)
def reassign_assist(request: AuthedRequest, assist_id: int, payload: ReassignIn) -> AssistRequest:
    item = _managed_assist(request, assist_id)
    refused = "所选协管员不负责该地区，请选择当地的协管员。"
    assistant = User.objects.filter(pk=payload.assistant_id).first()
    if assistant is None:
        raise HttpError(400, refused)
    try:
        new = actions.reassign_assist(item, by=request.user, assistant=assistant, reason=payload.reason)
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return AssistRequest.objects.select_related("assistant", "requested_by").get(pk=new.pk)


@router.get("/assists", response=list[AssistOut], summary="协查（协管员：请我协查的事项）")
@paginate(PageNumberPagination, page_size=50)
def list_assists(request: AuthedRequest) -> QuerySet[AssistRequest]:
    qs = AssistRequest.objects.visible_to(request.user).select_related("assistant", "requested_by")
    if request.user.role == Role.ASSISTANT:
        qs = qs.filter(assistant=request.user)
    return qs.order_by("-requested_at")


@router.post(
    "/assists/{assist_id}/record",
    response={200: AssistOut, 400: Error, 403: Error, 409: Error},
    summary="记录协查情况",
)
def record_assist(request: AuthedRequest, assist_id: int, payload: AssistRecordIn) -> AssistRequest:
    item = get_visible_or_404(
        AssistRequest.objects.select_related("assistant", "requested_by"), request.user, pk=assist_id
    )
    try:
        actions.record_assist(
            item,
            by=request.user,
            done_on=payload.done_on,
            what_done=payload.what_done,
            outcome=payload.outcome,
        )
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return item
