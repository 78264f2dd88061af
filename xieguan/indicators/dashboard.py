"""The dashboard table: child regions × indicators, with totals, targets and links.

Built with one query for the child regions, one for the targets and one grouped query per
indicator, however many children the region has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from xieguan.indicators.models import Target
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Counts, Indicator, Show, all_indicators, drill_path, format_rate
from xieguan.regions.models import CODE_LENGTH, Level, Region

# The deepest level whose dashboard is offered (a township's children are villages).
DEEPEST_DASHBOARD = Level.TOWNSHIP


class Column:
    """What every cell of one indicator shares in a table: target, link pieces, escaped labels.

    A county's table has ~400 cells and ~1,500 links; building them from these pieces (only the
    region code differs from cell to cell) instead of through a template include and
    ``urlencode`` per link is most of what keeps the dashboard's rendering cheap.
    """

    def __init__(self, indicator: Indicator, target: Target | None, period: Period) -> None:
        self.indicator = indicator
        self.target = target
        self.period = period
        self._prefix = f"{drill_path(indicator.key)}?region="
        self._suffix = f"&{urlencode({'period': period.key})}&show="
        # The same pieces for HTML attributes (``&`` escaped); quote_plus output needs no escaping.
        self._html_prefix, self._html_suffix = escape(self._prefix), escape(self._suffix)
        # str() first: escape() of a lazy translation stays lazy and would translate per cell.
        self.numerator_title = escape(str(indicator.numerator_label))
        self.denominator_title = escape(str(indicator.denominator_label))
        self.extra_labels = [(name, escape(str(label))) for name, label in indicator.extra_labels.items()]
        self.empty_html = (
            f'<span class="text-body-secondary" title="{escape(_("没有可统计的对象"))}">—</span>'
        )
        self.met_html = f'<span class="visually-hidden">{escape(_("达标"))}</span>'
        self.unmet_html = f'<span class="text-danger ms-1" aria-label="{escape(_("未达标"))}">!</span>'
        self.missing_title = escape(_("查看缺少的"))

        # An indicator that links elsewhere (the reporting rate: the leads list) keeps its own links.
        self._own_links = type(indicator).list_url is not Indicator.list_url

    def url(self, code: str, show: str = Show.MISSING, own: bool = False) -> str:
        """The same link as ``Indicator.list_url(code, period, show, own)``, without re-encoding
        the rest."""
        if self._own_links:
            return self.indicator.list_url(code, self.period, show, own)
        return f"{self._prefix}{_quoted(code)}{self._suffix}{_quoted(show)}{OWN if own else ''}"

    def href(self, code: str, show: str, own: bool = False) -> str:
        """``url()`` escaped for an HTML attribute."""
        if self._own_links:
            return escape(self.url(code, show, own))
        return (
            f"{self._html_prefix}{_quoted(code)}{self._html_suffix}{_quoted(show)}{OWN_HTML if own else ''}"
        )


# A "（本级）" row's links list only what is registered at the region itself (Indicator.rows(own=True)).
OWN = "&own=1"
OWN_HTML = escape(OWN)


def _quoted(value: str) -> str:
    """quote_plus, skipped for what it would not change (region codes are digits, shows words)."""
    return value if value.isascii() and value.isalnum() else quote_plus(value)


@dataclass
class Cell:
    column: Column
    counts: Counts
    code: str
    own: bool = False  # a "（本级）" row's cell: its links list the region's own rows only

    @property
    def indicator(self) -> Indicator:
        return self.column.indicator

    @property
    def target(self) -> Target | None:
        return self.column.target

    @property
    def period(self) -> Period:
        return self.column.period

    @cached_property
    def met(self) -> bool | None:
        return self.target.is_met(self.counts.rate) if self.target else None

    @property
    def rate_text(self) -> str:
        return format_rate(self.counts.rate)

    @property
    def css(self) -> str:
        return {True: "met", False: "unmet"}.get(self.met, "") if self.met is not None else ""

    def url(self, show: str = Show.MISSING) -> str:
        return self.column.url(self.code, show, self.own)

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

    @property
    def mark_html(self) -> str:
        """The sign after the rate: met, unmet, or nothing where no target applies."""
        met, column = self.met, self.column
        return column.met_html if met is True else column.unmet_html if met is False else ""

    @cached_property
    def html(self) -> SafeString:
        """The table cell's content: rate (links to what is missing), numerator/denominator, extras.

        Built here rather than in a template include per cell (see ``Column``); every text
        in it is a number, a link built from region codes, or a label escaped in ``Column``.
        """
        counts, column, code, own = self.counts, self.column, self.code, self.own
        if not counts.denominator:
            return mark_safe(column.empty_html)  # noqa: S308 - escaped in Column
        parts = [
            f'<a class="fw-semibold text-decoration-none" href="{column.href(code, Show.MISSING, own)}"'
            f' title="{column.missing_title}">{self.rate_text}</a>{self.mark_html}'
            f'<div class="small text-nowrap"><a href="{column.href(code, Show.OK, own)}"'
            f' title="{column.numerator_title}">{counts.numerator}</a>/'
            f'<a href="{column.href(code, Show.ALL, own)}"'
            f' title="{column.denominator_title}">{counts.denominator}</a></div>'
        ]
        for name, label in column.extra_labels:
            count = counts.extras.get(name, 0)
            if count:
                parts.append(
                    f'<div class="small text-nowrap text-body-secondary">{label} '
                    f'<a href="{column.href(code, name, own)}">{count}</a></div>'
                )
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above

    @cached_property
    def compact_html(self) -> SafeString:
        """The all-counties table's cell (88 counties and their subtotals × the indicators, ~900
        cells): the rate linked to what is missing, as in ``html``, the numerator/denominator and
        the extras as plain numbers (the missing list's tabs lead to those lists), no per-cell
        titles (the column header has them), classes from app.css (``.counties-table td > div``).
        Linked like ``html``, the province's page was 621 KB of HTML, 52 KB compressed."""
        counts, column, code = self.counts, self.column, self.code
        if not counts.denominator:
            return mark_safe(column.empty_html)  # noqa: S308 - escaped in Column
        parts = [
            f'<a href="{column.href(code, Show.MISSING)}">{self.rate_text}</a>{self.mark_html}'
            f"<div>{counts.numerator}/{counts.denominator}</div>"
        ]
        for name, label in column.extra_labels:
            count = counts.extras.get(name, 0)
            if count:
                parts.append(f'<div class="x">{label} {count}</div>')
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@dataclass
class Row:
    code: str
    name: str
    kind: str  # "child", "self" (rows registered at the region's own level), "subtotal", "total"
    cells: list[Cell] = field(default_factory=list)
    link: str = ""  # the child's own dashboard

    @property
    def cells_html(self) -> SafeString:
        """The row's ``<td>`` cells (one template variable per row instead of two per cell)."""
        return mark_safe(  # noqa: S308 - css is a constant, html is escaped in Cell.html
            "".join(f'<td class="text-end {cell.css}">{cell.html}</td>' for cell in self.cells)
        )

    @property
    def compact_cells_html(self) -> SafeString:
        """The row's ``<td>`` cells in the all-counties table (``Cell.compact_html``)."""
        return mark_safe(  # noqa: S308 - css is a constant, compact_html is escaped in Cell
            "".join(f'<td class="text-end {cell.css}">{cell.compact_html}</td>' for cell in self.cells)
        )


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


def targets(region: Region | str | None) -> dict[str, Target]:
    """The indicator targets in force in the region's province (regions/policy.py)."""
    return Target.rows_for_region(region)


def child_length(node: Region) -> int:
    """The code length of the node's children (the node's own length for a village)."""
    child = node.child_level
    return CODE_LENGTH[Level(child)] if child else len(node.code)


def dashboard_url(code: str, period: Period) -> str:
    return f"{reverse('indicators:dashboard')}?{urlencode({'region': code, 'period': period.key})}"


def build_table(node: Region, period: Period, indicators: list[Indicator] | None = None) -> Table:
    indicators = indicators if indicators is not None else all_indicators()
    goals = targets(node)
    children = list(Region.objects.filter(parent=node).only("code", "name", "level").order_by("code"))
    length = child_length(node)
    per_indicator = [ind.counts(node.code, period, length) for ind in indicators]
    columns = [Column(ind, goals.get(ind.key), period) for ind in indicators]

    def row(code: str, name: str, kind: str, link: str = "") -> Row:
        cells = [
            Cell(column, counts.get(code, Counts()), code, own=kind == "self")
            for column, counts in zip(columns, per_indicator, strict=True)
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
        [Cell(column, counts, node.code) for column, counts in zip(columns, totals, strict=True)],
    )
    return Table(node, period, indicators, goals, rows, total)


def series(node: Region, periods: list[Period]) -> dict[str, Any]:
    """Rates of every indicator over several periods, for the charts (one query per indicator)."""
    goals = targets(node)
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


# --- all counties side by side (province and prefecture) ---------------------------------

# The regions whose "all counties" table is offered: the province (88 counties in nine
# prefectures) and a prefecture (its counties).
COUNTIES_LEVELS = (Level.PROVINCE, Level.PREFECTURE)
COUNTY_LENGTH = CODE_LENGTH[Level.COUNTY]


@dataclass
class Group:
    """One prefecture of the all-counties table: its subtotal (the indicators over the whole
    prefecture) and its counties, plus a row for what is registered at the prefecture itself."""

    subtotal: Row
    rows: list[Row]


@dataclass
class Bar:
    """One county in the ranked bar chart of an indicator."""

    rank: int  # 1 = the highest rate, whichever order the chart lists them in
    row: Row
    cell: Cell
    prefecture: str
    floor: int = 0  # the rate at the bar's left end (``Ranking.floor``)

    @property
    def width(self) -> str:
        """The bar's length as a CSS percentage of the track, which runs from ``floor`` to 100 %."""
        rate = float(self.cell.counts.rate or 0)
        return f"{max(0.0, rate - self.floor) * 100 / (100 - self.floor):.1f}%"


@dataclass
class Ranking:
    """The counties ranked by one indicator: worst first by default (``descending`` for best first).

    The bars' axis starts at ``floor``, not at 0: with every county between 84 % and 98 % the bars
    from 0 looked alike. ``floor`` is the lowest rate (or the target, if lower) rounded down to ten,
    at most 90 (the axis spans ten points at least); the target is drawn as a mark on each track."""

    bars: list[Bar]
    unrated: list[Row]  # nothing to count for this indicator ("—"), by code
    floor: int
    target: Target | None
    descending: bool

    @property
    def target_at(self) -> str:
        """Where the target's mark sits on a track, as a CSS percentage ("" without a target)."""
        if self.target is None:
            return ""
        goal = min(100.0, max(float(self.floor), float(self.target.threshold)))
        return f"{(goal - self.floor) * 100 / (100 - self.floor):.1f}%"


def axis_floor(rates: list[float], target: float | None) -> int:
    """The rate at the left end of the ranking's bars (see ``Ranking``)."""
    low = min([*rates, *([target] if target is not None else [])], default=0.0)
    return min(90, int(low // 10) * 10)


@dataclass
class CountiesTable:
    node: Region
    period: Period
    indicators: list[Indicator]
    targets: dict[str, Target]
    groups: list[Group]
    total: Row
    own: Row | None  # records registered at the province itself (none at a prefecture)
    sort: str = ""  # the indicator key the counties are sorted by, within each prefecture
    descending: bool = False

    @property
    def subtotals_shown(self) -> bool:
        """A prefecture's own table is one group: its subtotal would repeat 合计, so neither the
        page nor the export shows it."""
        return len(self.groups) > 1

    @property
    def county_count(self) -> int:
        return sum(1 for group in self.groups for row in group.rows if row.kind == "child")

    def ranking(self, key: str, descending: bool = False) -> Ranking:
        """The counties ranked by one indicator's rate, lowest first (``descending``: highest
        first, ties by code; lowest first is that list reversed), and the counties with nothing
        to count for it ("—")."""
        index = next(i for i, ind in enumerate(self.indicators) if ind.key == key)
        entries = [
            (row, row.cells[index], group.subtotal.name)
            for group in self.groups
            for row in group.rows
            if row.kind == "child"
        ]
        rated = [e for e in entries if e[1].counts.rate is not None]
        rated.sort(key=lambda e: (-(e[1].counts.rate or 0), e[0].code))
        target = self.targets.get(key)
        floor = axis_floor(
            [float(cell.counts.rate or 0) for _row, cell, _name in rated],
            float(target.threshold) if target else None,
        )
        bars = [Bar(rank, row, cell, name, floor) for rank, (row, cell, name) in enumerate(rated, start=1)]
        if not descending:  # worst first: the same list upside down, so the ranks count down (88, 87 …)
            bars.reverse()
        unrated = sorted(
            (row for row, cell, _name in entries if cell.counts.rate is None), key=lambda r: r.code
        )
        return Ranking(bars, unrated, floor, target, descending)

    def as_table(self) -> Table:
        """The same rows as one flat ``Table`` (subtotal, then its counties), for the export."""
        rows: list[Row] = []
        for group in self.groups:
            rows += [group.subtotal, *group.rows] if self.subtotals_shown else group.rows
        if self.own is not None:
            rows.append(self.own)
        return Table(self.node, self.period, self.indicators, self.targets, rows, self.total)


def _sort_rows(rows: list[Row], index: int, descending: bool) -> list[Row]:
    """Rows by one indicator's rate (ties and "—" by code; "—" always last)."""
    rated = [r for r in rows if r.cells[index].counts.rate is not None]
    unrated = [r for r in rows if r.cells[index].counts.rate is None]
    rated.sort(key=lambda r: r.code)
    rated.sort(key=lambda r: r.cells[index].counts.rate or 0, reverse=descending)
    return rated + sorted(unrated, key=lambda r: r.code)


def build_counties(node: Region, period: Period, sort: str = "", descending: bool = False) -> CountiesTable:
    """Every county under the province or a prefecture, grouped by prefecture with subtotals.

    One query for the regions, one for the targets and one grouped query per indicator
    (``Indicator.counts_by_prefix`` at county length), however many counties there are. A
    prefecture's subtotal and the total add up the numerators and denominators of the rows
    below them (the indicators' counts are additive over regions: tested in
    test_properties.py), so they are each indicator over the whole prefecture, never an
    average of the counties' percentages.
    """
    indicators = all_indicators()
    goals = targets(node)
    regions = list(
        Region.objects.filter(code__startswith=node.code, level__in=(Level.PREFECTURE, Level.COUNTY))
        .only("code", "name", "level")
        .order_by("code")
    )
    per_indicator = [ind.counts_by_prefix(node.code, period, COUNTY_LENGTH) for ind in indicators]
    columns = [Column(ind, goals.get(ind.key), period) for ind in indicators]

    def cells(code: str, under: str | None = None, own: bool = False) -> list[Cell]:
        """The cells of ``code``: its own counts, or (``under``) the sum of every code below it;
        ``own``: a "（本级）" row's, whose links list the rows registered at ``code`` itself."""
        out = []
        for column, counts in zip(columns, per_indicator, strict=True):
            if under is None:
                value = counts.get(code, Counts())
            else:
                value = sum((c for k, c in counts.items() if k.startswith(under)), Counts())
            out.append(Cell(column, value, code, own))
        return out

    index = next((i for i, ind in enumerate(indicators) if ind.key == sort), None)
    prefectures = [r for r in regions if r.level == Level.PREFECTURE]
    groups = []
    for pref in prefectures:
        rows = [
            Row(r.code, r.name, "child", cells(r.code), dashboard_url(r.code, period))
            for r in regions
            if r.level == Level.COUNTY and r.code.startswith(pref.code)
        ]
        if index is not None:
            rows = _sort_rows(rows, index, descending)
        if any(pref.code in counts for counts in per_indicator):
            rows.append(Row(pref.code, f"{pref.name}（本级）", "self", cells(pref.code, own=True)))
        subtotal = Row(
            pref.code,
            pref.name,
            "subtotal",
            cells(pref.code, under=pref.code),
            dashboard_url(pref.code, period),
        )
        groups.append(Group(subtotal, rows))
    if index is not None:
        order = _sort_rows([g.subtotal for g in groups], index, descending)
        groups.sort(key=lambda g: order.index(g.subtotal))
    own = None
    if node.level == Level.PROVINCE and any(node.code in counts for counts in per_indicator):
        own = Row(node.code, f"{node.name}（本级）", "self", cells(node.code, own=True))
    total = Row(node.code, node.name, "total", cells(node.code, under=node.code))
    chosen = sort if index is not None else ""
    return CountiesTable(node, period, indicators, goals, groups, total, own, chosen, descending)
