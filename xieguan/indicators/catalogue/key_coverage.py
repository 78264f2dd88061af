"""（三）巡查覆盖率: key-industry and serious-hazard employers inspected at least once in the period."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, Subject, register
from xieguan.indicators.sources import employer_due_q, inspected_in


@register
class KeyCoverage(Indicator):
    key = "key_coverage"
    label = _("重点单位巡查覆盖率")
    short_label = _("重点覆盖率")
    numerator_label = _("已巡查的重点单位")
    denominator_label = _("重点行业及危害严重单位")
    missing_label = _("未巡查的重点单位")
    subject = Subject.EMPLOYER
    order = 40
    # its statements depend on the code, the period and its half-years only: compiled once
    compile_once = True
    basis = _(
        "每年对辖区内煤矿、非煤矿山、冶金、建材、化工生产等重点行业领域及其他职业病危害严重的用人单位巡查覆盖率100%。"
    )

    def base(self, code: str) -> QuerySet[Any]:
        return Employer.objects.within(code).filter(is_key=True)

    def member(self, period: Period, code: str) -> Q:
        return employer_due_q(period)

    def ok(self, period: Period, code: str) -> Q:
        return inspected_in(period, by="employer")
