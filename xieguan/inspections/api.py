"""Inspections API (/api/v1/inspections/...): templates, drafts, photos, submit, list, detail.

The phone form of the web app uses these same operations (draft autosave, photos, submit),
so the web page and the offline phone client cannot disagree. Submission is idempotent by
the client's UUID: the same submission sent twice is stored once; the repeat gets the first
result (200 instead of 201).
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import AfterValidator

from xieguan.accounts.models import Role
from xieguan.employers.models import Employer
from xieguan.inspections import actions
from xieguan.inspections.filters import InspectionFilter, listable
from xieguan.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionPhoto,
    template_items,
)
from xieguan.lib.access import AuthedRequest
from xieguan.lib.images import decode_data_url, read_upload
from xieguan.lib.prepared import Prepared
from xieguan.lib.scoping import get_visible_or_404

router = Router(tags=["巡查"])


class ItemOut(Schema):
    number: int
    wording: str
    kind: str
    na_rule: str
    lead_type: str


class QuestionOut(Schema):
    """A question of the inspection form besides the check-list items (answered true/false/null)."""

    name: str  # the InspectionIn field that carries the answer
    label: str
    true_label: str
    false_label: str


# The form's questions besides the items, in the offline template data and the web form alike.
QUESTIONS = [
    QuestionOut(
        name="legal_publicity",
        label="本次巡查是否向用人单位开展了法律法规宣传（谁执法谁普法）",
        true_label="已开展",
        false_label="未开展",
    )
]


class TemplateOut(Schema):
    id: int
    code: str
    version: int
    name: str
    is_active: bool
    items: list[ItemOut]
    questions: list[QuestionOut] = QUESTIONS


class AnswerIn(Schema):
    number: int
    answer: Literal["", "yes", "no", "na"] = ""
    note: str = ""
    important: bool | None = None  # the finding is 重要 (None: the item's default)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without a UTC offset (a client sending the phone's clock as it reads) is local
    time (Asia/Shanghai), as Django reads such a value; the actions compare aware times."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


LocalDatetime = Annotated[dt.datetime | None, AfterValidator(_aware)]


class PhotoIn(Schema):
    image: str  # data URL or base64 (JPEG/PNG)
    taken_at: LocalDatetime = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    caption: str = ""
    item_number: int | None = None


class InspectionIn(Schema):
    id: uuid.UUID
    employer_id: int
    template_id: int
    employer_version: int | None = None
    employer_name: str = ""
    address: str = ""
    legal_representative: str = ""
    phone: str = ""
    inspected_at: LocalDatetime = None
    accompanying_person: str = ""
    answers: list[AnswerIn] = []
    companion_signature: str | None = None  # data URL of a PNG; "" clears; absent keeps
    assistant_signature: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: float | None = None
    legal_publicity: bool | None = None  # 巡查时开展普法宣传; absent or null: not recorded
    photos: list[PhotoIn] = []


class AnswerOut(Schema):
    number: int
    wording: str
    answer: str
    answer_label: str
    note: str
    is_finding: bool
    important: bool


class PhotoOut(Schema):
    id: int
    client_uuid: uuid.UUID | None
    url: str
    taken_at: dt.datetime
    caption: str
    item_number: int | None


class InspectionFields(Schema):
    id: uuid.UUID
    status: str
    employer_id: int
    employer_name: str
    region: str
    assistant: str
    template_id: int
    inspected_at: dt.datetime
    submitted_at: dt.datetime | None
    complete: bool
    findings_count: int
    revision: int
    url: str


class InspectionSummary(InspectionFields):
    @staticmethod
    def resolve_region(obj: Inspection) -> str:
        return obj.region_id

    @staticmethod
    def resolve_assistant(obj: Inspection) -> str:
        return str(obj.assistant)

    @staticmethod
    def resolve_url(obj: Inspection) -> str:
        return obj.get_absolute_url()


# Built by inspection_out (no resolvers), so a submission's response reuses what it stored.
class InspectionOut(InspectionFields):
    address: str
    legal_representative: str
    phone: str
    accompanying_person: str
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy_m: float | None
    legal_publicity: bool | None
    has_companion_signature: bool
    has_assistant_signature: bool
    answers: list[AnswerOut]
    photos: list[PhotoOut]
    leads: list[int]


class SubmitOut(Schema):
    created: bool
    notices: list[str]
    leads_created: int
    inspection: InspectionOut


class ProblemsOut(Schema):
    detail: str
    problems: list[str]


def template_out(template: ChecklistTemplate, region: str) -> TemplateOut:
    """The template as the API shows it to a user of ``region`` (``is_active``: in force there)."""
    return TemplateOut(
        id=template.pk,
        code=template.code,
        version=template.version,
        name=template.name,
        is_active=template.is_active_in(region),
        items=[
            ItemOut(number=i.number, wording=i.wording, kind=i.kind, na_rule=i.na_rule, lead_type=i.lead_type)
            for i in template.items.all()
        ],
    )


def photo_out(photo: InspectionPhoto) -> PhotoOut:
    return PhotoOut(
        id=photo.pk,
        client_uuid=photo.client_uuid,
        url=reverse("inspections:photo", args=[photo.pk]),
        taken_at=photo.taken_at,
        caption=photo.caption,
        item_number=photo.item_number,
    )


def inspection_out(
    inspection: Inspection,
    answers: Iterable[InspectionAnswer] | None = None,
    photos: Iterable[InspectionPhoto] | None = None,
    leads: Iterable[int] | None = None,
) -> dict[str, Any]:
    """The content of InspectionOut. Answers (in item order, with their items), photos and
    lead ids are read from the database unless given, as a submission has them at hand."""
    if answers is None:
        answers = inspection.answers.select_related("item").order_by("item__number")
    if photos is None:
        photos = inspection.photos.all()
    if leads is None:
        leads = inspection.leads.order_by("pk").values_list("pk", flat=True)
    return {
        "id": inspection.pk,
        "status": inspection.status,
        "employer_id": inspection.employer_id,
        "employer_name": inspection.employer_name,
        "region": inspection.region_id,
        "assistant": str(inspection.assistant),
        "template_id": inspection.template_id,
        "inspected_at": inspection.inspected_at,
        "submitted_at": inspection.submitted_at,
        "complete": inspection.complete,
        "findings_count": inspection.findings_count,
        "revision": inspection.revision,
        "url": inspection.get_absolute_url(),
        "address": inspection.address,
        "legal_representative": inspection.legal_representative,
        "phone": inspection.phone,
        "accompanying_person": inspection.accompanying_person,
        "latitude": inspection.latitude,
        "longitude": inspection.longitude,
        "accuracy_m": inspection.accuracy_m,
        "legal_publicity": inspection.legal_publicity,
        "has_companion_signature": bool(inspection.companion_signature),
        "has_assistant_signature": bool(inspection.assistant_signature),
        "answers": [
            {
                "number": a.item.number,
                "wording": a.item.wording,
                "answer": a.answer,
                "answer_label": actions.answer_label(a.answer),
                "note": a.note,
                "is_finding": a.is_finding,
                "important": a.important,
            }
            for a in answers
        ],
        "photos": [photo_out(p) for p in photos],
        "leads": list(leads),
    }


def _require_assistant(request: AuthedRequest) -> None:
    if request.user.role != Role.ASSISTANT:
        raise HttpError(403, "只有协管员可以填写巡查。")


def _signature(value: str | None) -> bytes | None:
    if value is None:
        return None
    if value == "":
        return b""
    return decode_data_url(value)


def _visible_employer(user: Any, pk: int, inspection: uuid.UUID, template: int) -> QuerySet[Employer]:
    """The employer through the user's scope, and in the same statement: whether an inspection
    in that scope has this UUID already (the submission's look for a draft or an earlier
    submission; one of another region is not seen: the action meets it at the insert and answers
    404, as for any UUID that is not the user's), and the ``created_at`` of the template with
    id ``template`` (None: no such template), which checks the process's copy of it."""
    stored = Exists(Inspection.objects.visible_to(user).filter(pk=inspection))
    made = Subquery(ChecklistTemplate.objects.filter(pk=template).values("created_at")[:1])
    return (
        Employer.objects.visible_to(user)
        .filter(pk=pk)
        .annotate(inspection_stored=stored, template_created_at=made)[:1]
    )


VISIBLE_EMPLOYER = Prepared(Employer, _visible_employer)  # compiled once per process
_BIGINT = 2**63


def visible_employer(user: Any, pk: int, inspection: uuid.UUID, template: int = 0) -> Employer:
    """``get_visible_or_404(Employer, user, pk=pk)`` with the statement compiled once; the
    employer's ``inspection_stored`` says whether an inspection with that UUID exists in the
    user's scope, its ``template_created_at`` when the template with id ``template`` was made."""
    if not 0 < pk < _BIGINT:
        return get_visible_or_404(Employer, user, pk=pk)  # answers 404 as it always did
    template = template if 0 < template < _BIGINT else 0  # no template has id 0
    found = VISIBLE_EMPLOYER.list(user=user, pk=pk, inspection=inspection, template=template)
    if not found:
        raise Http404
    return cast(Employer, found[0])


def to_data(request: AuthedRequest, payload: InspectionIn) -> actions.InspectionData:
    """Turn the JSON into the action's input; the employer is fetched through the scope, the
    template with its items from the process's copy (``models.template_items``), checked against
    the template's ``created_at`` read with the employer."""
    employer = visible_employer(request.user, payload.employer_id, payload.id, payload.template_id)
    made = getattr(employer, "template_created_at", None)
    found = template_items(payload.template_id, made) if made is not None else None
    if found is not None and not found[0].is_visible_in(employer.region_id):  # another province's own
        found = None
    if found is not None:
        template, items = found
    else:
        template = get_object_or_404(ChecklistTemplate.visible_in(employer.region_id), pk=payload.template_id)
        items = []  # a template without items (found has every template with items)
    try:
        photos = [
            actions.PhotoData(
                image=decode_data_url(p.image),
                taken_at=p.taken_at,
                latitude=p.latitude,
                longitude=p.longitude,
                caption=p.caption,
                item_number=p.item_number,
            )
            for p in payload.photos
        ]
        companion = _signature(payload.companion_signature)
        assistant = _signature(payload.assistant_signature)
    except ValidationError as exc:
        raise actions.InspectionError(exc.messages) from exc
    return actions.InspectionData(
        id=payload.id,
        employer=employer,
        template=template,
        employer_name=payload.employer_name,
        address=payload.address,
        legal_representative=payload.legal_representative,
        phone=payload.phone,
        employer_version=payload.employer_version,
        inspected_at=payload.inspected_at,
        accompanying_person=payload.accompanying_person,
        answers=[actions.AnswerData(a.number, a.answer, a.note, a.important) for a in payload.answers],
        companion_signature=companion,
        assistant_signature=assistant,
        latitude=payload.latitude,
        longitude=payload.longitude,
        legal_publicity=payload.legal_publicity,
        accuracy_m=payload.accuracy_m,
        photos=photos,
        items=items,
        unseen=getattr(employer, "inspection_stored", None) is False,
    )


def _refusal(exc: actions.InspectionError) -> Status:
    if isinstance(exc, actions.NotYours):
        raise Http404
    detail = "提交前还有以下问题" if isinstance(exc, actions.SubmissionIncomplete) else "无法保存"
    return Status(422, ProblemsOut(detail=detail, problems=exc.messages))


@router.get("/templates", response=list[TemplateOut], summary="巡查表模板（含历史版本）")
def templates(request: AuthedRequest) -> list[TemplateOut]:
    region = request.user.region_id
    return [template_out(t, region) for t in ChecklistTemplate.visible_in(region).prefetch_related("items")]


@router.get("/templates/active", response=TemplateOut, summary="当前启用的巡查表模板")
def active_template(request: AuthedRequest) -> TemplateOut:
    template = ChecklistTemplate.active(request.user.region_id)
    if template is None:
        raise Http404
    return template_out(template, request.user.region_id)


@router.put(
    "/{uuid:inspection_id}/draft",
    response={200: InspectionOut, 422: ProblemsOut},
    summary="保存草稿（按客户端 UUID 新建或更新）",
)
def save_draft(request: AuthedRequest, inspection_id: uuid.UUID, payload: InspectionIn) -> Any:
    _require_assistant(request)
    if payload.id != inspection_id:
        return Status(422, ProblemsOut(detail="无法保存", problems=["地址中的编号与内容不一致。"]))
    try:
        inspection = actions.save_draft(request.user, to_data(request, payload))
    except actions.InspectionError as exc:
        return _refusal(exc)
    return Status(200, inspection_out(inspection))


@router.delete("/{uuid:inspection_id}/draft", response={204: None, 422: ProblemsOut}, summary="删除草稿")
def delete_draft(request: AuthedRequest, inspection_id: uuid.UUID) -> Any:
    inspection = get_visible_or_404(Inspection, request.user, pk=inspection_id, assistant=request.user)
    try:
        actions.delete_draft(inspection, request.user)
    except actions.InspectionError as exc:
        return _refusal(exc)
    return Status(204, None)


@router.post(
    "/{uuid:inspection_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, 422: ProblemsOut},
    summary="为草稿上传照片（照片上加盖时间、位置和单位名称；按 client_uuid 幂等）",
    description=(
        "multipart：image 与可选字段。带 client_uuid（手机生成）时，同一编号重复上传只保存一次："
        "第一次 201，重复 200 并返回已保存的照片（巡查提交后重发也是 200）。见 docs/sync.md。"
    ),
)
def upload_photo(
    request: AuthedRequest,
    inspection_id: uuid.UUID,
    image: File[UploadedFile],
    taken_at: Form[dt.datetime | None] = None,
    latitude: Form[Decimal | None] = None,
    longitude: Form[Decimal | None] = None,
    caption: Form[str] = "",
    item_number: Form[int | None] = None,
    client_uuid: Form[uuid.UUID | None] = None,
) -> Any:
    _require_assistant(request)
    inspection = get_visible_or_404(Inspection, request.user, pk=inspection_id, assistant=request.user)
    try:
        data = read_upload(image)
        photo, created = actions.add_photo(
            inspection,
            request.user,
            actions.PhotoData(data, _aware(taken_at), latitude, longitude, caption, item_number, client_uuid),
        )
    except ValidationError as exc:
        return Status(422, ProblemsOut(detail="无法保存", problems=[f"照片：{m}" for m in exc.messages]))
    except actions.InspectionError as exc:
        return _refusal(exc)
    return Status(201 if created else 200, photo_out(photo))


@router.delete("/photos/{photo_id}", response={204: None, 422: ProblemsOut}, summary="删除草稿中的照片")
def delete_photo(request: AuthedRequest, photo_id: int) -> Any:
    photo = get_visible_or_404(InspectionPhoto, request.user, pk=photo_id, inspection__assistant=request.user)
    try:
        actions.delete_photo(photo, request.user)
    except actions.InspectionError as exc:
        return _refusal(exc)
    return Status(204, None)


@router.post(
    "/submit",
    response={200: SubmitOut, 201: SubmitOut, 422: ProblemsOut},
    summary="提交巡查（按 UUID 幂等：重复提交只保存一次，返回第一次的结果）",
)
def submit(request: AuthedRequest, payload: InspectionIn) -> Any:
    _require_assistant(request)
    try:
        result = actions.submit_inspection(request.user, to_data(request, payload))
    except actions.InspectionError as exc:
        return _refusal(exc)
    if request.headers.get("X-Xieguan-Form") == "1":  # the web form shows these after its redirect
        _flash(request, result)
    out = {
        "created": result.created,
        "notices": result.notices,
        "leads_created": result.leads,
        "inspection": inspection_out(result.inspection, result.answers, result.photos, result.lead_ids),
    }
    return Status(201 if result.created else 200, out)


def _flash(request: AuthedRequest, result: actions.SubmitResult) -> None:
    if not result.created:
        messages.info(request, "这份巡查此前已经提交过，未重复保存。")
        return
    text = "巡查已提交。"
    if result.leads:
        text += f"发现问题 {result.leads} 项，已自动生成线索，请及时报告。"
    messages.success(request, text)
    for notice in result.notices:
        messages.info(request, notice)


@router.get("", response=list[InspectionSummary], summary="巡查列表（本辖区，可筛选）")
@paginate
def list_inspections(request: AuthedRequest, filters: Query[InspectionFilter]) -> QuerySet[Inspection]:
    visible = listable(Inspection.objects.visible_to(request.user), request.user)
    return filters.apply(visible).select_related("assistant")


@router.get("/{uuid:inspection_id}", response=InspectionOut, summary="巡查详情")
def detail(request: AuthedRequest, inspection_id: uuid.UUID) -> dict[str, Any]:
    inspection = get_visible_or_404(Inspection, request.user, pk=inspection_id)
    if not inspection.is_submitted and inspection.assistant_id != request.user.pk:
        raise Http404  # a draft is its author's until submitted
    return inspection_out(inspection)
