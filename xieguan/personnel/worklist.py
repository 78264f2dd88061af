"""The personnel sections of the home work list.

County admin: terms ending within 60 days (not yet renewed), assistants due for training
(candidates without passed pre-job training; appointed assistants without business training
attended this year), townships flagged by staffing, and what dismissed assistants left open.
Assistant: their own term when it ends within 60 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role
from xieguan.leads.models import AssistRequest, AssistStatus, Lead, LeadStatus
from xieguan.lib.prepared import Prepared
from xieguan.lib.worklist import WorkEntry, WorkSection, first_page
from xieguan.personnel import retirement, rules, staffing
from xieguan.personnel.models import Appointment, Assistant, AssistantStatus, TrainingKind, TrainingRecord

FIRST = 8


def sections(user: Any) -> list[WorkSection]:
    if user.role == Role.COUNTY_ADMIN:
        today = timezone.localdate()
        return [
            ending_terms(user, today),
            due_for_training(user, today),
            understaffed(user, today),
            retiring(user, today),
            *left_by_dismissed(user),
        ]
    if user.role == Role.ASSISTANT:
        return own_term(user)
    return []


def _ending(qs: Any, today: dt.date, horizon: dt.date | None = None) -> Any:
    """Terms running today that end by ``horizon`` (default: within the notice period), not
    renewed, of assistants not dismissed."""
    horizon = horizon or today + dt.timedelta(days=rules.TERM_NOTICE_DAYS)
    return qs.filter(
        start__lte=today,
        end__gte=today,
        end__lte=horizon,
        renewal__isnull=True,
        assistant__dismissal__isnull=True,
    )


def ending_terms(user: Any, today: dt.date) -> WorkSection:
    qs = (
        _ending(Appointment.objects.visible_to(user), today)
        .select_related("assistant__township")
        .order_by("end")
    )
    ending, total = first_page(qs, FIRST)
    entries = [
        WorkEntry(
            title=f"{a.assistant.name}（{a.assistant.township.name}）",
            url=reverse("personnel:renew", args=[a.assistant_id]),
            detail=_("聘期至 %(end)s，还剩 %(days)s 天") % {"end": a.end, "days": (a.end - today).days},
            urgent=(a.end - today).days <= 14,
            badge=_("待续聘"),
        )
        for a in ending
    ]
    return WorkSection(
        title=_("聘期 %s 天内到期") % rules.TERM_NOTICE_DAYS,
        entries=entries,
        total=total,
        more_url=reverse("personnel:list") + "?status=appointed",
        order=30,
        empty_text=_("没有即将到期的聘期。"),
    )


def due_for_training(user: Any, today: dt.date) -> WorkSection:
    pre_job = TrainingRecord.objects.filter(
        assistant=OuterRef("pk"), session__kind=TrainingKind.PRE_JOB, attended=True, passed=True
    )
    business = TrainingRecord.objects.filter(
        assistant=OuterRef("pk"),
        session__kind=TrainingKind.BUSINESS,
        attended=True,
        session__held_on__year=today.year,
    )
    due = (
        Assistant.objects.visible_to(user)
        .with_term(today)
        .filter(
            (Q(derived_status=AssistantStatus.CANDIDATE) & ~Exists(pre_job))
            | (Q(derived_status=AssistantStatus.APPOINTED) & ~Exists(business))
        )
        .select_related("township")
        .order_by("township_id", "name")
    )
    rows, total = first_page(due, FIRST)
    entries = [
        WorkEntry(
            title=f"{a.name}（{a.township.name}）",
            url=reverse("personnel:detail", args=[a.pk]),
            detail=_("待参加岗前培训")
            if a.derived_status == AssistantStatus.CANDIDATE  # type: ignore[attr-defined]
            else _("%s 年尚未参加业务培训") % today.year,
        )
        for a in rows
    ]
    return WorkSection(
        title=_("待培训的协管员"),
        entries=entries,
        total=total,
        more_url=reverse("personnel:training"),
        order=31,
        empty_text=_("所有协管员均已按要求参加培训。"),
    )


def understaffed(user: Any, today: dt.date) -> WorkSection:
    rows = [r for r in staffing.townships(user.region_id, today) if r.flagged]
    entries = [
        WorkEntry(
            title=r.name,
            url=reverse("personnel:staffing"),
            detail=_("在册用人单位 %(e)s 家，每年应巡查 %(r)s 次，在聘协管员 %(a)s 人")
            % {"e": r.employers, "r": r.required, "a": r.assistants},
            urgent=r.required > 0,
            badge=r.flag_label,
        )
        for r in rows[:FIRST]
    ]
    return WorkSection(
        title=_("协管员配备不足的乡镇"),
        entries=entries,
        total=len(rows),
        more_url=reverse("personnel:staffing"),
        order=32,
        empty_text=_("各乡镇协管员配备与巡查任务相匹配。"),
    )


def left_by_dismissed(user: Any) -> list[WorkSection]:
    """Leads discovered by dismissed assistants that are not closed, and their open 协查."""
    gone = dict(
        Assistant.objects.visible_to(user)
        .filter(dismissal__isnull=False, user__isnull=False)
        .values_list("user_id", "pk")
    )
    if not gone:
        return []
    leads = (
        Lead.objects.visible_to(user)
        .filter(discovered_by__in=list(gone))
        .exclude(status=LeadStatus.CLOSED)
        .order_by("discovered_at")
    )
    assists = (
        AssistRequest.objects.visible_to(user)
        .filter(assistant__in=list(gone), status=AssistStatus.REQUESTED)
        .select_related("employer", "lead")
        .order_by("requested_at")
    )
    entries = [
        WorkEntry(
            title=str(lead),
            url=reverse("personnel:aftermath", args=[gone[lead.discovered_by_id]]),
            detail=_("发现人已解聘，线索尚未办结"),
            urgent=True,
        )
        for lead in leads[:FIRST]
    ] + [
        WorkEntry(
            title=str(assist),
            url=reverse("personnel:aftermath", args=[gone[assist.assistant_id]]),
            detail=_("协查对象的协管员已解聘，请另行安排"),
            urgent=True,
        )
        for assist in assists[:FIRST]
    ]
    total = leads.count() + assists.count()
    if not total:
        return []
    return [
        WorkSection(
            title=_("解聘后待交接的线索和协查"),
            entries=entries,
            total=total,
            more_url=reverse("personnel:list") + "?status=dismissed",
            order=33,
        )
    ]


# The assistant's own ending term (the latest started: the model's ordering, whose first key, the
# assistant, is one person here; ordering by it would join the township only to sort by it),
# compiled once per process (lib.prepared); the horizon is a value of its own, as Prepared wants.
OWN_TERM = Prepared(
    Appointment,
    lambda user, today, horizon: (
        _ending(Appointment.objects.visible_to(user).filter(assistant__user=user), today, horizon)
        .only("id", "end")
        .order_by("-start")[:1]
    ),
)


def own_term(user: Any) -> list[WorkSection]:
    today = timezone.localdate()
    found = OWN_TERM.list(user=user, today=today, horizon=today + dt.timedelta(days=rules.TERM_NOTICE_DAYS))
    term = found[0] if found else None
    if term is None:
        return []
    return [
        WorkSection(
            title=_("您的聘期即将到期"),
            entries=[
                WorkEntry(
                    title=_("聘期至 %s") % term.end,
                    url=reverse("personnel:me"),
                    detail=_("请联系县(区)卫生健康行政部门办理续聘。"),
                    urgent=True,
                )
            ],
            order=5,
        )
    ]


def retiring(user: Any, today: dt.date) -> WorkSection:
    """第十二条(一): assistants in service who reach the statutory retirement age within the
    policy's warning window (or have already), from the ID number and the rules as data."""
    policy = retirement.current_policy(user.region_id)
    serving = Assistant.objects.visible_to(user).in_service(today).select_related("township")
    due = retirement.due_soon(serving, today, policy)
    entries = [
        WorkEntry(
            title=f"{r.assistant.name}（{r.assistant.township.name}）",
            url=reverse("personnel:detail", args=[r.assistant.pk]),
            detail=_("%(on)s 达到法定退休年龄（%(age)s），符合退休条件的应予解聘")
            % {"on": r.on.isoformat(), "age": r.age_label},
            urgent=r.reached(today),
            badge=_("已达退休年龄") if r.reached(today) else _("即将退休"),
        )
        for r in due[:FIRST]
    ]
    days = policy.warning_days if policy else 0
    return WorkSection(
        title=_("%s 天内达到退休年龄的协管员") % days,
        entries=entries,
        total=len(due),
        order=36,
        show_empty=False,
        empty_text=_("没有即将达到退休年龄的协管员。"),
    )
