"""Which half-years an employer was inspected in, kept on the employer as a bit mask.

The regulation asks for a patrol of every employer in every half-year (每半年至少开展一次巡查),
and the indicators ask it of tens of thousands of employers at once. Rather than look through
a year of inspections per employer on every dashboard (an ``EXISTS`` per half-year), the
employer row carries ``inspected_halves``: bit ``i`` is set when a submitted inspection of the
employer falls in half-year ``i`` (local dates, Asia/Shanghai), counting from the first
half of ``EPOCH_YEAR``. "Inspected in 2025" is then ``inspected_halves & 0b11 << 10 != 0``.

It is derived data, like ``last_inspected_on``, and kept the same way: the inspection actions
set the bit in the transaction that submits, and recompute the mask from the inspections when
an amendment may move one to another half-year (``refresh``). Periods the mask cannot answer
(date ranges that cut a half-year, years outside its span) fall back to looking at the
inspections themselves (``indicators.sources``): the mask is an index, never the only truth.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

EPOCH_YEAR = 2020
YEARS = 31  # 62 bits: 2020-2050, inside a signed 64-bit integer on every database


def half_index(day: dt.date) -> int | None:
    """The bit of the half-year containing ``day``; None outside the span."""
    index = (day.year - EPOCH_YEAR) * 2 + (0 if day.month <= 6 else 1)
    return index if 0 <= index < YEARS * 2 else None


def bit_of(moment: dt.datetime | dt.date) -> int:
    """The mask bit of an inspection time (its local date), 0 outside the span."""
    day = timezone.localdate(moment) if isinstance(moment, dt.datetime) else moment
    index = half_index(day)
    return 0 if index is None else 1 << index


def mask_of(moments: Iterable[dt.datetime | dt.date]) -> int:
    mask = 0
    for moment in moments:
        mask |= bit_of(moment)
    return mask


def period_mask(start: dt.date, end: dt.date) -> int | None:
    """The bits of the half-years making up ``[start, end]`` exactly, or None when the range
    cuts a half-year or leaves the span (the caller then looks at the inspections)."""
    first, last = half_index(start), half_index(end)
    if first is None or last is None or not _starts_half(start) or not _ends_half(end):
        return None
    return sum(1 << i for i in range(first, last + 1))


def _starts_half(day: dt.date) -> bool:
    return day.day == 1 and day.month in (1, 7)


def _ends_half(day: dt.date) -> bool:
    return (day.month, day.day) in ((6, 30), (12, 31))


def refresh(employer_ids: Iterable[int]) -> None:
    """Recompute ``inspected_halves`` and ``last_inspected_on`` of these employers from their
    submitted inspections (two statements plus one UPDATE per changed employer)."""
    from xieguan.employers.models import Employer
    from xieguan.inspections.models import Inspection, InspectionStatus

    ids = set(employer_ids)
    if not ids:
        return
    moments: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = Inspection.objects.filter(employer_id__in=ids, status=InspectionStatus.SUBMITTED).values_list(
        "employer_id", "inspected_at"
    )
    for employer_id, inspected_at in rows:
        moments[employer_id].append(inspected_at)
    for employer in Employer.objects.filter(pk__in=ids).only("pk", "inspected_halves", "last_inspected_on"):
        times = moments.get(employer.pk, [])
        mask = mask_of(times)
        last = timezone.localdate(max(times)) if times else None
        if (employer.inspected_halves, employer.last_inspected_on) != (mask, last):
            Employer.objects.filter(pk=employer.pk).update(inspected_halves=mask, last_inspected_on=last)
