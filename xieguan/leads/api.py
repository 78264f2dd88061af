"""The leads API (/api/v1/leads/…): list, detail, report, and the assistant's 协查 record.

Scoped like the pages (visible_to / get_visible_or_404: out of scope is 404), the same actions
(a refused step is 409 with the Chinese reason, bad input 400, a wrong role 403), and the same
confidentiality rule: the API always shows a complainant masked (confidentiality.Where.API).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
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
    reported_at: dt.datetime | None = None
    note: str = ""


class AssistRecordIn(Schema):
    done_on: dt.date
    what_done: str
    outcome: str


class Error(Schema):
    detail: str


LEAD_RELATED = ("employer", "discovered_by", "reported_to_agency", "reported_to_officer")


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
    agency = officer = None
    if payload.agency_id is not None:
        agency = Agency.objects.filter(pk=payload.agency_id, kind=Agency.Kind.SUPERVISION).first()
        if agency is None:
            raise HttpError(400, "所选机构不存在或不是卫生健康监督机构。")
    if payload.officer_id is not None:
        officer = User.objects.filter(pk=payload.officer_id, role=Role.OFFICER).first()
        if officer is None:
            raise HttpError(400, "所选执法人员不存在。")
    try:
        actions.report_lead(
            lead,
            by=user,
            method=payload.method,
            agency=agency,
            officer=officer,
            reported_at=payload.reported_at,
            note=payload.note,
        )
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _detail(request, lead_id)


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
