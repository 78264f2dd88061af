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

The assistants' side is ``AssistantHalf``: per account and half-year (the same ``half_index``),
how many submitted inspections it made; ``count_assistant_inspection`` adds one in the
transaction that submits, ``refresh_assistants`` recomputes an account's rows after an
amendment. ``check_employers`` and ``check_assistants`` (``employer_differences`` and
``assistant_differences``) compare what is stored with the inspections (``manage.py
checkindicators``); ``half_label`` and ``halves_of`` name the half-years for people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.models import QuerySet

EPOCH_YEAR = 2020
YEARS = 31  # 62 bits: 2020-2050, inside a signed 64-bit integer on every database


def half_index(day: dt.date) -> int | None:
    """The bit of the half-year containing ``day``; None outside the span."""
    index = (day.year - EPOCH_YEAR) * 2 + (0 if day.month <= 6 else 1)
    return index if 0 <= index < YEARS * 2 else None


def half_label(index: int) -> str:
    """Half-year ``index`` as people write it: 0 is 2020年上半年, 13 is 2026年下半年."""
    year, second = divmod(index, 2)
    return f"{EPOCH_YEAR + year}年{'下' if second else '上'}半年"


def halves_of(mask: int) -> list[int]:
    """The half-years whose bits are set in ``mask``, earliest first."""
    return [i for i in range(YEARS * 2) if mask >> i & 1]


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


def half_indices(start: dt.date, end: dt.date) -> list[int] | None:
    """The half-years making up ``[start, end]`` exactly, or None when the range cuts a
    half-year or leaves the span (the caller then looks at the inspections)."""
    first, last = half_index(start), half_index(end)
    if first is None or last is None or not _starts_half(start) or not _ends_half(end):
        return None
    return list(range(first, last + 1))


def period_mask(start: dt.date, end: dt.date) -> int | None:
    """The bits of the half-years making up ``[start, end]`` exactly, or None (``half_indices``)."""
    halves = half_indices(start, end)
    return None if halves is None else sum(1 << i for i in halves)


def _starts_half(day: dt.date) -> bool:
    return day.day == 1 and day.month in (1, 7)


def _ends_half(day: dt.date) -> bool:
    return (day.month, day.day) in ((6, 30), (12, 31))


@transaction.atomic
def refresh(employer_ids: Iterable[int]) -> None:
    """Recompute ``inspected_halves`` and ``last_inspected_on`` of these employers from their
    submitted inspections (three statements plus one UPDATE per changed employer).

    The employer rows are locked before the inspections are read: a submission in progress
    (which updates its employer's row) finishes first and its inspection is counted, and one
    that starts later waits and adds its half-year on top of the recomputed mask. Without the
    lock, a recount that missed a submission still uncommitted would write its bit away."""
    from xieguan.employers.models import Employer
    from xieguan.inspections.models import Inspection, InspectionStatus

    ids = set(employer_ids)
    if not ids:
        return
    locked = Employer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    current = {
        pk: (mask, last)
        for pk, mask, last in locked.values_list("pk", "inspected_halves", "last_inspected_on")
    }
    moments: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = Inspection.objects.filter(employer_id__in=ids, status=InspectionStatus.SUBMITTED).values_list(
        "employer_id", "inspected_at"
    )
    for employer_id, inspected_at in rows:
        moments[employer_id].append(inspected_at)
    for pk, stored in current.items():
        times = moments.get(pk, [])
        mask = mask_of(times)
        last = timezone.localdate(max(times)) if times else None
        if stored != (mask, last):
            Employer.objects.filter(pk=pk).update(inspected_halves=mask, last_inspected_on=last)


# --- assistants: AssistantHalf ----------------------------------------------------------


def count_assistant_inspection(user_id: int, inspected_at: dt.datetime) -> None:
    """One more submitted inspection of this account in the half-year of ``inspected_at``
    (called in the transaction that submits it): one upsert statement (PostgreSQL, and SQLite
    from 3.24), safe against a racing first submission of the same half-year."""
    from xieguan.inspections.models import AssistantHalf

    half = half_index(timezone.localdate(inspected_at))
    if half is None:
        return
    table = connection.ops.quote_name(AssistantHalf._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (assistant_id, half, inspections) VALUES (%s, %s, 1) "  # noqa: S608 - the model's table
            f"ON CONFLICT (assistant_id, half) DO UPDATE SET inspections = {table}.inspections + 1",
            [user_id, half],
        )


def live_assistant_halves(inspections: QuerySet[Any]) -> dict[tuple[int, int], int]:
    """(account id, half-year) -> submitted inspections, counted from ``inspections`` (grouped in
    SQL by local year and month; half-years outside the span are left out, as in the mask)."""
    from xieguan.inspections.models import InspectionStatus

    rows = (
        inspections.filter(status=InspectionStatus.SUBMITTED)
        .annotate(y=ExtractYear("inspected_at"), m=ExtractMonth("inspected_at"))
        .values("assistant_id", "y", "m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        half = half_index(dt.date(row["y"], row["m"], 1))
        if half is not None:
            out[(row["assistant_id"], half)] += row["n"]
    return dict(out)


@dataclass
class Difference:
    """A stored value that is not what the inspections say."""

    what: str  # "assistant_half" or "employer"
    key: tuple[Any, ...]  # (account id, half-year) or (employer id,)
    stored: Any
    live: Any


@dataclass
class Check:
    """What a comparison looked at and what differed."""

    differences: list[Difference]
    checked: int  # employers, or (account, half-year) rows stored or counted from the inspections
    accounts: int = 0  # assistants: the accounts with such a row


def assistant_differences(user_ids: Iterable[int] | None = None) -> list[Difference]:
    """AssistantHalf rows that differ from the inspections, for these accounts (all if None)."""
    return check_assistants(user_ids).differences


def check_assistants(user_ids: Iterable[int] | None = None) -> Check:
    """``assistant_differences`` with how many accounts and half-year rows were compared."""
    from xieguan.inspections.models import AssistantHalf, Inspection

    inspections = Inspection.objects.all()
    stored_rows = AssistantHalf.objects.all()
    if user_ids is not None:
        ids = list(user_ids)
        inspections = inspections.filter(assistant_id__in=ids)
        stored_rows = stored_rows.filter(assistant_id__in=ids)
    live = live_assistant_halves(inspections)
    stored = {(a, h): n for a, h, n in stored_rows.values_list("assistant_id", "half", "inspections")}
    keys = live.keys() | stored.keys()
    differences = [
        Difference("assistant_half", key, stored.get(key, 0), live.get(key, 0))
        for key in sorted(keys)
        if stored.get(key, 0) != live.get(key, 0)
    ]
    return Check(differences, checked=len(keys), accounts=len({account for account, _half in keys}))


@transaction.atomic
def fix_assistants(differences: Iterable[Difference]) -> None:
    """Store what the submitted inspections say for the (account, half-year) rows of
    ``assistant_differences``, counted again here rather than taken from the differences (which
    may be stale by now).

    Every row to repair is made to exist first (inserted at 0 where missing, a conflict ignored),
    then the accounts' rows are locked before the inspections are counted: a submission in
    progress that already added its one to a row, or inserted the row as its half-year's first,
    finishes first and is counted; one that starts later waits and adds its one on top (or
    inserts its row again after a row left at 0 is deleted here). Without the insert, the first
    submission of a half-year racing the repair of that very missing row was written away
    (the amendment's recount has no re-check)."""
    from xieguan.inspections.models import AssistantHalf, Inspection

    keys = sorted({diff.key for diff in differences})
    if not keys:
        return
    ids = sorted({user_id for user_id, _half in keys})
    AssistantHalf.objects.bulk_create(
        [AssistantHalf(assistant_id=user_id, half=half, inspections=0) for user_id, half in keys],
        ignore_conflicts=True,
    )
    rows = (
        AssistantHalf.objects.select_for_update()
        .filter(assistant_id__in=ids)
        .order_by("assistant_id", "half")
    )
    stored = {(a, h): n for a, h, n in rows.values_list("assistant_id", "half", "inspections")}
    live = live_assistant_halves(Inspection.objects.filter(assistant_id__in=ids))
    for user_id, half in keys:
        count = live.get((user_id, half), 0)
        row = AssistantHalf.objects.filter(assistant_id=user_id, half=half)
        if count == 0:
            row.delete()  # no row for a half-year without inspections (nor the 0 inserted above)
        elif count != stored.get((user_id, half)):
            row.update(inspections=count)


def refresh_assistants(user_ids: Iterable[int]) -> None:
    """Recompute the AssistantHalf rows of these accounts from their submitted inspections."""
    ids = set(user_ids)
    if ids:
        fix_assistants(assistant_differences(ids))


def employer_differences(employers: QuerySet[Any]) -> list[Difference]:
    """Employers whose ``inspected_halves`` or ``last_inspected_on`` differ from their
    submitted inspections (two grouped queries whatever the number of employers)."""
    return check_employers(employers).differences


def check_employers(employers: QuerySet[Any]) -> Check:
    """``employer_differences`` with how many employers were compared (three statements)."""
    from xieguan.inspections.models import Inspection, InspectionStatus

    submitted = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED, employer__in=employers.values("pk")
    ).order_by()
    masks: dict[int, int] = defaultdict(int)
    months = (
        submitted.annotate(y=ExtractYear("inspected_at"), m=ExtractMonth("inspected_at"))
        .values_list("employer_id", "y", "m")
        .distinct()
    )
    for employer_id, year, month in months:
        masks[employer_id] |= bit_of(dt.date(year, month, 1))
    last = {
        row["employer_id"]: timezone.localdate(row["at"])
        for row in submitted.values("employer_id").annotate(at=Max("inspected_at"))
    }
    out = []
    checked = 0
    for pk, mask, last_on in employers.values_list("pk", "inspected_halves", "last_inspected_on"):
        checked += 1
        live = (masks.get(pk, 0), last.get(pk))
        if (mask, last_on) != live:
            out.append(Difference("employer", (pk,), (mask, last_on), live))
    return Check(out, checked=checked)


def rebuild_assistant_halves() -> int:
    """Empty AssistantHalf and fill it from the submitted inspections, for loads that bypass the
    actions (the benchmark data generator); returns the number of rows written."""
    from xieguan.inspections.models import AssistantHalf, Inspection

    AssistantHalf.objects.all().delete()
    rows = [
        AssistantHalf(assistant_id=user_id, half=half, inspections=n)
        for (user_id, half), n in live_assistant_halves(Inspection.objects.all()).items()
    ]
    AssistantHalf.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)
