"""The dashboard table: child regions × indicators, with totals, targets and links.

Built with one query for the child regions, one for the targets and one grouped query per
indicator, however many children the region has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from xieguan.indicators.models import Target
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Counts, Indicator, Show, all_indicators, format_rate
from xieguan.regions.models import CODE_LENGTH, Level, Region

# The deepest level whose dashboard is offered (a township's children are villages).
DEEPEST_DASHBOARD = Level.TOWNSHIP


@dataclass
class Cell:
    indicator: Indicator
    counts: Counts
    target: Target | None
    code: str
    period: Period

    @property
    def met(self) -> bool | None:
        return self.target.is_met(self.counts.rate) if self.target else None

    @property
    def rate_text(self) -> str:
        return format_rate(self.counts.rate)

    @property
    def css(self) -> str:
        return {True: "met", False: "unmet"}.get(self.met, "") if self.met is not None else ""

    def url(self, show: str = Show.MISSING) -> str:
        return self.indicator.list_url(self.code, self.period, show)

    @cached_property
    def missing_url(self) -> str:
        return self.url(Show.MISSING)

    @cached_property
    def ok_url(self) -> str:
        return self.url(Show.OK)

    @cached_property
    def all_url(self) -> str:
        return self.url(Show.ALL)

    @cached_property
    def extras(self) -> list[tuple[Any, int, str]]:
        """(label, count, url) of the indicator's extra counts (on time, overdue …)."""
        return [
            (label, self.counts.extras.get(name, 0), self.url(name))
            for name, label in self.indicator.extra_labels.items()
        ]


@dataclass
class Row:
    code: str
    name: str
    kind: str  # "child", "self" (rows registered at the region's own level), "total"
    cells: list[Cell] = field(default_factory=list)
    link: str = ""  # the child's own dashboard


@dataclass
class Table:
    node: Region
    period: Period
    indicators: list[Indicator]
    targets: dict[str, Target]
    rows: list[Row]
    total: Row

    @property
    def unmet(self) -> list[Cell]:
        return [cell for cell in self.total.cells if cell.met is False]


def targets() -> dict[str, Target]:
    return {t.indicator: t for t in Target.objects.all()}


def child_length(node: Region) -> int:
    """The code length of the node's children (the node's own length for a village)."""
    child = node.child_level
    return CODE_LENGTH[Level(child)] if child else len(node.code)


def dashboard_url(code: str, period: Period) -> str:
    return f"{reverse('indicators:dashboard')}?{urlencode({'region': code, 'period': period.key})}"


def build_table(node: Region, period: Period, indicators: list[Indicator] | None = None) -> Table:
    indicators = indicators if indicators is not None else all_indicators()
    goals = targets()
    children = list(Region.objects.filter(parent=node).only("code", "name", "level").order_by("code"))
    length = child_length(node)
    per_indicator = [ind.counts(node.code, period, length) for ind in indicators]

    def row(code: str, name: str, kind: str, link: str = "") -> Row:
        cells = [
            Cell(ind, counts.get(code, Counts()), goals.get(ind.key), code, period)
            for ind, counts in zip(indicators, per_indicator, strict=True)
        ]
        return Row(code, name, kind, cells, link)

    rows = [
        row(
            child.code,
            child.name,
            "child",
            dashboard_url(child.code, period) if child.level <= DEEPEST_DASHBOARD else "",
        )
        for child in children
    ]
    if children and any(node.code in counts for counts in per_indicator):
        rows.append(row(node.code, f"{node.name}（本级）", "self"))
    totals = [sum(counts.values(), Counts()) for counts in per_indicator]
    total = Row(
        node.code,
        node.name,
        "total",
        [
            Cell(ind, counts, goals.get(ind.key), node.code, period)
            for ind, counts in zip(indicators, totals, strict=True)
        ],
    )
    return Table(node, period, indicators, goals, rows, total)


def series(node: Region, periods: list[Period]) -> dict[str, Any]:
    """Rates of every indicator over several periods, for the charts (one query per indicator)."""
    goals = targets()
    out = []
    for ind in all_indicators():
        values = ind.series(node.code, periods)
        target = goals.get(ind.key)
        out.append(
            {
                "key": ind.key,
                "label": str(ind.label),
                "target": float(target.threshold) if target else None,
                "rates": [float(c.rate) if c.rate is not None else None for c in values],
                "numerators": [c.numerator for c in values],
                "denominators": [c.denominator for c in values],
            }
        )
    return {
        "region": node.name,
        "periods": [p.label for p in periods],
        "short_periods": [p.short_label for p in periods],
        "indicators": out,
    }
