"""Pages of work funding: the county-by-county table, its .xlsx, and a county's ledger of money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.models import MANAGER_ROLES, Role
from xieguan.funding import actions
from xieguan.funding.export import funding_workbook
from xieguan.funding.forms import BudgetEditForm, BudgetForm, DisbursementForm, SubsidyForm
from xieguan.funding.models import MAX_YEAR, MIN_YEAR, Budget, Disbursement, Subsidy
from xieguan.funding.summary import county_funding, total_row
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import Level, Region
from xieguan.regions.pickers import region_filter_choices

MANAGERS = tuple(MANAGER_ROLES)
ZERO = Decimal("0.00")
EDITORS = (Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)


def _year(raw: object) -> int:
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


def _path_year(year: int) -> int:
    """A year in the URL (/funding/<code>/<year>/): outside the years kept, the page does not exist."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("年度超出范围（%(min)s–%(max)s）。") % {"min": MIN_YEAR, "max": MAX_YEAR})
    return year


def _area(request: AuthedRequest) -> Region:
    """The region whose counties are listed: the user's own, or a prefecture/county inside it."""
    code = request.GET.get("region") or request.user.region_id
    area = get_visible_or_404(Region, request.user, code=code)
    if area.level > Level.COUNTY:
        raise Http404
    return area


def _table(request: AuthedRequest) -> tuple[Region, int, list[Any], Any]:
    area = _area(request)
    year = _year(request.GET.get("year"))
    rows = county_funding(area.code, year)
    return area, year, rows, total_row(rows, _("合计"))


@scoped(*MANAGERS)
def index(request: AuthedRequest) -> HttpResponse:
    area, year, rows, total = _table(request)
    user = request.user
    # the scope's prefectures and counties, grouped and searchable (regions/pickers.py)
    region_choices = region_filter_choices(user, area.code, everything=user.region_id, deepest=Level.COUNTY)
    this_year = timezone.localdate().year
    return render(
        request,
        "funding/index.html",
        {
            "area": area,
            "year": year,
            "years": range(this_year + 1, this_year - 5, -1),
            "rows": rows,
            "total": total,
            "region_choices": region_choices if len(region_choices) > 1 else [],
            "export_url": reverse("funding:export") + f"?region={area.code}&year={year}",
        },
    )


@scoped(*MANAGERS)
def export(request: AuthedRequest) -> HttpResponse:
    area, year, rows, total = _table(request)
    content = funding_workbook(area.path_name(), year, rows, total)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"工作经费_{area.name}_{year}.xlsx"
    )
    return response


def _county(request: AuthedRequest, code: str) -> Region:
    return get_visible_or_404(Region, request.user, code=code, level=Level.COUNTY)


@dataclass
class BudgetLine:
    budget: Budget
    used: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget.amount - self.used


def _sums(qs: QuerySet[Any]) -> dict[int, Decimal]:
    """{budget id: sum of amounts}, one grouped query."""
    return dict(qs.order_by().values("budget_id").annotate(s=Sum("amount")).values_list("budget_id", "s"))


def _county_page(
    request: AuthedRequest, county: Region, year: int, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    budgets_qs = Budget.objects.visible_to(user).filter(region=county, year=year)
    out = _sums(Disbursement.objects.filter(budget__in=budgets_qs))
    paid = _sums(Subsidy.objects.filter(budget__in=budgets_qs))
    budgets = [
        BudgetLine(b, out.get(b.pk, ZERO) + paid.get(b.pk, ZERO)) for b in budgets_qs.order_by("source", "pk")
    ]
    disbursements = list(
        Disbursement.objects.visible_to(user).filter(region=county, year=year).select_related("budget")
    )
    subsidies = list(
        Subsidy.objects.visible_to(user)
        .within(county.code)
        .filter(year=year)
        .select_related("assistant", "region", "budget", "assessment")
    )
    rows = county_funding(county.code, year)
    editable = actions.can_edit(user, county.code)
    context: dict[str, Any] = {
        "county": county,
        "year": year,
        "row": rows[0] if rows else None,
        "budgets": budgets,
        "disbursements": disbursements,
        "subsidies": subsidies,
        "editable": editable,
        "prev_year": year - 1,
        "next_year": year + 1,
    }
    if editable:
        context["budget_form"] = forms.get("budget_form") or BudgetForm()
        context["disbursement_form"] = forms.get("disbursement_form") or DisbursementForm(budgets=budgets_qs)
        context["subsidy_form"] = forms.get("subsidy_form") or SubsidyForm(
            budgets=budgets_qs, county=county.code, user=user
        )
        context["open_form"] = next(iter(forms), "")
    return render(request, "funding/county.html", context, status=status)


@scoped(*MANAGERS)
def county(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    region = _county(request, code)
    return _county_page(request, region, _path_year(year))


def _back(county: Region, year: int) -> HttpResponse:
    return redirect("funding:county", code=county.code, year=year)


@scoped(*EDITORS)
@require_POST
def budget_new(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    region = _county(request, code)
    year = _path_year(year)
    form = BudgetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.allocate_budget(
                by=request.user,
                county=region,
                year=year,
                source=data["source"],
                amount=data["amount"],
                allocated_on=data["allocated_on"],
                document_no=data["document_no"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记下达经费。"))
            return _back(region, year)
    return _county_page(request, region, year, status=400, budget_form=form)


@scoped(*EDITORS)
def budget_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_visible_or_404(Budget.objects.select_related("region"), request.user, pk=pk)
    if not actions.can_edit(request.user, budget.region_id):
        raise Http404
    initial = {
        "amount": f"{budget.amount}",
        "allocated_on": budget.allocated_on,
        "document_no": budget.document_no,
        "note": budget.note,
    }
    form = BudgetEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_budget(
                budget,
                by=request.user,
                amount=data["amount"],
                allocated_on=data["allocated_on"],
                document_no=data["document_no"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已修改。"))
            return _back(budget.region, budget.year)
    history = list(budget.history.select_related("history_user").order_by("-history_date")[:20])
    return render(
        request,
        "funding/budget_edit.html",
        {"budget": budget, "form": form, "history": history},
        status=400 if form.is_bound and form.errors else 200,
    )


@scoped(*EDITORS)
@require_POST
def disbursement_new(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    region = _county(request, code)
    year = _path_year(year)
    budgets = Budget.objects.visible_to(request.user).filter(region=region, year=year)
    form = DisbursementForm(request.POST, budgets=budgets)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_disbursement(
                data["budget"],
                by=request.user,
                amount=data["amount"],
                paid_on=data["paid_on"],
                purpose=data["purpose"],
                payee=data["payee"],
                voucher_no=data["voucher_no"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记支出。"))
            return _back(region, year)
    return _county_page(request, region, year, status=400, disbursement_form=form)


@scoped(*EDITORS)
@require_POST
def subsidy_new(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    region = _county(request, code)
    year = _path_year(year)
    budgets = Budget.objects.visible_to(request.user).filter(region=region, year=year)
    form = SubsidyForm(request.POST, budgets=budgets, county=region.code, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_subsidy(
                data["budget"],
                by=request.user,
                assistant=data["assistant"],
                amount=data["amount"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                basis=data["basis"],
                basis_note=data["basis_note"],
                assessment=data["assessment"],
                paid_on=data["paid_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记补助。"))
            return _back(region, year)
    return _county_page(request, region, year, status=400, subsidy_form=form)


@scoped(*EDITORS)
@require_POST
def disbursement_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(Disbursement.objects.select_related("region"), request.user, pk=pk)
    actions.withdraw_disbursement(item, by=request.user)
    messages.success(request, _("已撤销该笔支出（历史记录保留）。"))
    return _back(item.region, item.year)


@scoped(*EDITORS)
@require_POST
def subsidy_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(Subsidy, request.user, pk=pk)
    county = get_visible_or_404(Region, request.user, code=item.region_id[:6])
    actions.withdraw_subsidy(item, by=request.user)
    messages.success(request, _("已撤销该笔补助（历史记录保留）。"))
    return _back(county, item.year)
