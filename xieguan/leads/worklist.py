"""The leads' part of the home work list (SPEC §8): what is waiting for this user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import Role
from xieguan.leads.models import IMPORTANT_FIRST, AssistRequest, AssistStatus, Importance, Lead, LeadStatus
from xieguan.leads.templatetags.leads_tags import waited
from xieguan.lib.worklist import FirstPage, WorkEntry, WorkSection, first_page

FIRST = 5


def sections(user: Any) -> list[WorkSection]:
    if user.role == Role.ASSISTANT:
        return [unreported(user), assists_for(user)]
    if user.role == Role.OFFICER:
        return [inbox_counts(user)]
    if user.role == Role.COUNTY_ADMIN:
        return [overdue_for_county(user)]
    return []


def _where(lead: Lead) -> str:
    return lead.employer.name if lead.employer else lead.place


# An assistant's two lists, compiled once per process (lib.prepared); the columns the entries show.
UNREPORTED = FirstPage(
    Lead,
    lambda user: (
        Lead.objects.visible_to(user)
        .unreported()
        .select_related("employer")
        .only("id", "lead_type", "place", "importance", "discovered_at", "report_due_at", "employer__name")
        .order_by(IMPORTANT_FIRST, "discovered_at", "pk")
    ),
    FIRST,
)
ASSISTS = FirstPage(
    AssistRequest,
    lambda user: (
        AssistRequest.objects.visible_to(user)
        .filter(assistant=user, status=AssistStatus.REQUESTED)
        .select_related("employer", "lead", "requested_by")
        .only(
            "id",
            "due_on",
            "employer__name",
            "lead__place",
            "requested_by__full_name",
            "requested_by__username",
        )
        .order_by("due_on", "requested_at")
    ),
    FIRST,
)


def unreported(user: Any) -> WorkSection:
    """Leads not yet reported, important first, with how long they have waited; overdue flagged."""
    now = timezone.now()
    leads, total = UNREPORTED(user=user)
    entries = []
    for lead in leads:
        overdue = lead.report_due_at < now
        detail = _("已等待 %(t)s") % {"t": waited(lead.discovered_at, now)}
        if overdue:
            detail += _("，已逾期（应于 %(due)s 前报告）") % {
                "due": f"{timezone.localtime(lead.report_due_at):%m-%d %H:%M}"
            }
        entries.append(
            WorkEntry(
                title=f"{lead.get_lead_type_display()} · {_where(lead)}",
                url=reverse("leads:detail", args=[lead.pk]),
                detail=detail,
                urgent=overdue,
                badge=str(Importance.IMPORTANT.label) if lead.importance == Importance.IMPORTANT else "",
            )
        )
    return WorkSection(
        title=gettext_lazy("待报告的线索"),
        entries=entries,
        total=total,
        more_url=reverse("leads:list") + "?reported=no",
        order=20,
        empty_text=gettext_lazy("发现的线索都已报告。"),
    )


def assists_for(user: Any) -> WorkSection:
    today = timezone.localdate()
    assists, total = ASSISTS(user=user)
    entries = [
        WorkEntry(
            title=_("协查：%(s)s")
            % {"s": a.employer.name if a.employer else (a.lead.place if a.lead else "")},
            url=reverse("leads:assist", args=[a.pk]),
            detail=_("%(who)s 提出") % {"who": a.requested_by}
            + (_("，要求 %(d)s 前完成") % {"d": a.due_on} if a.due_on else ""),
            urgent=bool(a.due_on and a.due_on < today),
        )
        for a in assists
    ]
    return WorkSection(
        title=gettext_lazy("请我协查的事项"),
        entries=entries,
        total=total,
        more_url=reverse("leads:assists"),
        order=21,
        empty_text=gettext_lazy("没有待协查的事项。"),
    )


def inbox_counts(user: Any) -> WorkSection:
    from xieguan.leads.views import inbox_queryset

    counts = inbox_queryset(user).aggregate(
        waiting=Count("pk", filter=Q(status=LeadStatus.REPORTED, acknowledged_at__isnull=True)),
        waiting_important=Count(
            "pk",
            filter=Q(
                status=LeadStatus.REPORTED, acknowledged_at__isnull=True, importance=Importance.IMPORTANT
            ),
        ),
        open=Count(
            "pk",
            filter=Q(status=LeadStatus.HANDLING)
            | Q(status=LeadStatus.REPORTED, acknowledged_at__isnull=False),
        ),
    )
    assists_open = (
        AssistRequest.objects.visible_to(user)
        .filter(requested_by=user, status=AssistStatus.REQUESTED)
        .count()
    )
    inbox = reverse("leads:inbox")
    entries = []
    if counts["waiting"]:
        entries.append(
            WorkEntry(
                title=_("待签收的线索 %(n)s 条") % {"n": counts["waiting"]},
                url=f"{inbox}?tab=waiting",
                detail=_("其中重要 %(n)s 条") % {"n": counts["waiting_important"]}
                if counts["waiting_important"]
                else "",
                urgent=bool(counts["waiting_important"]),
            )
        )
    if counts["open"]:
        entries.append(
            WorkEntry(title=_("办理中的线索 %(n)s 条") % {"n": counts["open"]}, url=f"{inbox}?tab=open")
        )
    if assists_open:
        entries.append(
            WorkEntry(
                title=_("等待协管员完成的协查 %(n)s 项") % {"n": assists_open}, url=reverse("leads:assists")
            )
        )
    return WorkSection(
        title=gettext_lazy("线索收件箱"),
        entries=entries,
        total=counts["waiting"],
        more_url=inbox,
        order=20,
        empty_text=gettext_lazy("没有待办的线索。"),
    )


def overdue_for_county(user: Any) -> WorkSection:
    """Leads overdue and still not reported, oldest deadline first."""
    now = timezone.now()
    qs = Lead.objects.visible_to(user).overdue_unreported(now)
    leads, total = first_page(
        qs.select_related("employer", "region", "discovered_by").order_by("report_due_at", "pk"), FIRST
    )
    entries = [
        WorkEntry(
            title=f"{lead.get_lead_type_display()} · {_where(lead)}",
            url=reverse("leads:detail", args=[lead.pk]),
            detail=_("%(region)s · %(who)s 发现，已逾期 %(t)s")
            % {"region": lead.region.name, "who": lead.discovered_by, "t": waited(lead.report_due_at, now)},
            urgent=True,
            badge=str(Importance.IMPORTANT.label) if lead.importance == Importance.IMPORTANT else "",
        )
        for lead in leads
    ]
    return WorkSection(
        title=gettext_lazy("逾期未报告的线索"),
        entries=entries,
        total=total,
        more_url=reverse("leads:list") + "?reported=no&overdue=1&order=due",
        order=20,
        empty_text=gettext_lazy("没有逾期未报告的线索。"),
    )
