"""API of consultations and guidance (咨询、指导) for the assistant's phone client.

Mounted at /api/v1/outreach/ by xieguan/api/api.py. Recording is idempotent by the phone's
``client_uuid`` (lib/sync.py): the first request answers 201, a repeat 200 with the stored
record; a UUID of someone else's record answers 404.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from xieguan.employers.models import Employer
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404
from xieguan.outreach import actions
from xieguan.outreach.models import Consultation

router = Router(tags=["咨询指导"])


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


class ProblemsOut(Schema):
    detail: str
    problems: dict[str, list[str]]


class ErrorOut(Schema):
    detail: str


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


@router.post(
    "/consultations",
    response={200: ConsultationOut, 201: ConsultationOut, 403: ErrorOut, 404: ErrorOut, 422: ProblemsOut},
    summary="记录咨询指导",
    description=(
        "协管员记录对用人单位的咨询、指导（含指导企业开展职业健康检查）；同一 client_uuid 只保存一次。"
    ),
)
def record(request: AuthedRequest, payload: ConsultationIn) -> Status:
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
