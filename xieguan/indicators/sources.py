"""Shared conditions of the indicators: which assistants and employers a period counts, what
is a patrol.

Who is in service is personnel's one definition (``xieguan/personnel/service.py``), built from
the appointment terms and dismissals, whatever the login account: an assistant is **due** in a
half-year they served in full, and a period counts the assistants due in at least one of its
half-years (``assistant_due_q``). Employers come from the ledger with their closing dates
(``employers.models.operating_during_q``): a period keeps an employer it was operating in.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from xieguan.employers.models import open_through_q, operating_during_q
from xieguan.inspections import patrol
from xieguan.inspections.models import AssistantHalf, Inspection, InspectionStatus
from xieguan.personnel import service
from xieguan.personnel.models import Assistant

if TYPE_CHECKING:
    from xieguan.indicators.periods import Period


def due_in_half(half: Period, ref: str = "pk") -> Q:
    """An assistant is due to patrol in a half-year (or the part of one a period covers) that
    they served in full; the half-year of their appointment or dismissal is not counted."""
    return service.served_in_full(half.start, half.end, ref)


def assistant_due_q(period: Period, ref: str = "pk") -> Q:
    """Assistants due in at least one half-year of the period: the denominator of the patrol
    rate, and who makes a township count for publicity."""
    return reduce(or_, (due_in_half(half, ref) for half in period.halves()))


def assistant_partly_q(period: Period, ref: str = "pk") -> Q:
    """In service during the period but not due in every one of its half-years (appointed,
    between terms or dismissed in one): shown on the drill-down with the dates, not counted."""
    every = Q()
    for half in period.halves():
        every &= due_in_half(half, ref)
    return service.in_service_during(period.start, period.end, ref) & ~every


def township_has_assistant(period: Period, code: str, township_ref: str = "code") -> Q:
    """For a Region row (or any row with a township code column ``township_ref``) in the subtree
    of ``code``: an assistant of that township is due in the period, with or without a login
    account.

    Set-based: ``township IN (the townships of the subtree's assistants due in the period)``.
    PostgreSQL computes that set once per statement (its service conditions become joins over
    the terms and dismissals) and looks each township up in it, where an ``EXISTS`` per township
    ran the service conditions again for every township (the province's 1,510, for every
    half-year of the charts)."""
    due = Assistant.objects.within(code).filter(assistant_due_q(period)).values("township_id")
    return Q(**{f"{township_ref}__in": due})


def township_assistants(period: Period, township_ref: str = "code") -> Coalesce:
    """How many assistants of the township are due in the period (the drill-down's column)."""
    due = (
        Assistant.objects.filter(assistant_due_q(period), township_id=OuterRef(township_ref))
        .order_by()
        .values("township_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(due, output_field=IntegerField()), 0)


def employer_in_period_q(period: Period) -> Q:
    """Employers the period counts: in the ledger before it ended, not closed before it began."""
    return operating_during_q(period.start, period.end)


def employer_due_q(period: Period) -> Q:
    """Employers due to be patrolled in the period: counted by it and still open at the end of
    its first half-year (an employer closed within a half-year is not due in that half)."""
    return employer_in_period_q(period) & open_through_q(period.halves()[0].end)


def submitted_in(period: Period, prefix: str = "") -> Q:
    """Submitted inspections made within the period."""
    return Q(
        **{
            f"{prefix}status": InspectionStatus.SUBMITTED,
            f"{prefix}inspected_at__gte": period.start_at,
            f"{prefix}inspected_at__lt": period.end_before,
        }
    )


def inspected_in(period: Period, by: str, ref: str = "pk") -> Q:
    """Whether the outer row (an Employer with by="employer"; an Assistant with by="assistant"
    and ref="user_id", their login account) has at least one submitted inspection in the period.

    For a period made of whole half-years (a year, a half-year) this reads what the inspection
    actions keep in the same transaction as the inspections (xieguan/inspections/patrol.py): an
    employer's own ``inspected_halves`` mask, an assistant's ``AssistantHalf`` rows (one per
    account and half-year); no look into the inspections table, so the cost does not grow with
    the years of inspections. Any other period looks at the inspections themselves.
    """
    halves = patrol.half_indices(period.start, period.end)
    if halves is not None and by == "employer":
        mask = sum(1 << i for i in halves)
        return Q(GreaterThan(F("inspected_halves").bitand(mask), 0))
    if halves is not None and by == "assistant":
        stored = AssistantHalf.objects.filter(assistant=OuterRef(ref), half__in=halves, inspections__gt=0)
        return Q(Exists(stored))
    return Q(Exists(Inspection.objects.filter(submitted_in(period), **{by: OuterRef(ref)})))


def inspected_every_half(period: Period, by: str) -> Q:
    """At least one submitted inspection in each half-year of the period (巡查 每半年至少一次)
    in which the row was due: an employer in every half-year it was open through the end of
    (by="employer"); an assistant in every half-year they served in full (by="assistant")."""
    condition = Q()
    for half in period.halves():
        if by == "assistant":
            condition &= ~due_in_half(half) | inspected_in(half, by, ref="user_id")
        else:
            condition &= ~open_through_q(half.end) | inspected_in(half, by)
    return condition
