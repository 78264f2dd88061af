"""（二）职业病危害信息报告率 = 报告的事件或线索次数 / 发现的事件或线索次数 × 100%.

THE reporting-rate computation of the project. Leads discovered in the period are the
denominator, except those withdrawn as entered in error (``LeadQuerySet.counted``: they stay in
the history, with their timeline, but were never events or leads); those reported (at any time
since) the numerator. On time and overdue use the
leads app's one definition (``leads.models.overdue_q``, ``LeadQuerySet.on_time``): on time is
reported by ``report_due_at``; overdue is reported late, or not reported and past due now.
Every number links to the leads list with the same filters (docs/leads.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Condition, Indicator, Show, Subject, path_of, register
from xieguan.leads.models import Lead, LeadStatus, overdue_q


@register
class Reporting(Indicator):
    key = "reporting"
    label = _("职业病危害信息报告率")
    short_label = _("报告率")
    numerator_label = _("已报告线索")
    denominator_label = _("发现的线索")
    missing_label = _("未报告的事件或线索")
    subject = Subject.LEAD
    order = 20
    basis = _("职业病危害信息报告率=报告的事件或线索次数/发现的事件或线索次数×100%。")
    extra_labels = {"on_time": _("按时报告"), "overdue": _("逾期")}

    def base(self, code: str) -> QuerySet[Any]:
        return Lead.objects.within(code)

    def member(self, period: Period, code: str) -> Q:
        # Not withdrawn (LeadQuerySet.counted); the status is in lead_discovered_reporting_idx.
        return Q(discovered_at__gte=period.start_at, discovered_at__lt=period.end_before) & ~Q(
            status=LeadStatus.WITHDRAWN
        )

    def ok(self, period: Period, code: str) -> Q:
        return Q(reported_at__isnull=False)

    def extras(self, period: Period, code: str) -> dict[str, Condition]:
        return {
            "on_time": Q(reported_at__isnull=False, reported_at__lte=F("report_due_at")),
            "overdue": overdue_q(timezone.now()),
        }

    def list_url(self, code: str, period: Period, show: str = Show.MISSING, own: bool = False) -> str:
        """The leads list (the same counts, tested); the leads registered at ``code`` itself (a
        "（本级）" row) on the drill-down page, the leads list having no such filter."""
        if own:
            return super().list_url(code, period, show, own=True)
        params = {
            "discovered_from": period.start.isoformat(),
            "discovered_to": period.end.isoformat(),
            "region": code,
            "counted": "1",  # withdrawn leads are not in the rate
        }
        if show == Show.MISSING:
            params["reported"] = "no"
        elif show == Show.OK:
            params["reported"] = "yes"
        elif show in {"overdue", "on_time"}:
            params[show] = "1"
        return f"{path_of('leads:list')}?{urlencode(params)}"
