"""（一）基本信息登记率: registered employers / employers in the ledger during the period (not closed
before it began)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, Subject, register
from xieguan.indicators.sources import employer_in_period_q


@register
class Registration(Indicator):
    key = "registration"
    label = _("基本信息登记率")
    short_label = _("登记率")
    numerator_label = _("已登记单位")
    denominator_label = _("期内在册的台账单位")
    missing_label = _("未完成登记的用人单位")
    subject = Subject.EMPLOYER
    order = 10
    basis = _("本辖区内职业病危害用人单位基本信息登记率100%。")

    def base(self, code: str) -> QuerySet[Any]:
        return Employer.objects.within(code)

    def member(self, period: Period, code: str) -> Q:
        return employer_in_period_q(period)

    def ok(self, period: Period, code: str) -> Q:
        return Q(registered=True)
