from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from xieguan.indicators import periods
from xieguan.indicators.dashboard import DEEPEST_DASHBOARD, build_table, dashboard_url, series, targets
from xieguan.indicators.exports import table_workbook
from xieguan.indicators.periods import Period, PeriodError
from xieguan.indicators.registry import Indicator, Show, Subject, format_rate, get_indicator
from xieguan.indicators.sources import active_assistant_q, submitted_in
from xieguan.inspections.models import InspectionStatus
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_HALVES = 6


def _region(request: AuthedRequest) -> Region:
    code = request.GET.get("region") or request.user.region_id
    return get_visible_or_404(Region, request.user, code=code)


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


def _breadcrumbs(request: AuthedRequest, region: Region, period: Period) -> list[tuple[str, str]]:
    scope = request.user.region_id
    return [
        (r.name, dashboard_url(r.code, period))
        for r in region.ancestors()
        if r.code.startswith(scope) and r.level <= DEEPEST_DASHBOARD
    ]


def _period_context(period: Period) -> dict[str, Any]:
    is_custom = period.key not in {p.key for p in periods.choices()}
    return {"period": period, "period_choices": periods.choices(), "period_custom": is_custom}


@scoped()
def dashboard(request: AuthedRequest) -> HttpResponse:
    region = _region(request)
    period = _period(request)
    table = build_table(region, period)
    return render(
        request,
        "indicators/dashboard.html",
        {
            "region": region,
            "table": table,
            "breadcrumbs": _breadcrumbs(request, region, period),
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
    region = _region(request)
    period = _period(request)
    show = request.GET.get("show", Show.MISSING)
    if show not in {Show.MISSING, Show.OK, Show.ALL, *indicator.extra_labels}:
        show = Show.MISSING
    rows = _decorate(indicator, indicator.rows(region.code, period, show), period)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    halves = period.halves()
    for row in page.object_list:
        row.half_counts = [getattr(row, f"half_{i}", None) for i in range(len(halves))]
    total = indicator.total(region.code, period)
    target = targets().get(indicator.key)
    tabs = [
        (Show.MISSING, indicator.missing_label, total.missing),
        (Show.OK, indicator.numerator_label, total.numerator),
        (Show.ALL, indicator.denominator_label, total.denominator),
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
            "breadcrumbs": _breadcrumbs(request, region, period),
            "back_url": dashboard_url(region.code, period),
            "halves": halves,
            "query": urlencode({"region": region.code, "period": period.key, "show": show}),
            **_period_context(period),
        },
    )


def _decorate(indicator: Indicator, rows: QuerySet[Any], period: Period) -> QuerySet[Any]:
    """What each drill-down table shows besides the row itself (a fixed number of queries)."""
    subject = indicator.subject
    per_half = {
        f"half_{i}": Count("inspections", filter=submitted_in(half, "inspections__"))
        for i, half in enumerate(period.halves())
    }
    if subject == Subject.EMPLOYER:
        return rows.select_related("township").annotate(**per_half).order_by("township_id", "name")
    if subject == Subject.ASSISTANT:
        last = Max("inspections__inspected_at", filter=Q(inspections__status=InspectionStatus.SUBMITTED))
        return (
            rows.select_related("region")
            .annotate(last_inspection=last, **per_half)
            .order_by("region_id", "full_name")
        )
    if subject == Subject.INSPECTION:
        return rows.select_related("assistant", "region").order_by("-inspected_at")
    if subject == Subject.LEAD:
        return rows.select_related("employer", "region").order_by("discovered_at")
    if subject == Subject.TOWNSHIP:
        assistants = Count("users", filter=Q(active_assistant_q(period, "users__")), distinct=True)
        return rows.select_related("parent").annotate(active_assistants=assistants).order_by("code")
    return rows
