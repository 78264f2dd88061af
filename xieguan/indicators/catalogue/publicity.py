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

from xieguan.employers.models import Employer
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

    # Each condition is set-based (``code IN (…)``, computed once per statement over the subtree of
    # ``code``) rather than an EXISTS per township: the province's chart series (six half-years,
    # 1,510 townships) spent most of its second there (docs/performance.md, issue 16, round 5).

    def member(self, period: Period, code: str) -> Q:
        return township_has_assistant(period, code)

    def extras(self, period: Period, code: str) -> dict[str, Condition]:
        # by the employer's township, as the ledger has it now (not the inspection's region);
        # an employer has a publicity visit when one of its submitted inspections of the period
        # recorded legal publicity
        visited = Inspection.objects.filter(submitted_in(period), employer=OuterRef("pk"), legal_publicity=True)
        employers = Employer.objects.within(code).filter(Exists(visited)).values("township_id")
        return {"patrol_publicity": Q(code__in=employers)}

    def ok(self, period: Period, code: str) -> Q:
        held = PublicityEvent.objects.held_during(period.start, period.end).within(code)
        return Q(code__in=held.values("region_id"))
