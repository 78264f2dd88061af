"""（四）记录及报告: submitted inspections with every item answered and both signatures."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, Subject, register
from xieguan.inspections.models import Inspection, InspectionStatus


@register
class Records(Indicator):
    key = "records"
    label = _("巡查记录完整率")
    short_label = _("记录完整")
    numerator_label = _("记录完整的巡查")
    denominator_label = _("已提交的巡查")
    missing_label = _("记录不完整的巡查")
    subject = Subject.INSPECTION
    order = 60
    basis = _("开展巡查工作应当填写相关工作表，做到全面、及时、客观、真实、准确。")

    def base(self, code: str) -> QuerySet[Any]:
        return Inspection.objects.within(code).filter(status=InspectionStatus.SUBMITTED)

    def member(self, period: Period) -> Q:
        return Q(inspected_at__gte=period.start_at, inspected_at__lt=period.end_before)

    def ok(self, period: Period) -> Q:
        return Q(complete=True)
