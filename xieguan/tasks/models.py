"""Assigned tasks (上级交办任务): the regulation's duty （六）完成上级交办的其他任务.

A province, prefecture or county user issues a ``Task``; it reaches assistants as one
``TaskAssignment`` per assistant (chosen directly, or every active assistant of a township
or a county at the time of assignment). The task's region is the issuer's region; each
assignment's region is the assignee's township, so the county sees the assignments in it
even when the task came from the province.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xieguan.lib.scoping import ScopedQuerySet
from xieguan.lib.sync import client_uuid_field, unique_client_uuid
from xieguan.regions.models import Region

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})


class TaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已关闭")


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成")
    UNABLE = "unable", _("无法完成")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    TRANSFERRED = "transferred", _("已转交")


# An assignment in one of these states has been answered by its assignee.
ANSWERED = frozenset({AssignmentStatus.DONE, AssignmentStatus.UNABLE, AssignmentStatus.ACKNOWLEDGED})


class TaskQuerySet(ScopedQuerySet["Task"]):
    """A task is seen in a subtree it was issued in, or that one of its assignments lies in.

    So the county sees the province's task through the assignments in the county, and an
    assistant sees the task behind an assignment; nobody sees a task that neither came from
    nor reaches into their region.
    """

    def within(self, code: str) -> TaskQuerySet:
        reaches = TaskAssignment.objects.filter(task=OuterRef("pk"), region__code__startswith=code)
        return self.filter(Q(region__code__startswith=code) | Exists(reaches))

    def open(self) -> TaskQuerySet:
        return self.filter(status=TaskStatus.OPEN)


class Task(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name=_("交办单位所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the issuer's region",
    )
    title = models.CharField(_("任务名称"), max_length=200)
    description = models.TextField(_("任务要求"))
    due_on = models.DateField(_("完成期限"))
    answer_required = models.BooleanField(
        _("需逐人反馈"),
        default=True,
        help_text=_("勾选后每位协管员须填报完成情况或说明无法完成的原因；不勾选则知悉即可。"),
    )
    targets = models.ManyToManyField(
        Region, verbose_name=_("交办的乡镇或县(区)"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("交办人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("交办时间"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("关闭说明"), blank=True)

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("交办任务")
        verbose_name_plural = _("交办任务")
        ordering = ["status", "due_on", "-created_at"]
        indexes = [models.Index(fields=["region", "status", "due_on"], name="task_region_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, closed_at__isnull=True)
                | Q(status=TaskStatus.CLOSED, closed_at__isnull=False),
                name="task_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tasks:detail", args=[self.pk])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < (today or timezone.localdate())


# Open assignments of open tasks: what still sits on somebody's work list.
PENDING = Q(status=AssignmentStatus.OPEN, task__status=TaskStatus.OPEN)


class TaskAssignmentQuerySet(ScopedQuerySet["TaskAssignment"]):
    def pending(self) -> TaskAssignmentQuerySet:
        return self.filter(PENDING)

    def overdue(self, today: dt.date | None = None) -> TaskAssignmentQuerySet:
        day = today or timezone.localdate()
        return self.pending().filter(task__answer_required=True, task__due_on__lt=day)


class TaskAssignment(models.Model):
    """One assistant's share of a task, and their answer."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    region = models.ForeignKey(
        Region,
        verbose_name=_("乡(镇、街道)"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the assignee's township at assignment time",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协管员"),
        on_delete=models.PROTECT,
        related_name="task_assignments",
    )
    via = models.ForeignKey(
        Region,
        verbose_name=_("经由"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the township or county target this assignment came from; empty when chosen by name",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.OPEN,
        db_index=True,
    )
    note = models.TextField(_("完成情况"), blank=True, help_text=_("完成情况，或无法完成的原因。"))
    answered_at = models.DateTimeField(_("填报时间"), null=True, blank=True)
    seen_at = models.DateTimeField(_("查看时间"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)
    transferred_to = models.OneToOneField(
        "self",
        verbose_name=_("转交给"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_from",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The phone's id of the answer (完成 or 无法完成): the same answer sent again is accepted once.
    answer_uuid = client_uuid_field()

    objects = TaskAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务分派")
        verbose_name_plural = _("任务分派")
        ordering = ["task", "region", "assignee"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="assignment_assignee_idx"),
            models.Index(fields=["region", "status"], name="assignment_region_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task", "assignee"], name="assignment_once_per_assistant"),
            unique_client_uuid("assignment", "answer_uuid"),
            models.CheckConstraint(
                condition=Q(status=AssignmentStatus.OPEN)
                | Q(status=AssignmentStatus.TRANSFERRED)
                | Q(answered_at__isnull=False),
                name="assignment_answer_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.UNABLE) | ~Q(note=""),
                name="assignment_unable_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.assignee}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tasks:assignment", args=[self.pk])

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.status == AssignmentStatus.OPEN and self.task.answer_required and self.task.is_overdue(today)
        )

    @property
    def on_time(self) -> bool | None:
        if self.status != AssignmentStatus.DONE or self.answered_at is None:
            return None
        return timezone.localdate(self.answered_at) <= self.task.due_on


class TaskFileQuerySet(ScopedQuerySet["TaskAttachment"]):
    def within(self, code: str) -> TaskFileQuerySet:
        # An attachment is seen wherever its task is seen (issuer's subtree or an assignee's).
        return self.filter(task__in=Task.objects.within(code).values("pk"))


def _is_image(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES


class TaskAttachment(models.Model):
    """A file the issuer attaches to the task (a notice, a form to fill)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", help_text="the task's region"
    )
    file = models.FileField(_("附件"), upload_to="task-files/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"), default=0)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TaskFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务附件")
        verbose_name_plural = _("任务附件")
        ordering = ["task", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return _is_image(self.name)


class AnswerFile(models.Model):
    """A photo or file the assignee sends with the answer."""

    assignment = models.ForeignKey(TaskAssignment, on_delete=models.CASCADE, related_name="files")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", help_text="the assignment's region"
    )
    file = models.FileField(_("照片或文件"), upload_to="task-answers/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"), default=0)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    client_uuid = client_uuid_field()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("反馈附件")
        verbose_name_plural = _("反馈附件")
        ordering = ["assignment", "pk"]
        constraints = [unique_client_uuid("answer_file")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return _is_image(self.name)
