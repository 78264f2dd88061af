"""Work-list sections of assigned tasks (AppConfig.worklist)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import MANAGER_ROLES, Role, User, can_work
from xieguan.lib.worklist import FirstPage, WorkEntry, WorkSection
from xieguan.tasks.models import TaskAssignment

FIRST = 8


def due_badge(due_on: dt.date, today: dt.date) -> tuple[str, bool]:
    """'逾期 3 天' (urgent), '今天到期', '2 天后到期'."""
    days = (due_on - today).days
    if days < 0:
        return _("逾期 %(n)d 天") % {"n": -days}, True
    if days == 0:
        return _("今天到期"), False
    return _("%(n)d 天后到期") % {"n": days}, False


def sections(user: User) -> list[WorkSection]:
    if user.role == Role.ASSISTANT:
        return [_assistant_section(user)]
    if user.role in MANAGER_ROLES:
        found = [_overdue_section(user)]
        if user.role == Role.COUNTY_ADMIN:
            dismissed = _dismissed_section(user)
            if dismissed.entries:  # shown only when there is something to reassign
                found.append(dismissed)
        return found
    return []


# Compiled once per process (lib.prepared); the columns the entries show.
ASSIGNED = FirstPage(
    TaskAssignment,
    lambda user: (
        TaskAssignment.objects.pending()
        .visible_to(user)
        .filter(assignee=user)
        .select_related("task", "task__created_by")
        .only(
            "id",
            "task__title",
            "task__due_on",
            "task__answer_required",
            "task__created_by__full_name",
            "task__created_by__username",
        )
        .order_by("task__due_on", "task__created_at")
    ),
    FIRST,
)


def _assistant_section(user: User) -> WorkSection:
    today = timezone.localdate()
    rows, total = ASSIGNED(user=user)
    entries = []
    for a in rows:
        badge, late = due_badge(a.task.due_on, today)
        urgent = late and a.task.answer_required
        entries.append(
            WorkEntry(
                title=a.task.title,
                url=a.get_absolute_url(),
                detail=_("期限 %(due)s · %(who)s 交办")
                % {"due": a.task.due_on.isoformat(), "who": a.task.created_by},
                urgent=urgent,
                badge=badge if a.task.answer_required else _("知悉即可"),
            )
        )
    return WorkSection(
        title=gettext_lazy("上级交办任务"),
        entries=entries,
        total=total,
        more_url=reverse("tasks:mine") if total > FIRST else "",
        order=30,
        empty_text=gettext_lazy("没有待完成的交办任务。"),
    )


def _overdue_section(user: User) -> WorkSection:
    """Tasks with assignees in the user's region who are past the due date without an answer."""
    today = timezone.localdate()
    rows = list(
        TaskAssignment.objects.overdue(today)
        .visible_to(user)
        .order_by()
        .values("task_id", "task__title")
        .annotate(late=Count("pk"), due=Min("task__due_on"))
        .order_by("due", "task_id")[: FIRST + 1]
    )
    entries = [
        WorkEntry(
            title=row["task__title"],
            url=reverse("tasks:detail", args=[row["task_id"]]),
            detail=_("期限 %(due)s，%(n)d 人未填报") % {"due": row["due"].isoformat(), "n": row["late"]},
            urgent=True,
            badge=due_badge(row["due"], today)[0],
        )
        for row in rows[:FIRST]
    ]
    return WorkSection(
        title=gettext_lazy("逾期未完成的交办任务"),
        entries=entries,
        more_url=reverse("tasks:index") + "?show=overdue" if len(rows) > FIRST else "",
        order=60,
        empty_text=gettext_lazy("没有逾期的交办任务。"),
    )


def _dismissed_section(user: User) -> WorkSection:
    """Open tasks of assistants who can no longer work (``accounts.models.can_work``: dismissed,
    or their term ended): the county transfers them (转交)."""
    qs = (
        TaskAssignment.objects.pending()
        .visible_to(user)
        .filter(~can_work(timezone.localdate(), prefix="assignee__"))
        .select_related("task", "assignee", "region")
        .order_by("task__due_on")
    )
    rows = list(qs[: FIRST + 1])
    entries = [
        WorkEntry(
            title=a.task.title,
            url=a.get_absolute_url(),
            detail=_("%(who)s（%(where)s）已不在聘，任务需转交")
            % {"who": a.assignee, "where": a.region.name},
            urgent=True,
            badge=_("期限 %(due)s") % {"due": a.task.due_on.isoformat()},
        )
        for a in rows[:FIRST]
    ]
    return WorkSection(
        title=gettext_lazy("已不在聘协管员的未完成任务"),
        entries=entries,
        more_url=reverse("tasks:index") + "?show=orphaned" if len(rows) > FIRST else "",
        order=61,
        show_empty=False,
    )
