"""THE definition of an assistant's service (在岗), built from the terms and the dismissal.

An assistant is **in service on a day** when an appointment term covers that day and they
were not dismissed on or before it (the dismissal date is the first day out of service; the
account stops the day before). The login account plays no part: an appointed assistant
without an account is in service.

An assistant **served a span in full** (a half-year, or the part of one a period covers) when
they were in service on every day of it: a term covers its first day, every term that ends
inside it is followed the next day by another term, and no dismissal falls on or before its
last day. Only such spans are due: an assistant is due to patrol in every half-year they
served in full; the half-year in which they were appointed, had a gap between terms, or were
dismissed is shown with the dates but not counted against them.

Everything is a database expression over ``Appointment`` and ``Dismissal`` dates (``Exists``
subqueries), so indicators, staffing, funding, work lists and the assessment count the same
people in one query each, and past periods are judged by the history: a later dismissal or a
new term does not change a span that has passed.

Each function takes ``ref``, the outer column holding the assistant's pk ("pk" for an
Assistant row; e.g. "assistant" from a row that points at one).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from xieguan.personnel.models import Appointment, Dismissal

ONE_DAY = dt.timedelta(days=1)


def _dismissed_by(day: dt.date, ref: str) -> Exists:
    """Dismissed on or before ``day`` (out of service from the dismissal date on)."""
    return Exists(Dismissal.objects.filter(assistant=OuterRef(ref), dismissed_on__lte=day))


def in_service_on(day: dt.date | None = None, ref: str = "pk") -> Q:
    """In service on ``day`` (default today): a term covers it and no dismissal by then."""
    day = day or timezone.localdate()
    term = Appointment.objects.filter(assistant=OuterRef(ref), start__lte=day, end__gte=day)
    return Q(Exists(term)) & ~Q(_dismissed_by(day, ref))


def in_service_during(start: dt.date, end: dt.date, ref: str = "pk") -> Q:
    """In service on at least one day of ``[start, end]``: a term overlaps it and the dismissal,
    if any, came after both the term's first day and the span's first day."""
    out_before_term = Dismissal.objects.filter(
        assistant=OuterRef("assistant"), dismissed_on__lte=OuterRef("start")
    )
    term = Appointment.objects.filter(assistant=OuterRef(ref), start__lte=end, end__gte=start).exclude(
        Exists(out_before_term)
    )
    return Q(Exists(term)) & ~Q(_dismissed_by(start, ref))


def served_in_full(start: dt.date, end: dt.date, ref: str = "pk") -> Q:
    """In service on every day of ``[start, end]`` (terms back to back, no dismissal by ``end``)."""
    covers_start = Appointment.objects.filter(assistant=OuterRef(ref), start__lte=start, end__gte=start)
    next_day = ExpressionWrapper(OuterRef("end") + ONE_DAY, output_field=DateField())
    continued = Appointment.objects.filter(
        assistant=OuterRef("assistant"), start__gt=OuterRef("end"), start__lte=next_day
    )
    # a term that ends inside the span without a term starting the next day: a gap
    broken = Appointment.objects.filter(assistant=OuterRef(ref), end__gte=start, end__lt=end).exclude(
        Exists(continued)
    )
    return Q(Exists(covers_start)) & ~Q(Exists(broken)) & ~Q(_dismissed_by(end, ref))
