"""Shared conditions of the indicators: who is an active assistant, what is a patrol.

``active_assistant_q`` is THE definition of "active assistant" for every indicator and work
list (巡查 per assistant, 宣传 per township with an assistant, townships without one). It
reads the login account today (role, is_active, appointment end in ``access_until``); when
personnel's ``Assistant.status`` becomes the source of truth, change this one function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from xieguan.accounts.models import Role, User
from xieguan.inspections import patrol
from xieguan.inspections.models import Inspection, InspectionStatus

if TYPE_CHECKING:
    from xieguan.indicators.periods import Period


def active_assistant_q(period: Period, prefix: str = "") -> Q:
    """Users who are active assistants for ``period``: an assistant account, enabled, whose
    term (``access_until``) has not ended by the period's end (or today, if earlier), and
    who existed before the period ended."""
    reference = min(period.end, timezone.localdate())
    return Q(
        **{
            f"{prefix}role": Role.ASSISTANT,
            f"{prefix}is_active": True,
            f"{prefix}date_joined__lt": period.end_before,
        }
    ) & (Q(**{f"{prefix}access_until__isnull": True}) | Q(**{f"{prefix}access_until__gte": reference}))


def township_has_active_assistant(period: Period, township_ref: str = "code") -> Exists:
    """For a Region row (or any row with a township code column ``township_ref``)."""
    return Exists(User.objects.filter(active_assistant_q(period), region_id=OuterRef(township_ref)))


def submitted_in(period: Period, prefix: str = "") -> Q:
    """Submitted inspections made within the period."""
    return Q(
        **{
            f"{prefix}status": InspectionStatus.SUBMITTED,
            f"{prefix}inspected_at__gte": period.start_at,
            f"{prefix}inspected_at__lt": period.end_before,
        }
    )


def inspected_in(period: Period, by: str) -> Q:
    """Whether the outer row (an Employer with by="employer", a User with by="assistant")
    has at least one submitted inspection in the period.

    For an employer and a period made of whole half-years (a year, a half-year) this reads the
    employer's own ``inspected_halves`` mask (xieguan/inspections/patrol.py), kept by the
    inspection actions in the same transaction as the inspections: no look into the
    inspections table per employer. Any other period looks at the inspections themselves.
    """
    if by == "employer":
        mask = patrol.period_mask(period.start, period.end)
        if mask is not None:
            return Q(GreaterThan(F("inspected_halves").bitand(mask), 0))
    return Q(Exists(Inspection.objects.filter(submitted_in(period), **{by: OuterRef("pk")})))


def inspected_every_half(period: Period, by: str) -> Q:
    """At least one submitted inspection in each half-year of the period (巡查 每半年至少一次)."""
    condition = Q()
    for half in period.halves():
        condition &= inspected_in(half, by)
    return condition
