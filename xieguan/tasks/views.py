"""Pages of assigned tasks: thin views over tasks.actions, every query through the scope."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, Q
from django.db.models.functions import Substr
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xieguan.accounts.models import MANAGER_ROLES, Role, can_work
from xieguan.field.offline import OfflineForm, offline_form
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_file
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import CODE_LENGTH, Level, Region
from xieguan.tasks import actions
from xieguan.tasks.forms import AnswerForm, CloseForm, TaskForm, TransferForm, UnableForm
from xieguan.tasks.models import (
    PENDING,
    AnswerFile,
    AssignmentStatus,
    Task,
    TaskAssignment,
    TaskAttachment,
    TaskStatus,
)

MANAGERS = tuple(MANAGER_ROLES)
COUNTY_LEN = CODE_LENGTH[Level.COUNTY]
SHOW = {
    "open": gettext_lazy("进行中"),
    "overdue": gettext_lazy("有逾期"),
    "orphaned": gettext_lazy("待转交"),
    "closed": gettext_lazy("已关闭"),
    "all": gettext_lazy("全部"),
}


def _error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def progress_counts(code: str, today: dt.date) -> dict[str, Count]:
    """Per-task counts over the assignments inside the subtree ``code`` (one grouped query)."""
    counted = [s for s in AssignmentStatus.values if s != AssignmentStatus.TRANSFERRED]
    inside = Q(assignments__region__code__startswith=code, assignments__status__in=counted)
    is_open = inside & Q(assignments__status=AssignmentStatus.OPEN)
    return {
        "n_total": Count("assignments", filter=inside),
        "n_done": Count(
            "assignments",
            filter=inside & Q(assignments__status__in=[AssignmentStatus.DONE, AssignmentStatus.ACKNOWLEDGED]),
        ),
        "n_unable": Count("assignments", filter=inside & Q(assignments__status=AssignmentStatus.UNABLE)),
        "n_open": Count("assignments", filter=is_open),
        "n_overdue": Count(
            "assignments",
            filter=is_open & Q(status=TaskStatus.OPEN, answer_required=True, due_on__lt=today),
        ),
        "n_orphaned": Count(  # assignees who can no longer work: 待转交
            "assignments",
            filter=is_open & Q(status=TaskStatus.OPEN) & ~can_work(today, prefix="assignments__assignee__"),
        ),
    }


@scoped(*MANAGERS)
def index(request: AuthedRequest) -> HttpResponse:
    """Tasks issued in, or reaching into, the user's region, with progress inside that region."""
    user = request.user
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    if show not in SHOW:
        show = "open"
    qs = (
        Task.objects.visible_to(user)
        .select_related("region", "created_by")
        .annotate(**progress_counts(user.region_id, today))
    )
    if show in ("open", "overdue", "orphaned"):
        qs = qs.filter(status=TaskStatus.OPEN)
    if show in ("overdue", "orphaned"):
        qs = qs.filter(**{f"n_{show}__gt": 0})
    elif show == "closed":
        qs = qs.filter(status=TaskStatus.CLOSED)
    qs = qs.order_by("status", "due_on", "-created_at")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/index.html",
        {"page": page, "show": show, "tabs": SHOW, "today": today, "query": f"show={show}"},
    )


@scoped(Role.ASSISTANT)
def mine(request: AuthedRequest) -> HttpResponse:
    """The assistant's tasks: open ones by due date, then the answered ones, newest first."""
    base = (
        TaskAssignment.objects.visible_to(request.user)
        .filter(assignee=request.user)
        .select_related("task", "task__created_by")
    )
    pending = base.filter(PENDING).order_by("task__due_on", "task__created_at")
    answered = base.exclude(pk__in=pending.values("pk")).order_by("-created_at")
    page = Paginator(answered, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/mine.html",
        {"pending": list(pending), "page": page, "today": timezone.localdate()},
    )


@scoped(*MANAGERS)
def create(request: AuthedRequest) -> HttpResponse:
    form = TaskForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = actions.assign_task(
                by=request.user,
                title=data["title"],
                description=data["description"],
                due_on=data["due_on"],
                answer_required=data["answer_required"],
                assistants=data.get("assistants") or (),
                regions=form.targets(),
                files=data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            n = task.assignments.count()
            messages.success(request, _("任务已交办给 %(n)d 名协管员。") % {"n": n})
            return redirect(task)
    return render(request, "tasks/form.html", {"form": form})


def assignment_counts(today: dt.date) -> dict[str, Count]:
    """done / unable / open / overdue over assignment rows (transferred rows are not counted)."""
    is_open = Q(status=AssignmentStatus.OPEN)
    late = is_open & Q(task__status=TaskStatus.OPEN, task__due_on__lt=today, task__answer_required=True)
    return {
        "total": Count("pk", filter=~Q(status=AssignmentStatus.TRANSFERRED)),
        "done": Count("pk", filter=Q(status__in=[AssignmentStatus.DONE, AssignmentStatus.ACKNOWLEDGED])),
        "unable": Count("pk", filter=Q(status=AssignmentStatus.UNABLE)),
        "open": Count("pk", filter=is_open),
        "overdue": Count("pk", filter=late),
    }


@scoped(*MANAGERS)
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Progress of a task inside the user's region: totals, per county (above county level), per assignee."""
    user = request.user
    task = get_visible_or_404(Task.objects.select_related("region", "created_by", "closed_by"), user, pk=pk)
    today = timezone.localdate()
    rows = TaskAssignment.objects.visible_to(user).filter(task=task)
    counts = assignment_counts(today)
    summary = rows.aggregate(**counts)
    by_county: list[dict[str, object]] = []
    if len(user.region_id) < COUNTY_LEN:
        grouped = list(
            rows.order_by()
            .annotate(county=Substr("region_id", 1, COUNTY_LEN, output_field=CharField()))
            .values("county")
            .annotate(**counts)
            .order_by("county")
        )
        names = dict(
            Region.objects.filter(code__in=[g["county"] for g in grouped]).values_list("code", "name")
        )
        by_county = [{**g, "name": names.get(str(g["county"]), g["county"])} for g in grouped]
    page = Paginator(
        rows.select_related("assignee", "region", "transferred_to__assignee")
        .annotate(n_files=Count("files"))
        .order_by("region_id", "assignee__full_name", "pk"),
        50,
    ).get_page(request.GET.get("page"))
    for a in page:
        a.task = task  # one task for all rows: no query per row
    return render(
        request,
        "tasks/detail.html",
        {
            "task": task,
            "page": page,
            "summary": summary,
            "late": task.is_overdue(today) and task.answer_required,
            "by_county": by_county,
            "attachments": list(task.attachments.all()),
            "targets": list(task.targets.all()),
            "can_manage": actions.can_manage(user, task),
            "close_form": CloseForm(),
            "today": today,
        },
    )


@scoped(*MANAGERS)
@require_POST
def remind(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task, request.user, pk=pk)
    try:
        n = actions.remind(task, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if n:
            messages.success(request, _("已催办 %(n)d 名协管员。") % {"n": n})
        else:
            messages.info(request, _("今天已催办过，或没有待完成的协管员。"))
    return redirect(task)


@scoped(*MANAGERS)
@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task, request.user, pk=pk)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        actions.close_task(task, by=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("任务已关闭。"))
    return redirect(task)


def _assignment_context(request: AuthedRequest, assignment: TaskAssignment) -> dict[str, object]:
    user = request.user
    task = assignment.task
    is_assignee = user.pk == assignment.assignee_id
    can_answer = is_assignee and assignment.status == AssignmentStatus.OPEN and task.status == TaskStatus.OPEN
    can_transfer = (
        actions.can_transfer(user, assignment)
        and assignment.status == AssignmentStatus.OPEN
        and task.status == TaskStatus.OPEN
    )
    return {
        "a": assignment,
        "task": task,
        "attachments": list(task.attachments.all()),
        "files": list(assignment.files.all()),
        "is_assignee": is_assignee,
        "can_answer": can_answer,
        "can_transfer": can_transfer,
        "answer_form": AnswerForm(),
        "unable_form": UnableForm(),
        "transfer_form": TransferForm(user=user, assignment=assignment) if can_transfer else None,
        # Answered offline too, through the outbox (docs/offline.md): the same API as any client.
        "offline_done": _offline_answer(assignment, "complete") if can_answer else None,
        "offline_unable": _offline_answer(assignment, "unable") if can_answer else None,
        "today": timezone.localdate(),
        "overdue": assignment.is_overdue(),
    }


def _offline_answer(assignment: TaskAssignment, kind: str) -> OfflineForm:
    return offline_form(
        "task",
        f"/api/v1/tasks/assignments/{assignment.pk}/{kind}",
        assignment.get_absolute_url(),
        _("任务") + f" {assignment.task.title}",
        photos=f"/api/v1/tasks/assignments/{assignment.pk}/files",
        file_field="file",
    )


def _get_assignment(request: AuthedRequest, pk: int) -> TaskAssignment:
    """The assignment, if visible; an assistant (or officer) reaches their own assignments only."""
    qs = TaskAssignment.objects.select_related(
        "task", "task__created_by", "task__region", "assignee", "region", "transferred_to__assignee"
    )
    if request.user.role not in MANAGER_ROLES:
        qs = qs.filter(assignee=request.user)
    return get_visible_or_404(qs, request.user, pk=pk)


@scoped()
def assignment(request: AuthedRequest, pk: int) -> HttpResponse:
    """One assignee's share: the task, the answer form (assignee) or the answer (everyone else)."""
    a = _get_assignment(request, pk)
    actions.mark_seen(a, by=request.user)
    return render(request, "tasks/assignment.html", _assignment_context(request, a))


def _answer(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    a = _get_assignment(request, pk)
    form: AnswerForm | UnableForm = (
        AnswerForm(request.POST, request.FILES) if kind == "done" else UnableForm(request.POST, request.FILES)
    )
    if form.is_valid():
        try:
            if kind == "done":
                actions.complete_assignment(
                    a, by=request.user, note=form.cleaned_data["note"], files=form.cleaned_data["photos"]
                )
            else:
                actions.report_unable(
                    a, by=request.user, reason=form.cleaned_data["reason"], files=form.cleaned_data["photos"]
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已提交，交办单位会看到您的反馈。"))
            return redirect(a)
    context = _assignment_context(request, a)
    context["answer_form" if kind == "done" else "unable_form"] = form
    context["open_unable"] = kind == "unable"
    return render(request, "tasks/assignment.html", context, status=400)


@scoped(Role.ASSISTANT)
@require_POST
def complete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, "done")


@scoped(Role.ASSISTANT)
@require_POST
def unable(request: AuthedRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, "unable")


@scoped(Role.ASSISTANT)
@require_POST
def acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    a = _get_assignment(request, pk)
    try:
        actions.acknowledge_assignment(a, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已知悉。"))
    return redirect(a)


@scoped(Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)
@require_POST
def transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    a = _get_assignment(request, pk)
    form = TransferForm(request.POST, user=request.user, assignment=a)
    if form.is_valid():
        try:
            new = actions.transfer_assignment(a, by=request.user, to=form.cleaned_data["to"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已转交给 %(who)s。") % {"who": new.assignee})
            return redirect(new)
    else:
        messages.error(request, _("请选择转交给哪位在聘协管员。"))
    return redirect(a)


def _serve(stored: TaskAttachment | AnswerFile) -> HttpResponseBase:
    """Images (re-encoded on upload) inline; every other file a download (lib/files.py)."""
    return private_file(stored.file, filename=stored.name, image=stored.is_image)


@scoped()
def task_file(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """A task attachment, for managers who see the task and for its assignees."""
    qs = TaskAttachment.objects.all()
    if request.user.role not in MANAGER_ROLES:
        qs = qs.filter(task__assignments__assignee=request.user)
    return _serve(get_visible_or_404(qs, request.user, pk=pk))


@scoped()
def answer_file(request: AuthedRequest, pk: int) -> HttpResponseBase:
    qs = AnswerFile.objects.all()
    if request.user.role not in MANAGER_ROLES:
        qs = qs.filter(assignment__assignee=request.user)
    return _serve(get_visible_or_404(qs, request.user, pk=pk))
