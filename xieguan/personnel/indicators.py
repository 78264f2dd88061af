"""（五）培训: the training indicators, registered in the indicators registry (autodiscovered).

业务培训参加率 = attended / invited and 业务培训合格率 = passed / attended, over the TrainingRecord
rows (one per invited assistant and session) of business-training sessions held in the period,
grouped by the assistant's township. The conditions are personnel.training's, so the dashboard,
the drill-down and the training pages count the same rows. Targets: ``training_participation``
and ``training_pass`` (indicators.Target, ≥ 90%).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, register
from xieguan.personnel import training
from xieguan.personnel.models import TrainingRecord

SUBJECT = "training"  # drill-down rows: indicators/_rows_training.html (in this app's templates)
BASIS = _("各乡(镇、办)职业健康监督协管员参与上级组织的职业健康巡查业务培训参加率和培训合格率达90%以上。")


@register
class TrainingParticipation(Indicator):
    key = "training_participation"
    label = _("业务培训参加率")
    short_label = _("培训参加")
    numerator_label = _("参加人次")
    denominator_label = _("应参加人次")
    missing_label = _("未参加的人次")
    subject = SUBJECT
    order = 70
    basis = BASIS
    region_field = "assistant__township_id"

    def base(self, code: str) -> QuerySet[Any]:
        return (
            TrainingRecord.objects.within(code)
            .select_related("session", "assistant__township")
            .order_by("-session__held_on", "assistant__township_id", "assistant__name")
        )

    def member(self, period: Period, code: str) -> Q:
        return training.held_in(period.start, period.end)

    def ok(self, period: Period, code: str) -> Q:
        return training.ATTENDED


@register
class TrainingPass(TrainingParticipation):
    key = "training_pass"
    label = _("业务培训合格率")
    short_label = _("培训合格")
    numerator_label = _("合格人次")
    denominator_label = _("参加人次")
    missing_label = _("参加但未合格的人次")
    order = 71

    def member(self, period: Period, code: str) -> Q:
        return training.held_in(period.start, period.end) & training.ATTENDED

    def ok(self, period: Period, code: str) -> Q:
        return training.PASSED
