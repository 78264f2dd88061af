"""Domain actions on publicity events (宣传). Views, the API and commands call these."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xieguan.accounts.models import Role
from xieguan.employers.models import OperatingStatus
from xieguan.lib import images
from xieguan.lib.filechanges import insert_with_files
from xieguan.lib.scoping import region_in_scope
from xieguan.lib.sync import create_once, owned_by
from xieguan.outreach.models import (
    Consultation,
    ConsultationKind,
    PublicityEvent,
    PublicityKind,
    PublicityPhoto,
    PublicityRevision,
    PublicityRevisionKind,
)
from xieguan.regions.models import Level

if TYPE_CHECKING:
    from xieguan.accounts.models import User
    from xieguan.employers.models import Employer
    from xieguan.regions.models import Region


@transaction.atomic
def record_publicity_event(
    *,
    recorded_by: User,
    region: Region,
    held_on: dt.date,
    kind: str,
    topic: str,
    audience: int = 0,
    location: str = "",
    description: str = "",
    employers: Iterable[Employer] = (),
    photos: Iterable[UploadedFile] = (),
    client_uuid: uuid.UUID | None = None,
) -> PublicityEvent:
    """Record one publicity event of a township, with the employers reached and photos.

    With ``client_uuid`` (recorded on the phone) a repeat returns the stored event and writes
    nothing, whatever its body (``lib.sync.is_repeat``; docs/sync.md)."""

    def create() -> PublicityEvent:
        if region.level != Level.TOWNSHIP:
            raise ValidationError("宣传活动须记在乡(镇、街道)一级。")
        if not region_in_scope(recorded_by, region.code):
            raise ValidationError("只能记录本辖区的宣传活动。")
        reached = list(employers)
        files = images.photo_files(photos)
        if any(e.township_id != region.code for e in reached):
            raise ValidationError("覆盖的用人单位须属于活动所在乡镇。")
        event = PublicityEvent.objects.create(
            region=region,
            held_on=held_on,
            kind=kind,
            topic=topic,
            audience=audience,
            location=location,
            description=description,
            recorded_by=recorded_by,
            client_uuid=client_uuid,
        )
        event.employers.set(reached)
        _store(event, files)
        return event

    event, _created = create_once(
        PublicityEvent.objects.all(),
        client_uuid,
        create,
        user=recorded_by,
        mine=owned_by(recorded_by, "recorded_by"),
    )
    return event


@transaction.atomic
def add_publicity_photo(
    event: PublicityEvent, *, by: User, image: bytes, client_uuid: uuid.UUID | None = None
) -> PublicityPhoto:
    """One photo of an event, sent after it by the phone; its recorder only. Idempotent by
    ``client_uuid``: a repeat returns the stored photo."""
    if by.pk != event.recorded_by_id:
        raise PermissionDenied("只有记录该宣传活动的人可以补充照片。")

    def create() -> PublicityPhoto:
        return insert_with_files(
            PublicityPhoto, event=event, image=images.photo_file(image), client_uuid=client_uuid
        )

    photo, _created = create_once(
        PublicityPhoto.objects.all(), client_uuid, create, user=by, mine=lambda p: p.event_id == event.pk
    )
    return photo


@transaction.atomic
def add_publicity_photos(event: PublicityEvent, photos: Iterable[UploadedFile]) -> list[PublicityPhoto]:
    """Photos of an event, each checked and re-encoded (lib/images.py); all or none stored."""
    return _store(event, images.photo_files(photos))


def _store(event: PublicityEvent, files: Iterable[ContentFile[bytes]]) -> list[PublicityPhoto]:
    return [PublicityPhoto.objects.create(event=event, image=file) for file in files]


# --- consultations and guidance (咨询、指导) -----------------------------------------------

CONSULTATION_RECORDERS = frozenset({"assistant"})


def _consultation_problems(
    recorded_by: User,
    employer: Employer,
    given_on: dt.date | None,
    kind: str,
    subject: str,
    outcome: str,
    contact_person: str,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not region_in_scope(recorded_by, employer.region_id):
        problems["employer"] = "只能记录本辖区用人单位的咨询指导。"
    elif employer.status == OperatingStatus.CLOSED:
        problems["employer"] = "该用人单位已关闭，不能记录咨询指导。"
    if given_on is None:
        problems["given_on"] = "请填写日期。"
    elif given_on > timezone.localdate():
        problems["given_on"] = "日期不能晚于今天。"
    if kind not in ConsultationKind.values:
        problems["kind"] = "请选择类别。"
    if not subject.strip():
        problems["subject"] = "请填写咨询或指导的内容。"
    if not outcome.strip():
        problems["outcome"] = "请填写结果。"
    if len(contact_person.strip()) > Consultation._meta.get_field("contact_person").max_length:  # type: ignore[operator]
        problems["contact_person"] = "用人单位人员姓名太长（不超过 50 个字）。"
    return problems


@transaction.atomic
def record_consultation(
    *,
    recorded_by: User,
    employer: Employer,
    given_on: dt.date | None,
    kind: str,
    subject: str,
    outcome: str,
    contact_person: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Consultation, bool]:
    """Record a consultation or guidance given to an employer (第六条(一) 咨询、指导, including
    指导企业开展职业健康检查). Returns (record, created): a repeat of ``client_uuid`` returns the
    stored record and writes nothing (lib/sync.py). Refuses, all problems at once, with a
    ``ValidationError`` mapping field names to Chinese messages; nothing is stored then."""
    if recorded_by.role not in CONSULTATION_RECORDERS:
        raise PermissionDenied("只有协管员可以记录咨询指导。")

    def create() -> Consultation:
        problems = _consultation_problems(
            recorded_by, employer, given_on, kind, subject, outcome, contact_person
        )
        if problems or given_on is None:
            raise ValidationError(problems)
        return Consultation.objects.create(
            client_uuid=client_uuid,
            region_id=employer.township_id,
            employer=employer,
            given_on=given_on,
            kind=kind,
            contact_person=contact_person.strip(),
            subject=subject.strip(),
            outcome=outcome.strip(),
            recorded_by=recorded_by,
        )

    return create_once(
        Consultation.objects.all(),
        client_uuid,
        create,
        user=recorded_by,
        mine=owned_by(recorded_by, "recorded_by"),
    )


# --- corrections and withdrawal of publicity events ------------------------------------------


def publicity_snapshot(event: PublicityEvent) -> dict[str, Any]:
    """The correctable content of an event, as JSON (kept before and after each change)."""
    return {
        "held_on": event.held_on.isoformat(),
        "kind": event.kind,
        "topic": event.topic,
        "location": event.location,
        "audience": event.audience,
        "description": event.description,
        "employers": sorted(event.employers.values_list("name", flat=True)),
    }


def can_change_publicity(event: PublicityEvent, user: User) -> bool:
    """The assistant who recorded it, or a county admin of its county (the scope says which)."""
    if event.recorded_by_id == user.pk:
        return True
    return user.role == Role.COUNTY_ADMIN and region_in_scope(user, event.region_id)


def _locked(event: PublicityEvent, by: User, reason: str) -> PublicityEvent:
    fresh = PublicityEvent.objects.select_for_update().get(pk=event.pk)
    if not can_change_publicity(fresh, by):
        raise PermissionDenied("只有记录人或本县(区)卫生健康行政部门可以更正或撤回宣传活动。")
    if fresh.withdrawn_at is not None:
        raise ValidationError("该宣传活动已撤回，不能再更正或撤回。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写原因。"})
    return fresh


@transaction.atomic
def correct_publicity_event(
    event: PublicityEvent,
    *,
    by: User,
    reason: str,
    held_on: dt.date,
    kind: str,
    topic: str,
    audience: int = 0,
    location: str = "",
    description: str = "",
    employers: Iterable[Employer] = (),
) -> PublicityEvent:
    """Correct a recorded event (its township stays: an event in the wrong township is withdrawn
    and recorded again). The reason and the event before and after are kept (PublicityRevision)."""
    fresh = _locked(event, by, reason)
    problems: dict[str, str] = {}
    if held_on > timezone.localdate():
        problems["held_on"] = "活动日期不能晚于今天。"
    if kind not in PublicityKind.values:
        problems["kind"] = "请选择形式。"
    if not topic.strip():
        problems["topic"] = "请填写主题。"
    reached = list(employers)
    if any(e.township_id != fresh.region_id for e in reached):
        problems["employers"] = "覆盖的用人单位须属于活动所在乡镇。"
    if problems:
        raise ValidationError(problems)
    before = publicity_snapshot(fresh)
    fresh.held_on, fresh.kind, fresh.topic = held_on, kind, topic.strip()
    fresh.audience, fresh.location, fresh.description = audience, location.strip(), description.strip()
    fresh.save()
    fresh.employers.set(reached)
    after = publicity_snapshot(fresh)
    if after == before:
        raise ValidationError("没有修改任何内容。")
    PublicityRevision.objects.create(
        event=fresh,
        kind=PublicityRevisionKind.CORRECTED,
        reason=reason.strip(),
        by=by,
        before=before,
        after=after,
    )
    return fresh


@transaction.atomic
def withdraw_publicity_event(event: PublicityEvent, *, by: User, reason: str) -> PublicityEvent:
    """Withdraw an event entered in error: it stays, marked, with its history, and leaves the
    publicity indicator and the assessment (``PublicityEvent.objects.standing()``)."""
    fresh = _locked(event, by, reason)
    snapshot = publicity_snapshot(fresh)
    fresh.withdrawn_at = timezone.now()
    fresh.save(update_fields=["withdrawn_at"])
    PublicityRevision.objects.create(
        event=fresh,
        kind=PublicityRevisionKind.WITHDRAWN,
        reason=reason.strip(),
        by=by,
        before=snapshot,
        after={**snapshot, "withdrawn": True},
    )
    return fresh
