"""The registry of indicators (主要工作指标) and the one way each is computed.

An indicator is a small class that says, for a region subtree and a period:

- ``base(code)``             the rows it counts (employers, assistants, leads …) in the subtree;
- ``member(period, code)``   which of them are in the denominator for the period;
- ``ok(period, code)``       which members are in the numerator;
- ``extras(period, code)``   optional further counts among the members (on time, overdue …).

The conditions receive the subtree's ``code`` too: a condition that looks into another table
(the townships with an assistant in service, with a publicity event) is written set-based, as
``code IN (the subtree's matching rows)``, which PostgreSQL computes once per statement instead
of once per row, and the subtree keeps that set as small as the rows it is compared with.

Conditions are ``Q`` objects or boolean expressions (``Exists``), so the same definition
serves three purposes and they cannot disagree:

- ``counts()`` — numerator/denominator per child region in ONE grouped query over the whole
  subtree, grouping by the code prefix ``Substr(region_field, 1, child_length)``;
- ``series()`` — the subtree's totals for several periods in ONE query (conditional counts);
- ``rows()``   — the drill-down list: members, the ok ones, or the missing ones.

Register with ``@register``. The indicators of this app live one per module in
``xieguan/indicators/catalogue/``; another app adds one with a module ``<app>/indicators.py``
(found at start-up). See docs/indicators.md.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Substr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from xieguan.lib.prepared import Prepared

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from xieguan.indicators.periods import Period

Condition = Q | BaseExpression

HUNDRED = Decimal(100)


class Subject:
    """What an indicator counts; picks the drill-down table."""

    EMPLOYER = "employer"
    ASSISTANT = "assistant"
    LEAD = "lead"
    INSPECTION = "inspection"
    TOWNSHIP = "township"


class Show:
    """Which rows a drill-down lists."""

    MISSING = "missing"  # members not in the numerator: who or what is the reason
    OK = "ok"  # the numerator
    ALL = "all"  # the denominator


@dataclass
class Counts:
    """Numerator and denominator of one indicator for one region (and optional extra counts)."""

    numerator: int = 0
    denominator: int = 0
    extras: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return self.denominator - self.numerator

    @property
    def rate(self) -> Decimal | None:
        """The percentage with one decimal; None when there is nothing to count (shown as "—")."""
        if not self.denominator:
            return None
        return (HUNDRED * self.numerator / self.denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def __add__(self, other: Counts) -> Counts:
        keys = self.extras.keys() | other.extras.keys()
        return Counts(
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            {k: self.extras.get(k, 0) + other.extras.get(k, 0) for k in keys},
        )


def format_rate(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"


def _both(a: Condition, b: Condition) -> Q:
    return Q(a) & Q(b)


class Indicator(ABC):
    """Base of every indicator. Subclasses set the class attributes and the three methods."""

    key: ClassVar[str]
    label: ClassVar[StrOrPromise]
    short_label: ClassVar[StrOrPromise]
    numerator_label: ClassVar[StrOrPromise]
    denominator_label: ClassVar[StrOrPromise]
    missing_label: ClassVar[StrOrPromise]
    subject: ClassVar[str]
    order: ClassVar[int] = 50
    basis: ClassVar[StrOrPromise] = ""  # the regulation's words this indicator measures
    region_field: ClassVar[str] = "region_id"  # the column holding the row's region code
    extra_labels: ClassVar[dict[str, StrOrPromise]] = {}
    # The grouped statement of ``counts_by_prefix`` compiled once per period, code length and day
    # (``lib.prepared``), bound to each region code. Only for an indicator whose statement
    # depends on nothing else: no policy row, no clock but ``Period.halves()``'s today.
    compile_once: ClassVar[bool] = False

    # --- the definition -------------------------------------------------------------

    @abstractmethod
    def base(self, code: str) -> QuerySet[Any]:
        """The rows the indicator counts in the subtree of ``code``."""

    def member(self, period: Period, code: str) -> Condition:
        """Which rows of ``base(code)`` are in the denominator (all by default)."""
        return Q()

    @abstractmethod
    def ok(self, period: Period, code: str) -> Condition:
        """Which members (rows of ``base(code)``) are in the numerator."""

    def extras(self, period: Period, code: str) -> dict[str, Condition]:
        return {}

    # --- computations (one query each) ----------------------------------------------

    def members(self, code: str, period: Period) -> QuerySet[Any]:
        return self.base(code).filter(self.member(period, code))

    def counts(self, code: str, period: Period, child_length: int) -> dict[str, Counts]:
        """Counts per child region code, in one grouped query over the subtree of ``code``.

        Rows whose region is above the child level (an employer registered at township level
        seen from the township) are grouped under ``code`` itself.
        """
        out: dict[str, Counts] = {}
        for prefix, counts in self.counts_by_prefix(code, period, child_length).items():
            child = prefix if len(prefix) >= child_length else code
            out[child] = out[child] + counts if child in out else counts
        return out

    def counts_by_prefix(self, code: str, period: Period, length: int) -> dict[str, Counts]:
        """Counts per region code cut to ``length``, in one grouped query over the subtree of
        ``code``; rows registered above that level keep their own (shorter) code, so a caller
        can tell a prefecture's own rows from its counties' (the all-counties table)."""
        extras = self.extras(period, code)
        if self.compile_once:
            grouped = _prepared_counts(self).list(period, length, timezone.localdate(), code=code)
        else:
            grouped = list(self.counts_query(period, length, code=code))
        return {
            row["child_code"]: Counts(row["num"], row["den"], {name: row[f"x_{name}"] for name in extras})
            for row in grouped
        }

    def counts_query(self, period: Period, length: int, today: Any = None, *, code: str) -> QuerySet[Any]:
        """The grouped statement of ``counts_by_prefix`` (``today`` only keys a compiled one)."""
        aggregates: dict[str, Any] = {
            "den": Count("pk"),
            "num": Count("pk", filter=Q(self.ok(period, code))),
            **{f"x_{name}": Count("pk", filter=Q(cond)) for name, cond in self.extras(period, code).items()},
        }
        return (
            self.members(code, period)
            .annotate(child_code=Substr(self.region_field, 1, length))
            .values("child_code")
            .annotate(**aggregates)
            .order_by()
        )

    def total(self, code: str, period: Period) -> Counts:
        return self.series(code, [period])[0]

    def own_total(self, code: str, period: Period, child_length: int) -> Counts:
        """The counts of the rows registered at ``code`` itself, above its children (whose codes
        are ``child_length`` long): the "（本级）" row of ``counts()``."""
        return self.counts(code, period, child_length).get(code, Counts())

    def series(self, code: str, periods: list[Period]) -> list[Counts]:
        """The subtree's counts for each period, in one query (conditional counts)."""
        if self.compile_once:
            [row] = _prepared_series(self).list(tuple(periods), timezone.localdate(), code=code)
        else:
            [row] = self.series_query(tuple(periods), code=code)
        return [
            Counts(
                row[f"num{i}"],
                row[f"den{i}"],
                {name: row[f"x{i}_{name}"] for name in self.extras(period, code)},
            )
            for i, period in enumerate(periods)
        ]

    def series_query(self, periods: tuple[Period, ...], today: Any = None, *, code: str) -> QuerySet[Any]:
        """The statement of ``series``: one row of conditional counts over the subtree (grouped
        by a constant, which Django leaves out: an aggregate, one row even when nothing matches;
        ``today`` only keys a compiled one)."""
        aggregates: dict[str, Any] = {}
        for i, period in enumerate(periods):
            member = Q(self.member(period, code))
            aggregates[f"den{i}"] = Count("pk", filter=member)
            aggregates[f"num{i}"] = Count("pk", filter=_both(member, self.ok(period, code)))
            for name, cond in self.extras(period, code).items():
                aggregates[f"x{i}_{name}"] = Count("pk", filter=_both(member, cond))
        return (
            self.base(code)
            .order_by()
            .annotate(_all=Value(1, output_field=IntegerField()))
            .values("_all")
            .annotate(**aggregates)
        )

    def rows(self, code: str, period: Period, show: str = Show.MISSING, own: bool = False) -> QuerySet[Any]:
        """The rows behind a number: the missing ones, the ok ones, or all members; with ``own``
        only those registered at ``code`` itself (a table's "（本级）" row), not below it."""
        members = self.members(code, period)
        if own:
            members = members.filter(**{self.region_field: code})
        if show == Show.OK:
            return members.filter(self.ok(period, code))
        if show == Show.ALL:
            return members
        if show in self.extra_labels:
            return members.filter(self.extras(period, code)[show])
        return members.exclude(self.ok(period, code))

    def present(self, rows: Iterable[Any]) -> None:
        """Add to one page of ``rows()`` what the drill-down table shows besides the rows
        (links, labels); nothing by default."""
        return None

    # --- links ----------------------------------------------------------------------

    def list_url(self, code: str, period: Period, show: str = Show.MISSING, own: bool = False) -> str:
        """Where the rows behind a number are listed (the drill-down page by default; ``own``:
        only the rows registered at ``code`` itself, ``&own=1``)."""
        query = urlencode(
            {"region": code, "period": period.key, "show": show, **({"own": "1"} if own else {})}
        )
        return f"{drill_path(self.key)}?{query}"


_PREPARED: dict[tuple[str, str], Prepared[Any]] = {}


def _prepared(indicator: Indicator, name: str) -> Prepared[Any]:
    found = _PREPARED.get((indicator.key, name))
    if found is None:
        build = getattr(indicator, name)
        found = _PREPARED[indicator.key, name] = Prepared(indicator.base("").model, build)
    return found


def _prepared_counts(indicator: Indicator) -> Prepared[Any]:
    return _prepared(indicator, "counts_query")


def _prepared_series(indicator: Indicator) -> Prepared[Any]:
    return _prepared(indicator, "series_query")


def drill_path(key: str) -> str:
    """The drill-down page of an indicator (a dashboard links ~1,500 cells)."""
    return path_of("indicators:drill", key)


def path_of(name: str, *args: str) -> str:
    """``reverse(name, args=args)``, reversed once per name and arguments (the project's URLs
    carry no language prefix, so the path depends only on the script prefix and URLconf)."""
    return _path_of(name, args, get_script_prefix(), get_urlconf())


@cache
def _path_of(name: str, args: tuple[str, ...], prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args, urlconf=urlconf)


_REGISTRY: dict[str, Indicator] = {}

IndicatorClass = TypeVar("IndicatorClass", bound=type[Indicator])


def register(cls: IndicatorClass) -> IndicatorClass:
    """Class decorator: add an indicator to the registry (one instance per key)."""
    if cls.key in _REGISTRY and type(_REGISTRY[cls.key]) is not cls:
        raise ValueError(f"indicator key {cls.key!r} registered twice")
    _REGISTRY[cls.key] = cls()
    return cls


def all_indicators() -> list[Indicator]:
    return sorted(_REGISTRY.values(), key=lambda i: (i.order, i.key))


def get_indicator(key: str) -> Indicator | None:
    return _REGISTRY.get(key)


def indicator(key: str) -> Indicator:
    """The registered indicator with this key (KeyError if none)."""
    return _REGISTRY[key]


def keys() -> list[str]:
    return [i.key for i in all_indicators()]
