"""Training rates (培训参加率、合格率): the regulation's target is 90% or more for both.

participation = attended / invited; pass rate = passed / attended, over TrainingRecord rows
(one per invited assistant per session). The conditions below are the one definition: the
per-session figures here and the indicators ``training_participation`` / ``training_pass``
(personnel/indicators.py, shown on the dashboard and on the rates page) all use them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from xieguan.personnel.models import TrainingKind, TrainingRecord

TARGET = Decimal("0.90")

ATTENDED = Q(attended=True)
PASSED = Q(attended=True, passed=True)


def held_in(start: dt.date, end: dt.date, kind: str = TrainingKind.BUSINESS) -> Q:
    """Records of sessions of ``kind`` held between ``start`` and ``end`` (inclusive)."""
    return Q(session__kind=kind, session__held_on__gte=start, session__held_on__lte=end)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Rates:
    invited: int
    attended: int
    passed: int

    @property
    def participation(self) -> Decimal | None:
        return _rate(self.attended, self.invited)

    @property
    def pass_rate(self) -> Decimal | None:
        return _rate(self.passed, self.attended)

    @property
    def participation_met(self) -> bool | None:
        return None if self.participation is None else self.participation >= TARGET

    @property
    def pass_met(self) -> bool | None:
        return None if self.pass_rate is None else self.pass_rate >= TARGET


COUNTS = {
    "n_invited": Count("pk"),
    "n_attended": Count("pk", filter=ATTENDED),
    "n_passed": Count("pk", filter=PASSED),
}


def rates_of(records: QuerySet[TrainingRecord]) -> Rates:
    counts = records.aggregate(**COUNTS)
    return Rates(counts["n_invited"], counts["n_attended"], counts["n_passed"])


def rates_per(records: QuerySet[TrainingRecord], field: str) -> dict[Any, Rates]:
    """Rates grouped by ``field`` (e.g. ``session_id``), in one query."""
    rows: Any = records.values(field).annotate(**COUNTS).order_by()
    return {r[field]: Rates(r["n_invited"], r["n_attended"], r["n_passed"]) for r in rows}
