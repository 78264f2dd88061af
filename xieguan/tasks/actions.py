"""Domain actions on assigned tasks. Views, the API, demo data and commands call these only.

Every action is atomic and validates before it writes: a refused action leaves nothing
half-saved. Refusals are ``ValidationError`` (bad input or state, shown to the user) or
``PermissionDenied`` (the caller may not do this to a record they can see).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from xieguan.accounts.models import MANAGER_ROLES, Notification, Role, User, can_work
from xieguan.lib import images
from xieguan.lib.filechanges import insert_with_files
from xieguan.lib.scoping import region_in_scope
from xieguan.lib.sync import REPEAT_ATTR, UuidTaken, create_once, stored, uuid_saved
from xieguan.regions.models import Level, Region
from xieguan.tasks.forms import validate_uploads
from xieguan.tasks.models import (
    IMAGE_SUFFIXES,
    AnswerFile,
    AssignmentStatus,
    Task,
    TaskAssignment,
    TaskAttachment,
    TaskStatus,
)

ISSUER_ROLES = MANAGER_ROLES  # province, prefecture and county may assign tasks
TRANSFER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN})


def can_manage(user: User, task: Task) -> bool:
    """Remind and close: managers of the region the task was issued in (or above it)."""
    return user.role in ISSUER_ROLES and region_in_scope(user, task.region_id)


def can_transfer(user: User, assignment: TaskAssignment) -> bool:
    return user.role in TRANSFER_ROLES and region_in_scope(user, assignment.region_id)


def _notify(rows: Sequence[Notification]) -> list[Notification]:
    """Create the notifications whose (recipient, key) has not been notified yet; two queries.

    Each event has a key, so calling again for the same event notifies nobody twice.
    """
    if not rows:
        return []
    existing = set(
        Notification.objects.filter(
            recipient_id__in={n.recipient_id for n in rows}, key__in={n.key for n in rows}
        ).values_list("recipient_id", "key")
    )
    fresh = [n for n in rows if (n.recipient_id, n.key) not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return fresh


def _notice(
    recipient_id: int, region_id: str, *, kind: str, title: str, body: str, url: str, key: str
) -> Notification:
    return Notification(
        recipient_id=recipient_id,
        region_id=region_id,
        kind=kind,
        title=title[:200],
        body=body,
        url=url,
        key=key,
    )


def _clean_text(value: str, message: str, *, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _save_files(
    model: type[TaskAttachment] | type[AnswerFile], files: Sequence[UploadedFile], **owner: object
) -> None:
    """Images are checked and re-encoded (lib/images.py), stored as .jpg; other files as sent
    (they are only ever served as downloads, lib/files.py). All are checked before any is stored."""
    prepared: list[tuple[Any, str]] = []
    for upload in files:
        name = (upload.name or "")[-200:]
        if PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES:
            stored = images.photo_file(upload)
            prepared.append((stored, f"{PurePosixPath(name).stem[:190]}.jpg"))
        else:
            prepared.append((upload, name))
    for file, name in prepared:
        insert_with_files(model, file=file, name=name, size=file.size or 0, **owner)


@transaction.atomic
def assign_task(
    *,
    by: User,
    title: str,
    description: str,
    due_on: dt.date,
    answer_required: bool = True,
    assistants: Iterable[User] = (),
    regions: Iterable[Region] = (),
    files: Sequence[UploadedFile] = (),
) -> Task:
    """Issue a task to assistants, to townships or to counties (their assistants who can work now,
    ``accounts.models.can_work``).

    One assignment per assistant: an assistant named directly and also reached through their
    township gets one. Each assignee is notified once.
    """
    if by.role not in ISSUER_ROLES:
        raise PermissionDenied(_("只有省、市(州)、县(区)卫生健康行政部门可以交办任务。"))
    title = _clean_text(title, _("请填写任务名称。"), field="title")
    description = _clean_text(description, _("请填写任务要求。"), field="description")
    validate_uploads(files)
    people = list(assistants)
    targets = list(regions)
    for person in people:
        if person.role != Role.ASSISTANT or not person.can_work():
            raise ValidationError(_("%(name)s 不是在聘的协管员，不能交办。") % {"name": person})
        if not region_in_scope(by, person.region_id):
            raise ValidationError(_("%(name)s 不在您的辖区内。") % {"name": person})
    for region in targets:
        if region.level not in (Level.TOWNSHIP, Level.COUNTY):
            raise ValidationError(
                _("只能交办给乡(镇、街道)或县(区)：%(name)s 不是。") % {"name": region.name}
            )
        if not region_in_scope(by, region.code):
            raise ValidationError(_("%(name)s 不在您的辖区内。") % {"name": region.name})

    # Expand the regions to their active assistants, in one query.
    via: dict[int, Region | None] = {person.pk: None for person in people}
    chosen: dict[int, User] = {person.pk: person for person in people}
    if targets:
        match = Q()
        for region in targets:
            match |= Q(region__code__startswith=region.code)
        reached = list(User.objects.filter(match, can_work(), role=Role.ASSISTANT).order_by("pk"))
        for region in targets:
            members = [u for u in reached if u.region_id.startswith(region.code)]
            if not members:
                raise ValidationError(
                    _("%(name)s 目前没有在聘的协管员，无法交办；请改选其他对象。") % {"name": region.name}
                )
            for member in members:
                chosen.setdefault(member.pk, member)
                via.setdefault(member.pk, region)
    if not chosen:
        raise ValidationError(_("请至少选择一名协管员、一个乡镇或一个县(区)。"))

    task = Task.objects.create(
        region_id=by.region_id,
        title=title,
        description=description,
        due_on=due_on,
        answer_required=answer_required,
        created_by=by,
    )
    if targets:
        task.targets.set(targets)
    _save_files(TaskAttachment, files, task=task, region_id=task.region_id)
    bulk_create_with_history(
        [
            TaskAssignment(task=task, region_id=person.region_id, assignee=person, via=via[pk])
            for pk, person in sorted(chosen.items())
        ],
        TaskAssignment,
        default_user=by,
    )
    body = _("完成期限：%(due)s") % {"due": due_on.isoformat()}
    _notify(
        [
            _notice(
                a.assignee_id,
                a.region_id,
                kind="task_assigned",
                title=_("新的交办任务：%(title)s") % {"title": title},
                body=body,
                url=a.get_absolute_url(),
                key=f"task-assigned:{a.pk}",
            )
            for a in TaskAssignment.objects.filter(task=task).only("pk", "assignee_id", "region_id")
        ]
    )
    return task


def _lock_open(assignment: TaskAssignment, by: User) -> TaskAssignment:
    """The assignment, locked, if ``by`` is its assignee and it still awaits an answer."""
    locked = _lock_own(assignment, by)
    _check_open(locked)
    return locked


def _lock_own(assignment: TaskAssignment, by: User) -> TaskAssignment:
    if by.pk != assignment.assignee_id:
        raise PermissionDenied(_("只有被交办的协管员本人可以填报。"))
    return TaskAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)


def _check_open(locked: TaskAssignment) -> None:
    if locked.task.status != TaskStatus.OPEN:
        raise ValidationError(_("该任务已关闭，不能再填报。"))
    if locked.status != AssignmentStatus.OPEN:
        raise ValidationError(
            _("该任务您已填报（%(status)s），不能重复填报。") % {"status": locked.get_status_display()}
        )


def _answered_before(locked: TaskAssignment, answer_uuid: uuid.UUID | None, by: User) -> bool:
    """Whether this answer (by its UUID) is already stored: then it is returned as it is. The
    UUID of another assignment's answer in ``by``'s scope is ``UuidTaken``; one outside the scope
    is not seen here and is met when the answer is saved (``sync.uuid_saved``): ``UuidTaken`` too."""
    if answer_uuid is None:
        return False
    if locked.answer_uuid == answer_uuid:
        setattr(locked, REPEAT_ATTR, True)
        return True
    if stored(TaskAssignment.objects.all(), answer_uuid, user=by, field="answer_uuid") is not None:
        raise UuidTaken
    return False


def _notify_issuer(assignment: TaskAssignment, verb: str) -> None:
    task = assignment.task
    _notify(
        [
            _notice(
                task.created_by_id,
                task.region_id,
                kind="task_answered",
                title=_("%(who)s %(verb)s：%(title)s")
                % {"who": assignment.assignee, "verb": verb, "title": task.title},
                body=assignment.note[:500],
                url=assignment.get_absolute_url(),
                key=f"task-answered:{assignment.pk}",
            )
        ]
    )


def _answer(
    assignment: TaskAssignment,
    *,
    by: User,
    status: str,
    text: tuple[str, str, str],  # (value, message when empty, field)
    files: Sequence[UploadedFile],
    answer_uuid: uuid.UUID | None,
    verb: str,
) -> TaskAssignment:
    """Store an answer. A repeat of a stored answer (same ``answer_uuid``) is returned as stored
    before anything is checked, whatever its body (docs/sync.md)."""
    value, message, field = text
    if answer_uuid is None:  # checked before the lock, as before UUIDs existed
        value = _clean_text(value, message, field=field)
    locked = _lock_own(assignment, by)
    if _answered_before(locked, answer_uuid, by):
        return locked
    value = _clean_text(value, message, field=field)
    _check_open(locked)
    validate_uploads(files)
    locked.status = status
    locked.note = value
    locked.answered_at = timezone.now()
    locked.answer_uuid = answer_uuid
    with uuid_saved(TaskAssignment, "answer_uuid"):
        locked.save(update_fields=["status", "note", "answered_at", "answer_uuid"])
    _save_files(AnswerFile, files, assignment=locked, region_id=locked.region_id)
    _notify_issuer(locked, verb)
    return locked


@transaction.atomic
def complete_assignment(
    assignment: TaskAssignment,
    *,
    by: User,
    note: str,
    files: Sequence[UploadedFile] = (),
    answer_uuid: uuid.UUID | None = None,
) -> TaskAssignment:
    """The assignee records completion with a note and optional photos or files. Idempotent by
    ``answer_uuid`` (the phone's id of this answer; ``lib.sync.is_repeat`` tells a repeat)."""
    return _answer(
        assignment,
        by=by,
        status=AssignmentStatus.DONE,
        text=(note, _("请填写完成情况。"), "note"),
        files=files,
        answer_uuid=answer_uuid,
        verb=_("已完成"),
    )


@transaction.atomic
def report_unable(
    assignment: TaskAssignment,
    *,
    by: User,
    reason: str,
    files: Sequence[UploadedFile] = (),
    answer_uuid: uuid.UUID | None = None,
) -> TaskAssignment:
    """The assignee says why the task cannot be done. Idempotent by ``answer_uuid``."""
    return _answer(
        assignment,
        by=by,
        status=AssignmentStatus.UNABLE,
        text=(reason, _("请说明无法完成的原因。"), "reason"),
        files=files,
        answer_uuid=answer_uuid,
        verb=_("无法完成"),
    )


def _latest(assignment: TaskAssignment) -> AnswerFile:
    return AnswerFile.objects.filter(assignment=assignment).latest("pk")


@transaction.atomic
def add_answer_file(
    assignment: TaskAssignment, *, by: User, upload: UploadedFile, client_uuid: uuid.UUID | None = None
) -> AnswerFile:
    """One photo or file of the assignee's answer, sent by the phone after (or before) the answer
    while the task is open. Idempotent by ``client_uuid``: a repeat returns the stored file, also
    after the task was closed."""
    if by.pk != assignment.assignee_id:
        raise PermissionDenied(_("只有被交办的协管员本人可以填报。"))

    def create() -> AnswerFile:
        locked = TaskAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
        if locked.task.status != TaskStatus.OPEN:
            raise ValidationError(_("该任务已关闭，不能再填报。"))
        if locked.status == AssignmentStatus.TRANSFERRED:
            raise ValidationError(_("该任务已转交他人，不能再填报。"))
        validate_uploads([upload])
        _save_files(
            AnswerFile, [upload], assignment=locked, region_id=locked.region_id, client_uuid=client_uuid
        )
        return AnswerFile.objects.filter(assignment=locked).latest("pk")

    stored, _created = create_once(
        AnswerFile.objects.all(),
        client_uuid,
        create,
        user=by,
        mine=lambda f: f.assignment_id == assignment.pk,
    )
    return stored


@transaction.atomic
def acknowledge_assignment(assignment: TaskAssignment, *, by: User) -> TaskAssignment:
    """For a task that needs no answer: the assignee has read it."""
    locked = _lock_open(assignment, by)
    if locked.task.answer_required:
        raise ValidationError(_("此任务需要填报完成情况，不能只点“已知悉”。"))
    locked.status = AssignmentStatus.ACKNOWLEDGED
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    return locked


def mark_seen(assignment: TaskAssignment, *, by: User) -> None:
    """The assignee opened the assignment (shown to the issuer as 已查看)."""
    if by.pk == assignment.assignee_id and assignment.seen_at is None:
        assignment.seen_at = timezone.now()
        TaskAssignment.objects.filter(pk=assignment.pk, seen_at__isnull=True).update(
            seen_at=assignment.seen_at
        )


@transaction.atomic
def remind(task: Task, *, by: User, key: str | None = None) -> int:
    """Remind every assignee (in ``by``'s region) who has not answered; once per reminder key.

    The key defaults to today's date: pressing 催办 twice on a day reminds once. Returns the
    number of assistants reminded now.
    """
    if not can_manage(by, task):
        raise PermissionDenied(_("只有交办单位可以催办。"))
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("该任务已关闭，无需催办。"))
    reminder_key = key or timezone.localdate().isoformat()
    pending = list(
        TaskAssignment.objects.visible_to(by).filter(task=task, status=AssignmentStatus.OPEN).order_by("pk")
    )
    title = _("催办：%(title)s") % {"title": task.title}
    body = _("请在 %(due)s 前完成并填报。") % {"due": task.due_on.isoformat()}
    sent = _notify(
        [
            _notice(
                a.assignee_id,
                a.region_id,
                kind="task_reminder",
                title=title,
                body=body,
                url=a.get_absolute_url(),
                key=f"task-remind:{a.pk}:{reminder_key}",
            )
            for a in pending
        ]
    )
    reminded = {n.recipient_id for n in sent}
    TaskAssignment.objects.filter(task=task, assignee_id__in=reminded).update(last_reminded_at=timezone.now())
    return len(reminded)


@transaction.atomic
def close_task(task: Task, *, by: User, note: str = "") -> Task:
    """Close a task: it leaves every work list; unanswered assignments stay visible as such."""
    if not can_manage(by, task):
        raise PermissionDenied(_("只有交办单位可以关闭任务。"))
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.status == TaskStatus.CLOSED:
        raise ValidationError(_("该任务已经关闭。"))
    locked.status = TaskStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.close_note = (note or "").strip()
    locked.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    return locked


@transaction.atomic
def transfer_assignment(assignment: TaskAssignment, *, by: User, to: User) -> TaskAssignment:
    """Hand an unanswered assignment to another active assistant (e.g. after a dismissal).

    The old assignment is kept as 已转交 and points at the new one; the new assignee is notified.
    """
    if not can_transfer(by, assignment):
        raise PermissionDenied(_("只有县(区)或省卫生健康行政部门可以转交任务。"))
    locked = TaskAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
    if locked.task.status != TaskStatus.OPEN:
        raise ValidationError(_("该任务已关闭，不能转交。"))
    if locked.status != AssignmentStatus.OPEN:
        raise ValidationError(
            _("只能转交尚未填报的任务（当前：%(status)s）。") % {"status": locked.get_status_display()}
        )
    if to.role != Role.ASSISTANT or not to.can_work():
        raise ValidationError(_("%(name)s 不是在聘的协管员，不能转交。") % {"name": to})
    if not region_in_scope(by, to.region_id):
        raise ValidationError(_("%(name)s 不在您的辖区内。") % {"name": to})
    if TaskAssignment.objects.filter(task=locked.task, assignee=to).exists():
        raise ValidationError(_("%(name)s 已有此任务。") % {"name": to})
    new = TaskAssignment.objects.create(task=locked.task, region_id=to.region_id, assignee=to, via=locked.via)
    locked.status = AssignmentStatus.TRANSFERRED
    locked.transferred_to = new
    locked.save(update_fields=["status", "transferred_to"])
    _notify(
        [
            _notice(
                to.pk,
                to.region_id,
                kind="task_assigned",
                title=_("转交给您的任务：%(title)s") % {"title": locked.task.title},
                body=_("原由 %(who)s 负责；完成期限：%(due)s")
                % {"who": locked.assignee, "due": locked.task.due_on.isoformat()},
                url=new.get_absolute_url(),
                key=f"task-assigned:{new.pk}",
            )
        ]
    )
    return new
