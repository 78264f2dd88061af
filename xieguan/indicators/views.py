from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role, User
from xieguan.documents.official import fubiao2
from xieguan.documents.render import FORMATS, file_response
from xieguan.employers.actions import missing_labels
from xieguan.indicators import periods
from xieguan.indicators import register as register_module
from xieguan.indicators.dashboard import (
    COUNTIES_LEVELS,
    DEEPEST_DASHBOARD,
    CountiesTable,
    build_counties,
    build_table,
    child_length,
    dashboard_url,
    series,
    targets,
)
from xieguan.indicators.exports import table_workbook
from xieguan.indicators.periods import Period, PeriodError
from xieguan.indicators.registry import Counts, Indicator, Show, Subject, format_rate, get_indicator
from xieguan.indicators.sources import due_in_half, open_through_q, submitted_in, township_assistants
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.prepared import Prepared
from xieguan.lib.scoping import get_visible_or_404
from xieguan.personnel import service
from xieguan.personnel.models import Appointment, Assistant
from xieguan.regions.models import Level, Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_HALVES = 6
NOT_COUNTED_SHOWN = 200


def _region_path(request: AuthedRequest) -> list[Region]:
    """The requested region (default: the user's own) after its ancestors inside the user's
    scope, from the top down, in one statement (the breadcrumbs need them); 404 when the region
    is not in the user's scope."""
    code = request.GET.get("region") or request.user.region_id
    wanted = [*Region(code=code).ancestor_codes, code]
    path = list(Region.objects.visible_to(request.user).filter(code__in=wanted).order_by("level"))
    if not path or path[-1].code != code:
        raise Http404("没有这个区划")
    return path


def _region(request: AuthedRequest) -> Region:
    return _region_path(request)[-1]


def _period(request: AuthedRequest) -> Period:
    """The period of the query string; a bad one is said and the current year used."""
    key = request.GET.get("period", "")
    if key == "custom":
        key = f"{request.GET.get('from', '')}~{request.GET.get('to', '')}"
    try:
        return periods.parse_period(key)
    except PeriodError as exc:
        messages.error(request, str(exc))
        return periods.current_year()


def _breadcrumbs(path: list[Region], period: Period) -> list[tuple[str, str]]:
    """The dashboards above the region inside the user's scope (``_region_path``)."""
    return [(r.name, dashboard_url(r.code, period)) for r in path[:-1] if r.level <= DEEPEST_DASHBOARD]


def _period_context(period: Period) -> dict[str, Any]:
    is_custom = period.key not in {p.key for p in periods.choices()}
    return {"period": period, "period_choices": periods.choices(), "period_custom": is_custom}


@scoped()
def dashboard(request: AuthedRequest) -> HttpResponse:
    path = _region_path(request)
    region = path[-1]
    period = _period(request)
    table = build_table(region, period)
    return render(
        request,
        "indicators/dashboard.html",
        {
            "region": region,
            "table": table,
            "breadcrumbs": _breadcrumbs(path, period),
            "counties_offered": region.level in COUNTIES_LEVELS and request.user.role in COUNTIES_ROLES,
            **_period_context(period),
        },
    )


@scoped()
def dashboard_xlsx(request: AuthedRequest) -> HttpResponse:
    region = _region(request)
    period = _period(request)
    response = HttpResponse(table_workbook(build_table(region, period)), content_type=XLSX)
    filename = f"indicators-{region.code}-{period.key}.xlsx".replace("~", "_")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Who compares every county of their region: the province and the prefectures (a county
# admin, an officer or an assistant sees one county at most: 403).
COUNTIES_ROLES = (Role.PROVINCE_ADMIN, Role.PREFECTURE_VIEWER)


def _counties_table(request: AuthedRequest, region: Region) -> CountiesTable:
    """The all-counties table of the requested province or prefecture (in the user's scope,
    else 404; a county or below has no such table: 404). ``?chart=`` (the ranking's indicator in
    links made before the ranking followed the sort) is read as ``?sort=``."""
    if region.level not in COUNTIES_LEVELS:
        raise Http404("只有省和市(州)可以查看全部区县")
    sort = request.GET.get("sort", "") or request.GET.get("chart", "")
    return build_counties(region, _period(request), sort, request.GET.get("dir") == "desc")


@scoped(*COUNTIES_ROLES)
def counties(request: AuthedRequest) -> HttpResponse:
    """全部区县: every county of the province (or a prefecture) side by side, grouped by
    prefecture with subtotals (a prefecture's own page: one group, no subtotal), sortable by any
    indicator (``?sort=<key>&dir=asc|desc``), and the counties ranked by the same indicator in the
    same order (one state: sorting the table chooses the ranking; no sort: the first indicator,
    worst first)."""
    path = _region_path(request)
    table = _counties_table(request, path[-1])
    region, period = table.node, table.period
    chart = table.sort or table.indicators[0].key
    base = {"region": region.code, "period": period.key}

    def link(**extra: str) -> str:
        return "?" + urlencode({**base, **extra})

    headers = []
    for ind, cell in zip(table.indicators, table.total.cells, strict=True):
        current = table.sort == ind.key
        # the first click sorts worst first (ascending), the next one best first
        next_dir = "asc" if current and table.descending else "desc" if current else "asc"
        aria = ("descending" if table.descending else "ascending") if current else ""
        headers.append((ind, cell.target, link(sort=ind.key, dir=next_dir), aria))
    chart_indicator = next(ind for ind in table.indicators if ind.key == chart)
    ranking = table.ranking(chart, table.descending)
    sort_keep = {"sort": table.sort, "dir": "desc" if table.descending else "asc"} if table.sort else {}
    return render(
        request,
        "indicators/counties.html",
        {
            "region": region,
            "table": table,
            "headers": headers,
            "chart": chart_indicator,
            "ranking": ranking,
            # a pill ranks (and sorts) by its indicator, keeping the order chosen
            "chart_links": [
                (ind, link(sort=ind.key, dir="desc" if table.descending else "asc") + "#ranking")
                for ind in table.indicators
            ],
            "order_links": [
                (False, _("最差在前"), link(sort=chart, dir="asc") + "#ranking"),
                (True, _("最好在前"), link(sort=chart, dir="desc") + "#ranking"),
            ],
            "keep": sort_keep,
            "export_query": urlencode({**base, **sort_keep}),
            "breadcrumbs": _breadcrumbs(path, period),
            "back_url": dashboard_url(region.code, period),
            **_period_context(period),
        },
    )


@scoped(*COUNTIES_ROLES)
def counties_xlsx(request: AuthedRequest) -> HttpResponse:
    """The all-counties table as .xlsx, with the same grouping, subtotals and sort."""
    table = _counties_table(request, _region(request))
    workbook = table_workbook(table.as_table(), title="全部区县主要工作指标")
    response = HttpResponse(workbook, content_type=XLSX)
    filename = f"indicators-counties-{table.node.code}-{table.period.key}.xlsx".replace("~", "_")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@scoped()
def series_json(request: AuthedRequest) -> JsonResponse:
    """Each indicator over the last six half-years, for the dashboard's charts."""
    region = _region(request)
    return JsonResponse(series(region, periods.recent_halves(CHART_HALVES)))


@scoped()
def drill(request: AuthedRequest, key: str) -> HttpResponse:
    """The rows behind a number: who or what is missing (or counted) for one indicator."""
    indicator = get_indicator(key)
    if indicator is None:
        raise Http404("没有这个指标")
    path = _region_path(request)
    region = path[-1]
    period = _period(request)
    show = request.GET.get("show", Show.MISSING)
    if show not in {Show.MISSING, Show.OK, Show.ALL, *indicator.extra_labels}:
        show = Show.MISSING
    # ``own=1``: a "（本级）" row's numbers, the rows registered at the region itself (a region
    # with children only: a village's rows are all its own)
    own = request.GET.get("own") == "1" and region.child_level is not None
    if own:
        total = indicator.own_total(region.code, period, child_length(region))
    else:
        total = indicator.total(region.code, period)
    rows = DrillRows(indicator, region.code, period, show, own)
    page = CountedPaginator(rows, 50, _shown_count(total, show)).get_page(request.GET.get("page"))
    halves = period.halves()
    for row in page.object_list if indicator.subject in {Subject.EMPLOYER, Subject.ASSISTANT} else ():
        _set_half_cells(row, halves)
        if indicator.subject == Subject.EMPLOYER:
            row.missing_labels = missing_labels(row.missing_fields)  # the Chinese names, never the keys
    indicator.present(page.object_list)
    # a list over several counties (the province's, a prefecture's) says each row's county
    show_county = region.spans_counties and indicator.subject != Subject.TOWNSHIP
    not_counted = getattr(indicator, "not_counted", None)
    partly = (
        list(_decorate(indicator, not_counted(region.code, period), period)[:NOT_COUNTED_SHOWN])
        if not_counted is not None and not own
        else []
    )
    for row in partly:
        _set_half_cells(row, halves)
    if show_county:
        _set_counties([*page.object_list, *partly], indicator.region_field)
    target = targets(region).get(indicator.key)
    own_param = {"own": "1"} if own else {}
    tabs = [
        (Show.MISSING, indicator.missing_label, total.missing),
        (Show.OK, indicator.numerator_label, total.numerator),
        (Show.ALL, indicator.denominator_label, total.denominator),
        *((name, label, total.extras.get(name, 0)) for name, label in indicator.extra_labels.items()),
    ]
    return render(
        request,
        "indicators/drill.html",
        {
            "indicator": indicator,
            "region": region,
            "show": show,
            "tabs": tabs,
            "page": page,
            "total": total,
            "rate": format_rate(total.rate),
            "target": target,
            "met": target.is_met(total.rate) if target else None,
            "subject_template": f"indicators/_rows_{indicator.subject}.html",
            "breadcrumbs": _breadcrumbs(path, period),
            "back_url": dashboard_url(region.code, period),
            "halves": halves,
            "partly": partly,
            "show_county": show_county,
            "query": urlencode({"region": region.code, "period": period.key, "show": show, **own_param}),
            "own": own,
            "keep": own_param,
            **_period_context(period),
        },
    )


def _row_code(row: Any, field: str) -> str:
    """The region code of a drill-down row: ``field`` (the indicator's ``region_field``, e.g.
    ``assistant__township_id``) followed on a model row; a record's ``r_region_code``."""
    if isinstance(row, dict):
        return str(row.get("r_region_code") or "")
    value = row
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def _set_counties(rows: list[Any], field: str) -> None:
    """Each row's county name (``county_name``, "" above county level), in one query for the page."""
    codes = [_row_code(row, field) for row in rows]
    names = Region.objects.county_names(codes)
    for row, code in zip(rows, codes, strict=True):
        if isinstance(row, dict):
            row["county_name"] = names.get(code, "")
        else:
            row.county_name = names.get(code, "")


def _set_half_cells(row: Any, halves: list[Period]) -> None:
    """Per half-year of the period: (inspections, due) in ``half_counts`` and, for the table
    cells, (inspections, due, the half-year's label as a card's label) in ``half_cells``."""
    row.half_counts = [
        (getattr(row, f"half_{i}", None), getattr(row, f"due_{i}", True)) for i in range(len(halves))
    ]
    row.half_cells = [(n, due, half.label) for (n, due), half in zip(row.half_counts, halves, strict=True)]


def _drill_page(
    indicator: Indicator, period: Period, show: str, bottom: int, top: int, today: Any = None, *, code: str
) -> QuerySet[Any]:
    """One page of a drill-down's rows (``today`` only keys a compiled statement)."""
    return _decorate(indicator, indicator.rows(code, period, show), period)[bottom:top]


_DRILL_PAGES: dict[str, Prepared[Any]] = {}


class DrillRows:
    """The rows behind a number, sliced a page at a time by the paginator: the decorated
    ``Indicator.rows`` queryset, or for an indicator compiled once (``Indicator.compile_once``)
    the page's statement compiled once per period, tab, page and day and bound to the region
    code (lib.prepared)."""

    def __init__(self, indicator: Indicator, code: str, period: Period, show: str, own: bool = False) -> None:
        self.indicator, self.code, self.period, self.show, self.own = indicator, code, period, show, own

    def __getitem__(self, page: slice) -> list[Any]:
        bottom, top = page.start or 0, page.stop
        if self.own:  # a region's own rows ("（本级）"): compiled afresh, a rare page
            rows = self.indicator.rows(self.code, self.period, self.show, own=True)
            return list(_decorate(self.indicator, rows, self.period)[bottom:top])
        shape = (self.indicator, self.period, self.show, bottom, top)
        if not self.indicator.compile_once:
            return list(_drill_page(*shape, code=self.code))
        prepared = _DRILL_PAGES.get(self.indicator.key)
        if prepared is None:
            model = self.indicator.base("").model
            prepared = _DRILL_PAGES[self.indicator.key] = Prepared(model, _drill_page)
        return prepared.list(*shape, timezone.localdate(), code=self.code)


class CountedPaginator(Paginator):
    """A paginator told the length of its list: the indicator's total already counted it, so
    the grouped, joined row query is not counted a second time."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _shown_count(total: Counts, show: str) -> int:
    """How many rows ``Indicator.rows(..., show)`` lists, from the counts of the same definition."""
    if show == Show.OK:
        return total.numerator
    if show == Show.ALL:
        return total.denominator
    if show == Show.MISSING:
        return total.missing
    return total.extras.get(show, 0)


def _decorate(indicator: Indicator, rows: QuerySet[Any], period: Period) -> QuerySet[Any]:
    """What each drill-down table shows besides the row itself (a fixed number of queries)."""
    subject = indicator.subject
    per_half = {
        f"half_{i}": Count("inspections", filter=submitted_in(half, "inspections__"))
        for i, half in enumerate(period.halves())
    }
    if subject == Subject.EMPLOYER:
        due = {
            f"due_{i}": ExpressionWrapper(open_through_q(half.end), output_field=BooleanField())
            for i, half in enumerate(period.halves())
        }
        return rows.select_related("township").annotate(**per_half, **due).order_by("township_id", "name")
    if subject == Subject.ASSISTANT:
        return _decorate_assistants(rows, period)
    if subject == Subject.INSPECTION:
        return rows.select_related("assistant", "region").order_by("-inspected_at")
    if subject == Subject.LEAD:
        return rows.select_related("employer", "region").order_by("discovered_at")
    if subject == Subject.TOWNSHIP:
        return (
            rows.select_related("parent")
            .annotate(active_assistants=township_assistants(period))
            .order_by("code")
        )
    return rows


def _decorate_assistants(rows: QuerySet[Any], period: Period) -> QuerySet[Any]:
    """Assistant rows: inspections per half-year (through their login account), whether each
    half-year was due (served in full), and the dates of their service."""
    per_half = {
        f"half_{i}": Count("user__inspections", filter=submitted_in(half, "user__inspections__"))
        for i, half in enumerate(period.halves())
    }
    due = {
        f"due_{i}": ExpressionWrapper(due_in_half(half), output_field=BooleanField())
        for i, half in enumerate(period.halves())
    }
    terms = Appointment.objects.filter(assistant=OuterRef("pk"))
    last = Max(
        "user__inspections__inspected_at", filter=Q(user__inspections__status=InspectionStatus.SUBMITTED)
    )
    return (
        rows.select_related("township", "dismissal")
        .annotate(
            last_inspection=last,
            served_from=Subquery(terms.order_by("start").values("start")[:1]),
            term_until=Subquery(terms.order_by("-end").values("end")[:1]),
            **per_half,
            **due,
        )
        .order_by("township_id", "name")
    )


@scoped()
def register(request: AuthedRequest, fmt: str = "") -> HttpResponse:
    """附表2 for one assistant or one township and a year: the page, or the file in ``fmt``."""
    user = request.user
    this_year = timezone.localdate().year
    year_text = request.GET.get("year", "")
    year = (
        int(year_text)
        if year_text.isdecimal() and periods.MIN_YEAR <= int(year_text) <= this_year
        else this_year
    )
    assistant_pk = request.GET.get("assistant", "")
    township_code = request.GET.get("township", "")
    if not assistant_pk and not township_code and user.role == Role.ASSISTANT:
        assistant_pk = str(user.pk)
    assistant = township = None
    if assistant_pk:
        assistant = get_visible_or_404(
            User.objects.select_related("region"), user, pk=assistant_pk, role=Role.ASSISTANT
        )
        base = Inspection.objects.visible_to(user)
        inspections = register_module.inspections_for(base, year, assistant_id=assistant.pk)
        unit = f"{assistant.region.path_name(below=assistant.region.code[:4])} 协管员 {assistant}"
    elif township_code:
        township = get_visible_or_404(Region, user, code=township_code, level=Level.TOWNSHIP)
        # the township through the user's scope as one region condition (docs/scoping.md)
        base = Inspection.objects.visible_within(user, township.code)
        inspections = register_module.inspections_for(base, year)
        unit = township.path_name(below=township.code[:4])
    else:
        inspections = None
        unit = ""
    rows = register_module.register_rows(inspections) if inspections is not None else []
    if fmt:
        if fmt not in FORMATS or inspections is None:
            raise Http404
        doc = fubiao2.register(register_module.register_data(unit, year, rows))
        return file_response(doc, fmt, inline=fmt == "pdf", request=request)
    query = urlencode(
        {
            "year": year,
            **({"assistant": assistant.pk} if assistant else {}),
            **({"township": township.code} if township else {}),
        }
    )
    return render(
        request,
        "indicators/register.html",
        {
            "years": range(this_year, this_year - 5, -1),
            "year": year,
            "assistants": User.objects.visible_to(user)
            .filter(role=Role.ASSISTANT)
            .annotate(
                in_service=Exists(Assistant.objects.filter(service.in_service_on(), user_id=OuterRef("pk")))
            )
            .select_related("region")
            .order_by("region_id", "full_name"),
            "townships": Region.objects.visible_to(user)
            .filter(level=Level.TOWNSHIP)
            .select_related("parent")
            .order_by("code"),  # grouped by county in the picker
            "assistant": assistant,
            "township": township,
            "unit": unit,
            "rows": rows,
            "chosen": inspections is not None,
            "query": query,
            "formats": FORMATS,
        },
    )
