"""（三）巡查: employers inspected in every half-year they were open through / employers due in the
period (in the ledger during it and open at the end of its first half-year)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, Subject, register
from xieguan.indicators.sources import employer_due_q, inspected_every_half


@register
class EmployerPatrol(Indicator):
    key = "employer_patrol"
    label = _("用人单位半年巡查率")
    short_label = _("单位巡查")
    numerator_label = _("每半年均有巡查的单位")
    denominator_label = _("期内在册的台账单位")
    missing_label = _("有半年未巡查的用人单位")
    subject = Subject.EMPLOYER
    order = 50
    basis = _("协管员定期开展辖区内用人单位职业健康巡查，每半年至少开展一次。")

    def base(self, code: str) -> QuerySet[Any]:
        return Employer.objects.within(code)

    def member(self, period: Period, code: str) -> Q:
        return employer_due_q(period)

    def ok(self, period: Period, code: str) -> Q:
        return inspected_every_half(period, by="employer")
