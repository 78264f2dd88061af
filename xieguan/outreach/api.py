"""Publicity API (/api/v1/publicity/…): record an event from the phone, add its photos, read it;
and consultations (/api/v1/outreach/consultations): record one (assistants; 201 first, 200 repeat,
422 with the problems per field).

Exactly once by a client-made UUID (docs/sync.md): the first time 201, a repeat 200 with the stored
event. Input is validated by the same PublicityEventForm as the web page; refusals are 400 with
``{"detail", "problems"}`` in Chinese; a wrong role 403; out of scope 404.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from ninja import File, Router, Schema
from ninja import Form as FormField
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from xieguan.accounts.models import Role
from xieguan.employers.models import Employer
from xieguan.lib.access import AuthedRequest
from xieguan.lib.images import read_upload
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import is_repeat, owned_by, repeat_of
from xieguan.outreach import actions
from xieguan.outreach.forms import PublicityEventForm
from xieguan.outreach.models import Consultation, PublicityEvent, PublicityPhoto

router = Router(tags=["宣传"])
# 咨询、指导 (/api/v1/outreach/consultations): exactly once by client_uuid, like the events
consultations_router = Router(tags=["咨询指导"])
RECORDERS = (Role.ASSISTANT, Role.COUNTY_ADMIN)


class EventIn(Schema):
    client_uuid: uuid.UUID
    held_on: dt.date
    kind: str
    topic: str
    region: str = ""  # township code; an assistant's own township whatever is sent
    location: str = ""
    audience: int = 0
    employer_ids: list[int] = []
    description: str = ""


class PhotoOut(Schema):
    id: int
    client_uuid: uuid.UUID | None
    url: str


class EventOut(Schema):
    id: int
    client_uuid: uuid.UUID | None
    region: str
    held_on: dt.date
    kind: str
    kind_label: str
    topic: str
    location: str
    audience: int
    employer_ids: list[int]
    description: str
    recorded_by: str
    photos: list[PhotoOut]


class EventSaved(Schema):
    created: bool
    event: EventOut


class Problems(Schema):
    detail: str
    problems: list[str]


class Error(Schema):
    detail: str


def _photo_out(photo: PublicityPhoto) -> dict[str, object]:
    return {
        "id": photo.pk,
        "client_uuid": photo.client_uuid,
        "url": reverse("outreach:photo", args=[photo.pk]),
    }


def event_out(event: PublicityEvent) -> dict[str, object]:
    return {
        "id": event.pk,
        "client_uuid": event.client_uuid,
        "region": event.region_id,
        "held_on": event.held_on,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "topic": event.topic,
        "location": event.location,
        "audience": event.audience,
        "employer_ids": sorted(e.pk for e in event.employers.all()),
        "description": event.description,
        "recorded_by": str(event.recorded_by),
        "photos": [_photo_out(p) for p in event.photos.order_by("pk")],
    }


def _problems(messages: list[str], detail: str = "无法保存") -> Status:
    return Status(400, {"detail": detail, "problems": messages})


def _require_recorder(request: AuthedRequest) -> None:
    if request.user.role not in RECORDERS:
        raise HttpError(403, "只有协管员和县(区)卫生健康行政部门可以记录宣传活动。")


@router.post(
    "",
    response={200: EventSaved, 201: EventSaved, 400: Problems, 403: Error},
    summary="记录宣传活动（按 client_uuid 幂等；照片随后逐张上传）",
    description="同一 client_uuid 第一次 201，重复 200 并返回已保存的活动（内容不同也以第一次为准）。",
)
def create_event(request: AuthedRequest, payload: EventIn) -> Status:
    _require_recorder(request)
    user = request.user
    found = repeat_of(
        PublicityEvent.objects.all(), payload.client_uuid, user=user, mine=owned_by(user, "recorded_by")
    )
    if found is None:
        data = {
            "held_on": payload.held_on,
            "region": payload.region or user.region_id,
            "kind": payload.kind,
            "topic": payload.topic,
            "location": payload.location,
            "audience": payload.audience,
            "employers": payload.employer_ids,
            "description": payload.description,
        }
        form = PublicityEventForm(data, user=user)
        if not form.is_valid():
            return _problems(
                [
                    f"{form.fields[name].label}：{m}" if name in form.fields else str(m)
                    for name, messages in form.errors.items()
                    for m in messages
                ],
                detail="输入有误",
            )
        clean = form.cleaned_data
        try:
            found = actions.record_publicity_event(
                recorded_by=user,
                region=clean["region"],
                held_on=clean["held_on"],
                kind=clean["kind"],
                topic=clean["topic"],
                audience=clean["audience"] or 0,
                location=clean["location"],
                description=clean["description"],
                employers=clean["employers"],
                client_uuid=payload.client_uuid,
            )
        except ValidationError as exc:
            return _problems([str(m) for m in exc.messages])
    status = 200 if is_repeat(found) else 201
    return Status(status, {"created": status == 201, "event": event_out(found)})


@router.get("/{event_id}", response=EventOut, summary="宣传活动详情")
def event_detail(request: AuthedRequest, event_id: int) -> dict[str, object]:
    return event_out(
        get_visible_or_404(PublicityEvent.objects.select_related("recorded_by"), request.user, pk=event_id)
    )


@router.post(
    "/{event_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, 400: Problems, 403: Error},
    summary="为宣传活动上传照片（multipart；按 client_uuid 幂等）",
)
def upload_photo(
    request: AuthedRequest,
    event_id: int,
    image: File[UploadedFile],
    client_uuid: FormField[uuid.UUID | None] = None,
) -> Status:
    event = get_visible_or_404(PublicityEvent, request.user, pk=event_id)
    try:
        photo = actions.add_publicity_photo(
            event, by=request.user, image=read_upload(image), client_uuid=client_uuid
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _problems([f"照片：{m}" if not str(m).startswith("照片") else str(m) for m in exc.messages])
    return Status(200 if is_repeat(photo) else 201, _photo_out(photo))


# --- consultations and guidance (咨询、指导) ---------------------------------------------


class ConsultationIn(Schema):
    client_uuid: uuid.UUID | None = None
    employer_id: int
    given_on: dt.date
    kind: str
    contact_person: str = ""
    subject: str = ""
    outcome: str = ""


class ConsultationOut(Schema):
    id: int
    client_uuid: uuid.UUID | None
    employer_id: int
    region: str
    given_on: dt.date
    kind: str
    kind_label: str
    contact_person: str
    subject: str
    outcome: str
    recorded_by: str


class ConsultationProblems(Schema):
    detail: str
    problems: dict[str, list[str]]  # field name -> Chinese messages


def _out(c: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=c.pk,
        client_uuid=c.client_uuid,
        employer_id=c.employer_id,
        region=c.region_id,
        given_on=c.given_on,
        kind=c.kind,
        kind_label=c.get_kind_display(),
        contact_person=c.contact_person,
        subject=c.subject,
        outcome=c.outcome,
        recorded_by=str(c.recorded_by),
    )


@consultations_router.post(
    "/consultations",
    response={200: ConsultationOut, 201: ConsultationOut, 403: Error, 404: Error, 422: ConsultationProblems},
    summary="记录咨询指导",
    description=(
        "协管员记录对用人单位的咨询、指导（含指导企业开展职业健康检查）；同一 client_uuid 只保存一次。"
    ),
)
def record_consultation(request: AuthedRequest, payload: ConsultationIn) -> Status:
    employer = get_visible_or_404(Employer, request.user, pk=payload.employer_id)
    try:
        consultation, created = actions.record_consultation(
            recorded_by=request.user,
            employer=employer,
            given_on=payload.given_on,
            kind=payload.kind,
            subject=payload.subject,
            outcome=payload.outcome,
            contact_person=payload.contact_person,
            client_uuid=payload.client_uuid,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return Status(422, {"detail": "记录有以下问题", "problems": exc.message_dict})
    return Status(201 if created else 200, _out(consultation))
