"""Training rates (培训参加率、合格率): the regulation's target is 90% or more for both.

participation = attended / invited; pass rate = passed / attended. Counted in the database
over TrainingRecord rows (one per invited assistant per session); the same ``rates_of`` serves
a session, a county and a year, and the indicators module's training indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from xieguan.personnel.models import TrainingKind, TrainingRecord
from xieguan.regions.models import Level, Region

TARGET = Decimal("0.90")

INVITED = Count("pk")
ATTENDED = Count("pk", filter=Q(attended=True))
PASSED = Count("pk", filter=Q(attended=True, passed=True))


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


def rates_of(records: QuerySet[TrainingRecord]) -> Rates:
    counts = records.aggregate(n_invited=INVITED, n_attended=ATTENDED, n_passed=PASSED)
    return Rates(counts["n_invited"], counts["n_attended"], counts["n_passed"])


def year_records(
    records: QuerySet[TrainingRecord], year: int, kind: str | None = TrainingKind.BUSINESS
) -> QuerySet[TrainingRecord]:
    """Records of sessions held in ``year`` (business training by default: 业务培训参加率、合格率)."""
    qs = records.filter(session__held_on__year=year)
    return qs.filter(session__kind=kind) if kind else qs


@dataclass(frozen=True)
class CountyRates:
    code: str
    name: str
    rates: Rates


def by_county(records: QuerySet[TrainingRecord]) -> list[CountyRates]:
    """The records' rates per county of the assistant's township (one grouped query)."""
    rows = (
        records.annotate(county=Substr("assistant__township_id", 1, 6))
        .values("county")
        .annotate(n_invited=INVITED, n_attended=ATTENDED, n_passed=PASSED)
        .order_by("county")
    )
    grouped = {r["county"]: Rates(r["n_invited"], r["n_attended"], r["n_passed"]) for r in rows}
    names = dict(
        Region.objects.filter(code__in=list(grouped), level=Level.COUNTY).values_list("code", "name")
    )
    return [CountyRates(code, names.get(code, code), rates) for code, rates in grouped.items()]
