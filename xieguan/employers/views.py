"""Pages of the ledger: list, detail, create, edit, close, purge (import/export in views_excel)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.models import Role
from xieguan.employers.actions import (
    LEDGER_FIELDS,
    DuplicateEmployer,
    LedgerError,
    RegionNotAllowed,
    StaleEmployer,
    add_focus_industry,
    close_employer,
    create_employer,
    missing_labels,
    purge_employer,
    remove_focus_industry,
    update_employer,
)
from xieguan.employers.forms import CloseForm, EmployerForm, LedgerFilterForm, industry_map, label
from xieguan.employers.history import history_entries
from xieguan.employers.ledger import declaration_cutoff, ledger_counts, ledger_for, spans_counties
from xieguan.employers.models import (
    KEY_INDUSTRIES,
    Employer,
    FocusIndustry,
    Industry,
    IndustryCode,
    OperatingStatus,
)
from xieguan.employers.sections import sections_for
from xieguan.field.offline import offline_form
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import Level, Region
from xieguan.regions.pickers import region_filter_choices

EDIT_ROLES = (Role.ASSISTANT, Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)
PAGE_SIZE = 25


def can_edit(user: Any) -> bool:
    return getattr(user, "role", None) in EDIT_ROLES


def filter_params(request: AuthedRequest) -> tuple[LedgerFilterForm, dict[str, Any]]:
    form = LedgerFilterForm(request.GET)
    form.is_valid()  # invalid fields are left out; the valid ones still filter
    return form, dict(getattr(form, "cleaned_data", {}))


@scoped()
def ledger(request: AuthedRequest) -> HttpResponse:
    form, params = filter_params(request)
    query = ledger_for(request.user, params)
    counts = ledger_counts(query)
    rows = query.employers.select_related("region").prefetch_related("hazard_categories")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # a ledger of several counties (a prefecture's, the province's) says each employer's county
    show_county = spans_counties(query)
    counties = Region.objects.county_names(e.region_id for e in page) if show_county else {}
    for employer in page:
        employer.missing_labels = missing_labels(employer.missing_fields)  # type: ignore[attr-defined]
        employer.county_name = counties.get(employer.region_id, "")  # type: ignore[attr-defined]
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "employers/ledger.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "region": query.region,
            # counties and townships grouped and searchable (regions/pickers.py)
            "region_choices": region_filter_choices(
                request.user, query.region.code, everything=request.user.region_id
            ),
            "cutoff": query.cutoff,
            "show_county": show_county,
            "query": querystring.urlencode(),
            "filtered": any(v for k, v in params.items() if k not in ("q", "region")),
            "can_edit": can_edit(request.user),
        },
    )


@scoped()
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    employer = get_visible_or_404(
        Employer.objects.select_related("region", "township", "industry_code", "created_by"),
        request.user,
        pk=pk,
    )
    cutoff = declaration_cutoff(employer.region_id)
    return render(
        request,
        "employers/detail.html",
        {
            "employer": employer,
            "categories": list(employer.hazard_categories.all()),
            "factors": list(employer.hazard_factors.select_related("category")),
            "missing": missing_labels(employer.missing_fields),
            "declaration_overdue": employer.declaration_date is None or employer.declaration_date < cutoff,
            "cutoff": cutoff,
            "history": history_entries(employer),
            "extra_sections": sections_for(request, employer),
            "close_form": CloseForm(initial={"version": employer.version}),
            "can_edit": can_edit(request.user),
            "can_purge": request.user.is_province_admin,
            "region_path": employer.region.path_name(below=request.user.region_id),
        },
    )


def _refusal(form: EmployerForm, exc: LedgerError) -> dict[str, Any]:
    if isinstance(exc, DuplicateEmployer):
        form.add_error("credit_code" if exc.field == "credit_code" else "name", exc.message)
        return {"duplicate": exc}
    if isinstance(exc, RegionNotAllowed):
        form.add_error("region", exc.message)
    else:
        form.add_error(None, exc.message)
    return {}


@scoped(*EDIT_ROLES)
def create(request: AuthedRequest) -> HttpResponse:
    extra: dict[str, Any] = {}
    if request.method == "POST":
        form = EmployerForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                employer = create_employer(form.ledger_data(), by=request.user)
            except LedgerError as exc:
                extra = _refusal(form, exc)
            else:
                messages.success(request, _("已登记：%(name)s") % {"name": employer.name})
                return redirect(employer)
    else:
        initial = {"status": OperatingStatus.OPERATING, "industry": ""}
        if request.user.is_assistant:
            initial["region"] = request.user.region_id
        form = EmployerForm(user=request.user, initial=initial)
    offline = (
        offline_form(
            "employer", "/api/v1/employers", "/employers/{id}/", _("登记"), id_path="id", only_offline=True
        )
        if request.user.is_assistant  # the outbox is the assistant's (docs/offline.md)
        else None
    )
    return render(
        request,
        "employers/form.html",
        {
            "form": form,
            "creating": True,
            "industry_map": industry_map(request.user.region_id),
            "offline": offline,
            **extra,
        },
    )


@scoped(*EDIT_ROLES)
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    employer = get_visible_or_404(Employer.objects.select_related("region"), request.user, pk=pk)
    extra: dict[str, Any] = {}
    if request.method == "POST":
        form = EmployerForm(request.POST, user=request.user, instance=employer)
        if form.is_valid():
            version = form.cleaned_data.get("version") or 0
            try:
                changes = update_employer(
                    employer, form.ledger_data(), by=request.user, expected_version=version
                )
            except StaleEmployer as exc:
                extra = conflict_context(request, form, exc.current)
                form = extra.pop("form")
            except LedgerError as exc:
                extra = _refusal(form, exc)
            else:
                if changes:
                    names = "、".join(label(f) for f in changes)
                    messages.success(request, _("已保存，修改了：%(fields)s") % {"fields": names})
                else:
                    messages.info(request, _("没有改动。"))
                return redirect(employer)
    else:
        form = EmployerForm(user=request.user, instance=employer)
    offline = (
        offline_form(
            "employer",
            f"/api/v1/employers/{employer.pk}",
            employer.get_absolute_url(),
            employer.name,
            method="PUT",
            only_offline=True,
        )
        if request.user.is_assistant
        else None
    )
    return render(
        request,
        "employers/form.html",
        {
            "form": form,
            "employer": employer,
            "industry_map": industry_map(request.user.region_id),
            "offline": offline,
            **extra,
        },
    )


def conflict_context(request: AuthedRequest, form: EmployerForm, current: Employer) -> dict[str, Any]:
    """Both versions side by side; the form keeps the user's input with the current version,
    so saving again is a conscious choice to overwrite."""
    mine = form.cleaned_data
    rows = []
    for field in LEDGER_FIELDS:
        if field not in form.fields:
            continue
        mine_text = _display(field, mine.get(field))
        theirs_text = _display(field, _current_value(current, field))
        rows.append(
            {
                "label": label(field),
                "mine": mine_text,
                "theirs": theirs_text,
                "differs": mine_text != theirs_text,
            }
        )
    last = current.history.select_related("history_user").order_by("-history_date").first()
    post = request.POST.copy()
    post["version"] = str(current.version)
    rebound = EmployerForm(post, user=request.user, instance=current)
    rebound.is_valid()
    return {
        "form": rebound,
        "conflict": rows,
        "current": current,
        "current_by": str(last.history_user) if last and last.history_user else "",
        "current_at": last.history_date if last else None,
    }


def _current_value(employer: Employer, field: str) -> Any:
    if field in ("hazard_categories", "hazard_factors"):
        return list(getattr(employer, field).all())
    return getattr(employer, field)


def _display(field: str, value: Any) -> str:
    if field in ("hazard_categories", "hazard_factors"):
        return "、".join(sorted(str(v) for v in value or [])) or "—"
    if field == "industry":
        return str(Industry(value).label) if value else "—"
    if field == "status":
        return str(OperatingStatus(value).label) if value else "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None or value == "":
        return "—"
    return str(value)


@scoped(*EDIT_ROLES)
@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    employer = get_visible_or_404(Employer, request.user, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写关闭原因。"))
        return redirect(employer)
    try:
        close_employer(
            employer,
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已关闭（记录和历史保留，可在修改页重新启用）。"))
    return redirect(employer)


@scoped(Role.PROVINCE_ADMIN)
def purge(request: AuthedRequest, pk: int) -> HttpResponse:
    employer = get_visible_or_404(Employer.objects.select_related("region"), request.user, pk=pk)
    if request.method == "POST":
        name = employer.name
        try:
            purge_employer(employer, by=request.user)
        except LedgerError as exc:
            messages.error(request, exc.message)
            return redirect(employer)
        messages.success(request, _("已彻底删除：%(name)s（删除记录保留在历史中）。") % {"name": name})
        return redirect("employers:ledger")
    return render(request, "employers/purge.html", {"employer": employer})


# --- the county's own focus industries (自定行业领域) ---------------------------------------


@scoped(Role.COUNTY_ADMIN)
def focus_industries(request: AuthedRequest) -> HttpResponse:
    """The county names its own focus industries; its employers of those industries become key
    (and only its own: the refresh touches this county alone)."""
    county = get_visible_or_404(Region, request.user, code=request.user.region_id, level=Level.COUNTY)
    if request.method == "POST":
        code = IndustryCode.objects.filter(pk=request.POST.get("industry_code", "")).first()
        if code is None:
            messages.error(request, _("请选择行业。"))
        else:
            try:
                _focus, changed = add_focus_industry(county=county, industry_code=code, by=request.user)
            except LedgerError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("已添加“%(name)s”，%(n)s 家用人单位的重点标记已更新。")
                    % {"name": code.name, "n": changed},
                )
                return redirect("employers:focus_industries")
    rows = list(
        FocusIndustry.objects.visible_to(request.user)
        .filter(region=county)
        .select_related("industry_code")
        .order_by("industry_code_id")
    )
    taken = [row.industry_code_id for row in rows]
    counts = dict(
        Employer.objects.operating()
        .within(county.code)
        .filter(industry_code_id__in=taken)
        .values_list("industry_code_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        row.employers = counts.get(row.industry_code_id, 0)  # type: ignore[attr-defined]
    choices = IndustryCode.objects.exclude(category__in=KEY_INDUSTRIES).exclude(pk__in=taken).order_by("code")
    return render(
        request,
        "employers/focus_industries.html",
        {"county": county, "rows": rows, "choices": choices, "key_industries": sorted_key_industries()},
    )


@scoped(Role.COUNTY_ADMIN)
@require_POST
def focus_industry_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    focus = get_visible_or_404(FocusIndustry.objects.select_related("industry_code"), request.user, pk=pk)
    try:
        changed = remove_focus_industry(focus, by=request.user)
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已移除“%(name)s”，%(n)s 家用人单位的重点标记已更新。")
            % {"name": focus.industry_code.name, "n": changed},
        )
    return redirect("employers:focus_industries")


def sorted_key_industries() -> list[str]:
    return [str(label) for value, label in Industry.choices if value in KEY_INDUSTRIES]
