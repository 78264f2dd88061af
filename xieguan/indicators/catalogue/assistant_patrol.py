"""（三）巡查: assistants with at least one submitted inspection in each half-year / active assistants."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Role, User
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Indicator, Subject, register
from xieguan.indicators.sources import active_assistant_q, inspected_every_half


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

    def base(self, code: str) -> QuerySet[Any]:
        return User.objects.within(code).filter(role=Role.ASSISTANT)

    def member(self, period: Period) -> Q:
        return active_assistant_q(period)

    def ok(self, period: Period) -> Q:
        return inspected_every_half(period, by="assistant")
