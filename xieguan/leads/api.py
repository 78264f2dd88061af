"""The leads API (/api/v1/leads/…): list, detail, report, and the assistant's 协查 record.

Scoped like the pages (visible_to / get_visible_or_404: out of scope is 404), the same actions
(a refused step is 409 with the Chinese reason, bad input 400, a wrong role 403), and the same
confidentiality rule: the API always shows a complainant masked (confidentiality.Where.API).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404
from ninja import File, Router, Schema
from ninja import Form as FormField
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from xieguan.accounts.models import Agency, Role, User
from xieguan.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from xieguan.leads import actions
from xieguan.leads.actions import LeadRefused
from xieguan.leads.confidentiality import Where, complainant_for
from xieguan.leads.filters import filtered_leads, parse_filters
from xieguan.leads.forms import ComplaintForm, LeadForm
from xieguan.leads.models import AssistPhoto, AssistRequest, Complaint, Lead, LeadPhoto, LeadSource
from xieguan.lib.access import AuthedRequest
from xieguan.lib.images import read_upload
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import is_repeat, owned_by, repeat_of

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
    client_uuid: uuid.UUID | None = None  # the phone's id of this record: a repeat is accepted once


class Error(Schema):
    detail: str


class Problems(Schema):
    """A refusal of the sync endpoints: what to tell the user, and every problem found."""

    detail: str
    problems: list[str]


class LeadIn(Schema):
    client_uuid: uuid.UUID
    lead_type: str
    abnormal_kind: str = ""
    importance: str = ""
    employer_id: int | None = None
    place: str = ""
    region: str = ""  # township or village code; ignored when employer_id is given
    discovered_at: dt.datetime
    description: str


class ComplaintIn(Schema):
    client_uuid: uuid.UUID
    received_at: dt.datetime
    channel: str
    content: str
    employer_id: int | None = None
    place: str = ""
    region: str = ""
    importance: str = "normal"
    anonymous: bool = False
    complainant_name: str = ""
    complainant_contact: str = ""


class LeadSaved(Schema):
    created: bool
    client_uuid: uuid.UUID | None
    lead: LeadOut


class ComplaintSaved(Schema):
    created: bool
    client_uuid: uuid.UUID | None
    complaint_id: int
    lead: LeadOut


class PhotoOut(Schema):
    id: int
    client_uuid: uuid.UUID | None
    url: str


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


def _problems(exc: ValidationError, detail: str = "无法保存") -> Status:
    """A refusal as the sync endpoints answer it: 409 for a step the state does not allow,
    400 for input to correct; {"detail", "problems"} in Chinese."""
    status = 409 if getattr(exc, "code", None) == "state" else 400
    return Status(status, {"detail": detail, "problems": [str(m) for m in exc.messages]})


def _form_problems(form: Form) -> Status:
    problems = [
        f"{form.fields[name].label}：{message}" if name in form.fields else str(message)
        for name, messages in form.errors.items()
        for message in messages
    ]
    return Status(400, {"detail": "输入有误", "problems": problems})


def _place_data(payload: LeadIn | ComplaintIn, user: User) -> dict[str, Any]:
    return {
        "employer": payload.employer_id or "",
        "place": payload.place,
        "region": payload.region or user.region_id,
    }


def _lead_out(lead_id: int) -> Lead:
    return Lead.objects.select_related(*LEAD_RELATED).get(pk=lead_id)


@router.get("/leads", response=list[LeadOut], summary="线索列表（与页面相同的筛选参数，见 docs/leads.md）")
@paginate(PageNumberPagination, page_size=50)
def list_leads(request: AuthedRequest) -> QuerySet[Lead]:
    form = parse_filters(request.GET, request.user)
    if form.errors:
        raise HttpError(400, "；".join(str(e) for errors in form.errors.values() for e in errors))
    leads = filtered_leads(request.user, form).select_related(*LEAD_RELATED)
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
    summary="记录协查情况（带 client_uuid 时幂等：同一编号再次发送返回已保存的记录，200）",
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
            record_uuid=payload.client_uuid,
        )
    except LeadRefused as exc:
        raise _refused(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return item


# --- records made on the phone (exactly once by client_uuid; docs/sync.md) ---------------------


@router.post(
    "/leads",
    response={200: LeadSaved, 201: LeadSaved, 400: Problems, 403: Error, 409: Problems},
    summary="录入线索（协管员直接发现；按 client_uuid 幂等）",
    description=(
        "同一 client_uuid 第一次 201，重复 200 并返回已保存的线索（内容不同也以第一次为准）。"
        "照片随后逐张上传到 /leads/{id}/photos。"
    ),
)
def create_lead(request: AuthedRequest, payload: LeadIn) -> Status:
    user = request.user
    if user.role != Role.ASSISTANT:
        raise HttpError(403, "只有协管员可以录入线索。")
    found = repeat_of(
        Lead.objects.all(), payload.client_uuid, user=user, mine=owned_by(user, "discovered_by")
    )
    if found is not None:
        return Status(200, {"created": False, "client_uuid": found.client_uuid, "lead": _lead_out(found.pk)})
    data = {
        **_place_data(payload, user),
        "lead_type": payload.lead_type,
        "abnormal_kind": payload.abnormal_kind,
        "importance": payload.importance,
        "discovered_at": payload.discovered_at,
        "description": payload.description,
    }
    form = LeadForm(data, user=user)
    if not form.is_valid():
        return _form_problems(form)
    clean = form.cleaned_data
    try:
        lead = actions.discover_lead(
            region=form.region_obj(),
            lead_type=clean["lead_type"],
            source=LeadSource.DIRECT,
            description=clean["description"],
            discovered_by=user,
            discovered_at=clean["discovered_at"],
            employer=clean["employer"],
            importance=clean["importance"] or None,
            abnormal_kind=clean["abnormal_kind"],
            place=clean["place"],
            client_uuid=payload.client_uuid,
        )
    except LeadRefused as exc:
        return _problems(exc)
    status = 200 if is_repeat(lead) else 201
    return Status(
        status, {"created": status == 201, "client_uuid": lead.client_uuid, "lead": _lead_out(lead.pk)}
    )


@router.post(
    "/complaints",
    response={200: ComplaintSaved, 201: ComplaintSaved, 400: Problems, 403: Error, 409: Problems},
    summary="登记群众投诉举报（生成线索；按 client_uuid 幂等）",
    description="同一 client_uuid 第一次 201，重复 200 并返回已保存的记录（内容不同也以第一次为准）。",
)
def create_complaint(request: AuthedRequest, payload: ComplaintIn) -> Status:
    user = request.user
    if user.role not in (Role.ASSISTANT, Role.COUNTY_ADMIN):
        raise HttpError(403, "只有协管员和县(区)卫生健康行政部门可以登记投诉举报。")
    found = repeat_of(
        Complaint.objects.all(), payload.client_uuid, user=user, mine=owned_by(user, "recorded_by")
    )
    if found is None:
        data = {
            **_place_data(payload, user),
            "received_at": payload.received_at,
            "channel": payload.channel,
            "content": payload.content,
            "importance": payload.importance,
            "anonymous": payload.anonymous,
            "complainant_name": payload.complainant_name,
            "complainant_contact": payload.complainant_contact,
        }
        form = ComplaintForm(data, user=user)
        if not form.is_valid():
            return _form_problems(form)
        clean = form.cleaned_data
        try:
            found = actions.record_complaint(
                region=form.region_obj(),
                recorded_by=user,
                channel=clean["channel"],
                content=clean["content"],
                received_at=clean["received_at"],
                employer=clean["employer"],
                place=clean["place"],
                anonymous=clean["anonymous"],
                complainant_name=clean["complainant_name"],
                complainant_contact=clean["complainant_contact"],
                importance=clean["importance"],
                client_uuid=payload.client_uuid,
            )
        except LeadRefused as exc:
            return _problems(exc)
        except PermissionDenied as exc:
            raise HttpError(403, str(exc)) from exc
    status = 200 if is_repeat(found) else 201
    out = {
        "created": status == 201,
        "client_uuid": found.client_uuid,
        "complaint_id": found.pk,
        "lead": _lead_out(found.lead_id) if found.lead_id else None,
    }
    return Status(status, out)


def _photo_status(photo: LeadPhoto | AssistPhoto, url_name: str) -> Status:
    from django.urls import reverse

    out = {"id": photo.pk, "client_uuid": photo.client_uuid, "url": reverse(url_name, args=[photo.pk])}
    return Status(200 if is_repeat(photo) else 201, out)


def _photo_upload(
    add: Any,
    record: Any,
    request: AuthedRequest,
    image: UploadedFile,
    client_uuid: uuid.UUID | None,
    url_name: str,
) -> Status:
    """One photo for a lead or a 协查 through its action; refusals as the sync API answers them."""
    try:
        photo = add(record, by=request.user, image=read_upload(image), client_uuid=client_uuid)
    except LeadRefused as exc:
        return _problems(exc)
    except ValidationError as exc:
        return Status(400, {"detail": "无法保存", "problems": [f"照片：{m}" for m in exc.messages]})
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _photo_status(photo, url_name)


@router.post(
    "/leads/{lead_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, 400: Problems, 403: Error, 409: Problems},
    summary="为录入的线索上传照片（multipart；按 client_uuid 幂等）",
)
def upload_lead_photo(
    request: AuthedRequest,
    lead_id: int,
    image: File[UploadedFile],
    client_uuid: FormField[uuid.UUID | None] = None,
) -> Status:
    lead = get_visible_or_404(Lead, request.user, pk=lead_id)
    return _photo_upload(actions.add_lead_photo, lead, request, image, client_uuid, "leads:photo")


@router.post(
    "/assists/{assist_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, 400: Problems, 403: Error, 409: Problems},
    summary="上传协查照片（multipart；记录前后均可；按 client_uuid 幂等）",
)
def upload_assist_photo(
    request: AuthedRequest,
    assist_id: int,
    image: File[UploadedFile],
    client_uuid: FormField[uuid.UUID | None] = None,
) -> Status:
    item = get_visible_or_404(AssistRequest, request.user, pk=assist_id)
    return _photo_upload(actions.add_assist_photo, item, request, image, client_uuid, "leads:assist_photo")
