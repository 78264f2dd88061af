"""Shared conditions of the indicators: who is an active assistant, what is a patrol.

``active_assistant_q`` is THE definition of "active assistant" for every indicator and work
list (巡查 per assistant, 宣传 per township with an assistant, townships without one). It
reads the login account today (role, is_active, appointment end in ``access_until``); when
personnel's ``Assistant.status`` becomes the source of truth, change this one function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xieguan.accounts.models import Role, User
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


def inspected_in(period: Period, by: str, within: str = "") -> Exists:
    """Whether the outer row (an Employer with by="employer", a User with by="assistant")
    has at least one submitted inspection in the period, recorded in the subtree ``within``.

    The region prefix is what lets the database read one county's inspections through
    ``inspection_region_time_idx`` instead of the whole province's period (docs/performance.md).
    """
    inspections = Inspection.objects.filter(submitted_in(period), **{by: OuterRef("pk")})
    if within:
        inspections = inspections.within(within)
    return Exists(inspections)


def inspected_every_half(period: Period, by: str, within: str = "") -> Q:
    """At least one submitted inspection in each half-year of the period (巡查 每半年至少一次)."""
    condition = Q()
    for half in period.halves():
        condition &= Q(inspected_in(half, by, within))
    return condition
