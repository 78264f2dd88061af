"""（三）巡查: assistants with a submitted inspection in every half-year they were due in /
assistants due in at least one half-year of the period (personnel's definition of service)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, Subject, register
from xieguan.indicators.sources import assistant_due_q, assistant_partly_q, inspected_every_half
from xieguan.personnel.models import Assistant


@register
class AssistantPatrol(Indicator):
    key = "assistant_patrol"
    label = _("协管员半年巡查率")
    short_label = _("协管员巡查")
    numerator_label = _("每半年均有巡查的协管员")
    denominator_label = _("在岗协管员")
    missing_label = _("有半年未巡查的协管员")
    subject = Subject.ASSISTANT
    order = 30
    basis = _("每半年至少开展一次巡查工作。")
    region_field = "township_id"
    # its statement depends on the code, the period and its half-years only (Django spent 10-15 ms
    # of CPU building and compiling it per request): compiled once per period and day
    compile_once = True

    def base(self, code: str) -> QuerySet[Any]:
        return Assistant.objects.within(code)

    def member(self, period: Period, code: str) -> Q:
        return assistant_due_q(period)

    def ok(self, period: Period, code: str) -> Q:
        return inspected_every_half(period, by="assistant")

    def not_counted(self, code: str, period: Period) -> QuerySet[Any]:
        """In service during the period but appointed, between terms or dismissed within one of
        its half-years: listed with their dates under the drill-down, not counted in that half."""
        return self.base(code).filter(assistant_partly_q(period))
