"""Task counts per assistant and year, for the annual assessment's prefill (docs/tasks.md).

A task counts in the year of its due date, and only when it asked for an answer
(``answer_required``). An assignment handed to someone else (已转交) counts for the new
assignee, not the old one. "On time" means completed on or before the due date, in
Asia/Shanghai days. One grouped query, whatever the number of assistants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q

from xieguan.tasks.models import AssignmentStatus, TaskAssignment


@dataclass(frozen=True)
class TaskCounts:
    assigned: int = 0  # assignments due in the year that asked for an answer
    done: int = 0  # completed (已完成)
    on_time: int = 0  # completed on or before the due date
    unable: int = 0  # answered 无法完成, with a reason
    unanswered: int = 0  # never answered (still open, or the task was closed without an answer)

    def as_dict(self) -> dict[str, int]:
        return {
            "tasks_assigned": self.assigned,
            "tasks_done": self.done,
            "tasks_on_time": self.on_time,
            "tasks_unable": self.unable,
            "tasks_unanswered": self.unanswered,
        }


def assistant_task_counts(year: int, user_ids: Iterable[int] | None = None) -> dict[int, TaskCounts]:
    """``{user id: TaskCounts}`` for the year; assistants without tasks are absent (use ``TaskCounts()``).

    ``user_ids`` limits the result to those accounts (``accounts.User`` primary keys, i.e.
    ``personnel.Assistant.user_id``); None counts everybody. The caller is responsible for
    scoping: pass the ids of assistants it fetched through ``visible_to``.
    """
    qs = TaskAssignment.objects.filter(task__due_on__year=year, task__answer_required=True).exclude(
        status=AssignmentStatus.TRANSFERRED
    )
    if user_ids is not None:
        qs = qs.filter(assignee_id__in=list(user_ids))
    done = Q(status=AssignmentStatus.DONE)
    rows = (
        qs.order_by()
        .values("assignee_id")
        .annotate(
            n_assigned=Count("pk"),
            n_done=Count("pk", filter=done),
            n_on_time=Count("pk", filter=done & Q(answered_at__date__lte=F("task__due_on"))),
            n_unable=Count("pk", filter=Q(status=AssignmentStatus.UNABLE)),
            n_unanswered=Count("pk", filter=Q(status=AssignmentStatus.OPEN)),
        )
    )
    return {
        row["assignee_id"]: TaskCounts(
            assigned=row["n_assigned"],
            done=row["n_done"],
            on_time=row["n_on_time"],
            unable=row["n_unable"],
            unanswered=row["n_unanswered"],
        )
        for row in rows
    }


def task_counts_for(user_id: int, year: int) -> TaskCounts:
    """One assistant's counts (an assessment form being prefilled)."""
    return assistant_task_counts(year, [user_id]).get(user_id, TaskCounts())
