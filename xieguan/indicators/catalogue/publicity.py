"""（五）宣传: townships with at least one publicity event in the period / townships with an
assistant due in the period, with or without a login account (personnel's definition of
service; 乡镇协管员全年开展卫生法律法规和相关卫生知识宣传1次以上).
A withdrawn event (entered in error) does not count (``PublicityEvent.objects.held_during()``,
standing events only).

The extra ``patrol_publicity`` counts the townships where at least one inspection submitted in
the period recorded legal publicity given during the visit (日常巡查时 谁执法谁普法,
``Inspection.legal_publicity``); it is shown beside the rate, not part of it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Condition, Indicator, Subject, register
from xieguan.indicators.sources import submitted_in, township_has_assistant
from xieguan.inspections.models import Inspection
from xieguan.outreach.models import PublicityEvent
from xieguan.regions.models import Level, Region


@register
class Publicity(Indicator):
    key = "publicity"
    label = _("乡镇宣传开展率")
    short_label = _("宣传")
    numerator_label = _("开展宣传的乡镇")
    denominator_label = _("有在岗协管员的乡镇")
    missing_label = _("未开展宣传的乡镇")
    subject = Subject.TOWNSHIP
    order = 80
    basis = _("乡(镇、办)职业健康监督协管员全年开展卫生法律法规和相关卫生知识宣传1次以上。")
    region_field = "code"
    extra_labels = {"patrol_publicity": _("巡查时普法的乡镇")}
    # its statement depends on the code, the period and its half-years only (Django spent 10-15 ms
    # of CPU building and compiling it per request): compiled once per period and day
    compile_once = True

    def base(self, code: str) -> QuerySet[Any]:
        return Region.objects.within(code).filter(level=Level.TOWNSHIP)

    # Whether a township has an assistant in service and whether it held an event are sets computed
    # once per statement over the subtree of ``code`` (``code IN (…)``), not an EXISTS per township:
    # the province's chart series (six half-years, 1,510 townships) spent most of its time there
    # (docs/performance.md, issue 16, round 5).

    def member(self, period: Period, code: str) -> Q:
        return township_has_assistant(period, code)

    def extras(self, period: Period, code: str) -> dict[str, Condition]:
        return {
            # By the employer's township (an equality the planner can hash), not a prefix of the
            # inspection's region per township (a LIKE no index serves: 30 s at Guizhou's size).
            # Left an EXISTS per township: it stops at the first visit found, and each probe is one
            # look into inspection_legal_publicity_idx (employer, time); a set over the subtree's
            # visits measured slower for a county or prefecture where most visits give publicity.
            "patrol_publicity": Exists(
                Inspection.objects.filter(
                    submitted_in(period), employer__township_id=OuterRef("code"), legal_publicity=True
                )
            )
        }

    def ok(self, period: Period, code: str) -> Q:
        held = PublicityEvent.objects.held_during(period.start, period.end).within(code)
        return Q(code__in=held.values("region_id"))
