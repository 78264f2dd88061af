"""API of assigned tasks for the assignee's phone client: list own assignments, answer them.

Mounted at /api/v1/tasks/ by xieguan/api/api.py. Assistants only (other roles: 403); an
assignment that is not the caller's answers 404, like one that does not exist. Answering is
idempotent: the same completion sent twice (an offline phone retrying) is stored once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from ninja import File, Router, Schema
from ninja import Form as FormField
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from xieguan.accounts.models import Role, User
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import is_repeat
from xieguan.tasks import actions
from xieguan.tasks.models import PENDING, AssignmentStatus, TaskAssignment

router = Router(tags=["交办任务"])
ANSWERED_LIMIT = 100


class FileOut(Schema):
    name: str
    url: str


class AssignmentOut(Schema):
    id: int
    task_id: int
    title: str
    description: str
    due_on: dt.date
    answer_required: bool
    issued_by: str
    status: str
    status_label: str
    overdue: bool
    note: str
    answered_at: dt.datetime | None
    attachments: list[FileOut]


class CompleteIn(Schema):
    note: str
    client_uuid: uuid.UUID | None = None  # the phone's id of this answer (docs/sync.md)


class UnableIn(Schema):
    reason: str
    client_uuid: uuid.UUID | None = None


class AnswerFileOut(Schema):
    id: int
    client_uuid: uuid.UUID | None
    name: str
    url: str


class ErrorOut(Schema):
    detail: str


def _out(a: TaskAssignment, today: dt.date) -> AssignmentOut:
    task = a.task
    return AssignmentOut(
        id=a.pk,
        task_id=task.pk,
        title=task.title,
        description=task.description,
        due_on=task.due_on,
        answer_required=task.answer_required,
        issued_by=str(task.created_by),
        status=a.status,
        status_label=str(a.get_status_display()),
        overdue=a.is_overdue(today),
        note=a.note,
        answered_at=a.answered_at,
        attachments=[
            FileOut(name=f.name, url=reverse("tasks:task_file", args=[f.pk])) for f in task.attachments.all()
        ],
    )


def _require_assistant(request: AuthedRequest) -> None:
    if request.user.role != Role.ASSISTANT:
        raise HttpError(403, "只有协管员可以使用交办任务接口。")


def _own(request: AuthedRequest, pk: int) -> TaskAssignment:
    qs = TaskAssignment.objects.filter(assignee=request.user).select_related("task", "task__created_by")
    return get_visible_or_404(qs.prefetch_related("task__attachments"), request.user, pk=pk)


def _message(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


@router.get(
    "/assignments",
    response={200: list[AssignmentOut], 403: ErrorOut},
    summary="我的交办任务",
    description="status=pending（默认）：待完成的，按期限排序；status=all：另加最近填报的 100 条。",
)
def my_assignments(
    request: AuthedRequest, status: Literal["pending", "all"] = "pending"
) -> list[AssignmentOut]:
    _require_assistant(request)
    base = _mine(request.user)
    found = list(base.filter(PENDING).order_by("task__due_on", "pk"))
    if status == "all":
        pending_ids = [a.pk for a in found]
        found += list(base.exclude(pk__in=pending_ids).order_by("-created_at")[:ANSWERED_LIMIT])
    today = timezone.localdate()
    return [_out(a, today) for a in found]


def _mine(user: User) -> QuerySet[TaskAssignment]:
    return (
        TaskAssignment.objects.visible_to(user)
        .filter(assignee=user)
        .select_related("task", "task__created_by")
        .prefetch_related("task__attachments")
    )


def pending_assignments(user: User) -> list[AssignmentOut]:
    """The assignee's assignments still to answer, by deadline (also in the offline bundle)."""
    today = timezone.localdate()
    return [_out(a, today) for a in _mine(user).filter(PENDING).order_by("task__due_on", "pk")]


@router.post(
    "/assignments/{pk}/complete",
    response={200: AssignmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="填报完成情况（带 client_uuid 时按编号幂等：重复发送返回已保存的填报，200）",
)
def complete(request: AuthedRequest, pk: int, payload: CompleteIn) -> AssignmentOut:
    _require_assistant(request)
    a = _own(request, pk)
    if payload.client_uuid is None and a.status == AssignmentStatus.DONE and a.note == payload.note.strip():
        return _out(a, timezone.localdate())  # a retry of the same answer without a UUID: stored once
    try:
        done = actions.complete_assignment(
            a, by=request.user, note=payload.note, answer_uuid=payload.client_uuid
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        status = 409 if a.status != AssignmentStatus.OPEN or a.task.status != "open" else 400
        raise HttpError(status, _message(exc)) from exc
    return _out(done, timezone.localdate())


@router.post(
    "/assignments/{pk}/unable",
    response={200: AssignmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="说明无法完成的原因（带 client_uuid 时按编号幂等）",
)
def unable(request: AuthedRequest, pk: int, payload: UnableIn) -> AssignmentOut:
    _require_assistant(request)
    a = _own(request, pk)
    if (
        payload.client_uuid is None
        and a.status == AssignmentStatus.UNABLE
        and a.note == payload.reason.strip()
    ):
        return _out(a, timezone.localdate())
    try:
        answered = actions.report_unable(
            a, by=request.user, reason=payload.reason, answer_uuid=payload.client_uuid
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        status = 409 if a.status != AssignmentStatus.OPEN or a.task.status != "open" else 400
        raise HttpError(status, _message(exc)) from exc
    return _out(answered, timezone.localdate())


@router.post(
    "/assignments/{pk}/files",
    response={
        200: AnswerFileOut,
        201: AnswerFileOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="上传填报的照片或文件（multipart；按 client_uuid 幂等）",
    description="同一 client_uuid 第一次 201，重复 200 并返回已保存的文件（任务关闭后重发也是 200）。",
)
def upload_answer_file(
    request: AuthedRequest,
    pk: int,
    file: File[UploadedFile],
    client_uuid: FormField[uuid.UUID | None] = None,
) -> Status:
    _require_assistant(request)
    a = _own(request, pk)
    try:
        stored = actions.add_answer_file(a, by=request.user, upload=file, client_uuid=client_uuid)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        status = 409 if a.task.status != "open" or a.status == AssignmentStatus.TRANSFERRED else 400
        raise HttpError(status, _message(exc)) from exc
    out = {
        "id": stored.pk,
        "client_uuid": stored.client_uuid,
        "name": stored.name,
        "url": reverse("tasks:answer_file", args=[stored.pk]),
    }
    return Status(200 if is_repeat(stored) else 201, out)
