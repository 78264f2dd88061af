"""Pages of the leads area: lists, detail with timeline, entry forms, the officer's inbox, 协查."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.models import Role
from xieguan.audit.log import record as audit_record
from xieguan.audit.models import Kind as AuditKind
from xieguan.field.offline import offline_form
from xieguan.leads import actions, exports, forms
from xieguan.leads.actions import LeadRefused, Step
from xieguan.leads.confidentiality import Where, complainant_for
from xieguan.leads.filters import active_filters, filtered_leads, parse_filters
from xieguan.leads.models import (
    IMPORTANT_FIRST,
    AssistPhoto,
    AssistRequest,
    AssistStatus,
    Complaint,
    Lead,
    LeadPhoto,
    LeadQuerySet,
    LeadSource,
    LeadStatus,
    ReportingPolicy,
)
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_file, private_headers
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import Region
from xieguan.regions.pickers import region_filter_choices

PAGE_SIZE = 30
LIST_RELATED = ("employer", "discovered_by", "reported_by", "reported_to_agency", "region")


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- lists ------------------------------------------------------------------------------------


@scoped()
def lead_list(request: AuthedRequest) -> HttpResponse:
    """Leads in scope, filtered by the query string (the indicators' drill-down target)."""
    form = parse_filters(request.GET, request.user)
    leads = filtered_leads(request.user, form)
    if request.GET.get("order") == "due":
        leads = leads.order_by("report_due_at", "pk")
    else:
        leads = leads.order_by("-discovered_at", "-pk")
    page = Paginator(leads.select_related(*LIST_RELATED), PAGE_SIZE).get_page(request.GET.get("page"))
    params = active_filters(form)
    if request.GET.get("order") == "due":
        params["order"] = "due"
    return render(
        request,
        "leads/list.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(params),
            "export_url": reverse("leads:export") + ("?" + urlencode(params) if params else ""),
            # counties and townships grouped and searchable (regions/pickers.py)
            "region_choices": region_filter_choices(request.user, params.get("region", "")),
            "chips": _chips(request, params),
            "can_enter": request.user.role == Role.ASSISTANT,
            "can_complain": request.user.role in (Role.ASSISTANT, Role.COUNTY_ADMIN),
        },
    )


def _chips(request: AuthedRequest, params: dict[str, str]) -> list[tuple[str, str]]:
    """Filters without a visible control (employer, assistant), with the link that removes them."""
    from xieguan.accounts.models import User
    from xieguan.employers.models import Employer

    chips = []
    if "employer" in params:
        employer = Employer.objects.visible_to(request.user).filter(pk=params["employer"]).first()
        rest = {k: v for k, v in params.items() if k != "employer"}
        chips.append((_("用人单位：%(name)s") % {"name": employer or params["employer"]}, urlencode(rest)))
    if "assistant" in params:
        person = User.objects.visible_to(request.user).filter(pk=params["assistant"]).first()
        rest = {k: v for k, v in params.items() if k != "assistant"}
        chips.append((_("发现人：%(name)s") % {"name": person or params["assistant"]}, urlencode(rest)))
    return chips


@scoped()
def export(request: AuthedRequest) -> FileResponse:
    """信息报告登记表 (.xlsx) of the filtered leads: a region and a period."""
    form = parse_filters(request.GET, request.user)
    leads = filtered_leads(request.user, form)
    region_code = form.cleaned_data.get("region") or request.user.region_id
    region = Region.objects.get(code=region_code) if region_code else request.user.region
    response = exports.register_response(request.user, leads, region=region, form=form)
    audit_record(
        request,
        AuditKind.EXPORT,
        region_id=region.code,
        record=_("信息报告登记表"),
        detail=exports.period_text(form),
    )
    return private_headers(response)


@scoped(Role.OFFICER)
def inbox(request: AuthedRequest) -> HttpResponse:
    """The officer's inbox: leads reported to their agency or to them, in scope, important first."""
    user = request.user
    base = inbox_queryset(user)
    counts = base.aggregate(
        waiting=Count("pk", filter=Q(status=LeadStatus.REPORTED, acknowledged_at__isnull=True)),
        open=Count(
            "pk",
            filter=Q(status=LeadStatus.HANDLING)
            | Q(status=LeadStatus.REPORTED, acknowledged_at__isnull=False),
        ),
        closed=Count("pk", filter=Q(status=LeadStatus.CLOSED)),
    )
    tab = request.GET.get("tab", "waiting")
    if tab == "open":
        leads = base.filter(
            Q(status=LeadStatus.HANDLING) | Q(status=LeadStatus.REPORTED, acknowledged_at__isnull=False)
        )
    elif tab == "closed":
        leads = base.filter(status=LeadStatus.CLOSED)
    else:
        tab = "waiting"
        leads = base.filter(status=LeadStatus.REPORTED, acknowledged_at__isnull=True)
    ordering = ("-closed_at",) if tab == "closed" else (IMPORTANT_FIRST, "reported_at", "pk")
    page = Paginator(leads.select_related(*LIST_RELATED).order_by(*ordering), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "leads/inbox.html", {"page": page, "tab": tab, "counts": counts, "query": f"tab={tab}"}
    )


def inbox_queryset(user: Any) -> LeadQuerySet:
    """The officer's leads: those assigned to them (reported to them, signed for by them, or to their
    agency and not yet signed for) — the same rule as who may act on a lead."""
    return Lead.objects.visible_to(user).assigned_to(user)


# --- one lead ---------------------------------------------------------------------------------


def _lead(request: AuthedRequest, pk: int) -> Lead:
    return get_visible_or_404(
        Lead.objects.select_related(
            "employer",
            "region",
            "discovered_by",
            "reported_by",
            "reported_to_agency",
            "reported_to_officer",
            "closed_by",
        ),
        request.user,
        pk=pk,
    )


@scoped()
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    complaint = Complaint.objects.filter(lead=lead).select_related("recorded_by").first()
    complainant = complainant_for(request.user, complaint, where=Where.DETAIL) if complaint else None
    if complaint and complainant and not (complainant.masked or complainant.anonymous):
        audit_record(
            request,
            AuditKind.COMPLAINANT,
            region_id=complaint.region_id,
            record=_("线索 #%(pk)s 的举报人") % {"pk": lead.pk},
        )
    steps = actions.allowed_steps(lead, request.user)
    return render(
        request,
        "leads/detail.html",
        {
            "lead": lead,
            "state": actions.STATE_LABELS[actions.state_of(lead)],
            "events": lead.events.select_related("by"),
            "photos": lead.photos.all(),
            "assists": lead.assists.select_related("assistant", "requested_by"),
            "complaint": complaint,
            "complainant": complainant,
            "steps": {str(s) for s in steps},
            "finding_retracted": actions.finding_retracted(lead),
            "can_manage_assists": request.user.role in (Role.OFFICER, Role.COUNTY_ADMIN),
            "region_path": lead.region.path_name(below=lead.region_id[:6]),
        },
    )


def _step_page(
    request: AuthedRequest,
    pk: int,
    step: Step,
    make_form: Callable[[Lead, Any], Any],
    perform: Callable[[Lead, Any], object],
    done: str,
    warning: str = "",
) -> HttpResponse:
    """GET: the form of one step of the life cycle. POST: do it, or say why not."""
    lead = _lead(request, pk)
    if not actions.is_theirs(step, lead, request.user):
        raise Http404  # another officer's lead: answered like a lead that does not exist
    refused = actions.refusal(step, lead)
    if refused:
        messages.error(request, refused)
        return redirect("leads:detail", pk=lead.pk)
    form = make_form(lead, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(lead, form)
        except LeadRefused as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, done)
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/step.html",
        {
            "lead": lead,
            "form": form,
            "title": actions.TRANSITIONS[step].label,
            "step": str(step),
            "warning": warning,
        },
    )


def _files(request: AuthedRequest) -> Any:
    return request.FILES if request.method == "POST" else None


@scoped(Role.ASSISTANT, Role.COUNTY_ADMIN)
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(lead: Lead, form: forms.ReportForm) -> object:
        agency, officer = form.cleaned_data["target"]
        return actions.report_lead(
            lead,
            by=request.user,
            method=form.cleaned_data["method"],
            agency=agency,
            officer=officer,
            administration=form.cleaned_data.get("administration"),
            reported_at=form.cleaned_data["reported_at"],
            note=form.cleaned_data["note"],
        )

    return _step_page(
        request, pk, Step.REPORT, lambda lead, data: forms.ReportForm(data, lead=lead), perform, _("已报告。")
    )


@scoped(Role.OFFICER)
@require_POST
def acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if not actions.is_theirs(Step.ACKNOWLEDGE, lead, request.user):
        raise Http404
    form = forms.AcknowledgeForm(request.POST)
    try:
        actions.acknowledge_lead(lead, by=request.user, note=form.data.get("note", "")[:500])
    except LeadRefused as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("已签收。"))
    return redirect("leads:detail", pk=lead.pk)


@scoped(Role.OFFICER)
def request_assist(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(lead: Lead, form: forms.AssistRequestForm) -> object:
        return actions.request_assist(
            by=request.user,
            assistant=form.cleaned_data["assistant"],
            lead=lead,
            due_on=form.cleaned_data["due_on"],
            note=form.cleaned_data["note"],
        )

    return _step_page(
        request,
        pk,
        Step.REQUEST_ASSIST,
        lambda lead, data: forms.AssistRequestForm(data, region_code=lead.region_id),
        perform,
        _("已发起协查，已通知协管员。"),
    )


@scoped(Role.OFFICER)
def handling(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(lead: Lead, form: forms.HandlingForm) -> object:
        return actions.set_handling(
            lead, by=request.user, handling=form.cleaned_data["handling"], reason=form.cleaned_data["reason"]
        )

    return _step_page(
        request,
        pk,
        Step.SET_HANDLING,
        lambda lead, data: forms.HandlingForm(data),
        perform,
        _("已确定处置方式。"),
    )


@scoped(Role.OFFICER)
def officer_action(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(lead: Lead, form: forms.OfficerActionForm) -> object:
        return actions.record_officer_action(
            lead, by=request.user, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
        )

    return _step_page(
        request,
        pk,
        Step.OFFICER_ACTION,
        lambda lead, data: forms.OfficerActionForm(data),
        perform,
        _("已记录执法处理。"),
    )


@scoped(Role.OFFICER)
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(lead: Lead, form: forms.CloseForm) -> object:
        return actions.close_lead(lead, by=request.user, outcome=form.cleaned_data["outcome"])

    return _step_page(
        request, pk, Step.CLOSE, lambda lead, data: forms.CloseForm(data), perform, _("已办结。")
    )


@scoped(Role.ASSISTANT, Role.COUNTY_ADMIN)
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Withdraw a lead entered in error (a confirmation page with the reason)."""

    def perform(lead: Lead, form: forms.ReasonForm) -> object:
        return actions.withdraw_lead(lead, by=request.user, reason=form.cleaned_data["reason"])

    return _step_page(
        request,
        pk,
        Step.WITHDRAW,
        lambda lead, data: forms.ReasonForm(data),
        perform,
        _("线索已撤回，不再计入报告率；办理记录保留。"),
        warning=_(
            "撤回后该线索不再计入信息报告率，不能再报告或办理；办理记录保留。确属误录、重复录入时才撤回。"
        ),
    )


@scoped(Role.ASSISTANT, Role.COUNTY_ADMIN, Role.OFFICER)
def regrade(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change the lead's importance with a reason (the report deadline follows)."""

    def perform(lead: Lead, form: forms.RegradeForm) -> object:
        return actions.regrade_lead(
            lead,
            by=request.user,
            importance=form.cleaned_data["importance"],
            reason=form.cleaned_data["reason"],
        )

    policy = ReportingPolicy.for_region(request.user.region_id)
    return _step_page(
        request,
        pk,
        Step.REGRADE,
        lambda lead, data: forms.RegradeForm(data, lead=lead),
        perform,
        _("已调整重要程度，报告时限已按新的重要程度重新计算。"),
        warning=_("报告时限按发现时间和新的重要程度重新计算（重要：%(h)s 小时；一般：%(d)s 天）。")
        % {"h": policy.important_hours, "d": policy.normal_days},
    )


@scoped()
def lead_photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    photo = get_visible_or_404(LeadPhoto, request.user, pk=pk)
    return private_file(photo.image, image=True)


# --- entry ------------------------------------------------------------------------------------


@scoped(Role.ASSISTANT)
def new_lead(request: AuthedRequest) -> HttpResponse:
    """Direct entry of a lead by an assistant."""
    form = forms.LeadForm(request.POST or None, _files(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = actions.discover_lead(
                region=form.region_obj(),
                lead_type=data["lead_type"],
                source=LeadSource.DIRECT,
                description=data["description"],
                discovered_by=request.user,
                discovered_at=data["discovered_at"],
                employer=data["employer"],
                importance=data["importance"] or None,
                abnormal_kind=data["abnormal_kind"],
                place=data["place"],
                photos=data["photos"],
            )
        except LeadRefused as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("线索已录入，请及时报告监督机构。"))
            return redirect("leads:detail", pk=lead.pk)
    offline = offline_form(
        "lead",
        "/api/v1/leads",
        "/leads/{id}/",
        _("线索"),
        photos="/api/v1/leads/{id}/photos",
        id_path="lead.id",
    )
    return render(
        request,
        "leads/form.html",
        {"form": form, "title": _("录入线索"), "multipart": True, "offline": offline},
    )


@scoped(Role.ASSISTANT, Role.COUNTY_ADMIN)
def new_complaint(request: AuthedRequest) -> HttpResponse:
    """Intake of a public complaint (群众投诉举报); it becomes a lead."""
    form = forms.ComplaintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = actions.record_complaint(
                region=form.region_obj(),
                recorded_by=request.user,
                channel=data["channel"],
                content=data["content"],
                received_at=data["received_at"],
                employer=data["employer"],
                place=data["place"],
                anonymous=data["anonymous"],
                complainant_name=data["complainant_name"],
                complainant_contact=data["complainant_contact"],
                importance=data["importance"],
            )
        except LeadRefused as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("投诉举报已登记，并生成线索；请及时报告监督机构。"))
            return redirect("leads:detail", pk=complaint.lead_id)
    return render(
        request,
        "leads/form.html",
        {
            "form": form,
            "title": _("登记群众投诉举报"),
            "note": _(
                "举报人身份保密：只有登记人、本县(区)卫生健康行政部门和经办的执法人员能看到姓名和联系方式。"
            ),
            "offline": offline_form(
                "complaint", "/api/v1/complaints", "/leads/{id}/", _("投诉举报"), id_path="lead.id"
            )
            if request.user.is_assistant  # the outbox is the assistant's
            else None,
        },
    )


# --- 协查 ---------------------------------------------------------------------------------------


def assist_queryset(user: Any) -> QuerySet[AssistRequest]:
    qs = AssistRequest.objects.visible_to(user)
    if user.role == Role.ASSISTANT:
        qs = qs.filter(assistant=user)
    return qs


@scoped()
def assist_list(request: AuthedRequest) -> HttpResponse:
    """协查: for an assistant those requested of them; for others, all in scope."""
    base = assist_queryset(request.user)
    tab = "done" if request.GET.get("tab") == "done" else "open"
    status = AssistStatus.DONE if tab == "done" else AssistStatus.REQUESTED
    qs = base.filter(status=status).select_related("lead", "employer", "assistant", "requested_by")
    qs = qs.order_by("-recorded_at") if tab == "done" else qs.order_by("due_on", "requested_at")
    counts = base.aggregate(
        open=Count("pk", filter=Q(status=AssistStatus.REQUESTED)),
        done=Count("pk", filter=Q(status=AssistStatus.DONE)),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "leads/assist_list.html", {"page": page, "tab": tab, "counts": counts, "query": f"tab={tab}"}
    )


@scoped(Role.OFFICER)
def new_assist(request: AuthedRequest) -> HttpResponse:
    """An officer asks for a 协查 of an employer, without a lead."""
    initial = {"employer": request.GET.get("employer")} if request.GET.get("employer", "").isdecimal() else {}
    form = forms.EmployerAssistForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.request_assist(
                by=request.user,
                assistant=data["assistant"],
                employer=data["employer"],
                due_on=data["due_on"],
                note=data["note"],
            )
        except LeadRefused as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已发起协查，已通知协管员。"))
            return redirect("leads:assist", pk=item.pk)
    return render(
        request,
        "leads/form.html",
        {"form": form, "title": _("发起协查（用人单位）"), "cancel_url": reverse("leads:assists")},
    )


@scoped()
def assist(request: AuthedRequest, pk: int) -> HttpResponse:
    """One 协查: the request, and the assistant's record form (or the record)."""
    item = get_visible_or_404(
        AssistRequest.objects.select_related("lead", "employer", "assistant", "requested_by"),
        request.user,
        pk=pk,
    )
    can_record = request.user.pk == item.assistant_id and item.status == AssistStatus.REQUESTED
    form = None
    if can_record:
        form = forms.AssistRecordForm(request.POST or None, _files(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_assist(
                    item,
                    by=request.user,
                    done_on=data["done_on"],
                    what_done=data["what_done"],
                    outcome=data["outcome"],
                    photos=data["photos"],
                )
            except LeadRefused as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, _("协查情况已记录。"))
                return redirect("leads:assist", pk=item.pk)
    elif request.method == "POST":
        messages.error(request, _("只有被请求协查的协管员可以记录，且每项协查只记录一次。"))
        return redirect("leads:assist", pk=item.pk)
    offline = offline_form(
        "assist",
        f"/api/v1/assists/{item.pk}/record",
        reverse("leads:assist", args=[item.pk]),
        _("协查") + f" {item.employer or item.lead}",
        photos=f"/api/v1/assists/{item.pk}/photos",
    )
    can_manage = item.status == AssistStatus.REQUESTED and actions.may_manage_assist(request.user, item)
    context = {
        "item": item,
        "form": form,
        "photos": item.photos.all(),
        "offline": offline,
        "can_manage": can_manage,
    }
    return render(request, "leads/assist.html", context)


def _managed_assist(request: AuthedRequest, pk: int) -> AssistRequest:
    """An open 协查 the user may cancel or reassign; 404 otherwise (another officer's, out of scope)."""
    item = get_visible_or_404(
        AssistRequest.objects.select_related("lead", "employer", "assistant", "requested_by"),
        request.user,
        pk=pk,
    )
    if not actions.may_manage_assist(request.user, item):
        raise Http404
    return item


def _back(request: AuthedRequest, item: AssistRequest) -> HttpResponse:
    """Back to where the user came from (the dismissal page), or to the 协查."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("leads:assist", pk=item.pk)


def _assist_step(
    request: AuthedRequest, item: AssistRequest, form: Any, perform: Callable[[], AssistRequest], **ctx: Any
) -> HttpResponse:
    if item.status != AssistStatus.REQUESTED:
        messages.error(request, _("该协查已完成或已取消，不能再取消或改派。"))
        return redirect("leads:assist", pk=item.pk)
    if request.method == "POST" and form.is_valid():
        try:
            result = perform()
        except LeadRefused as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, ctx.pop("done"))
            return _back(request, result if result.pk != item.pk else item)
    ctx.pop("done", None)
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    safe = nxt if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else ""
    return render(request, "leads/assist_step.html", {"item": item, "form": form, "next": safe, **ctx})


@scoped(Role.OFFICER, Role.COUNTY_ADMIN)
def assist_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel an open 协查 with a reason (a confirmation page)."""
    item = _managed_assist(request, pk)
    form = forms.ReasonForm(request.POST if request.method == "POST" else None)

    def perform() -> AssistRequest:
        return actions.cancel_assist(item, by=request.user, reason=form.cleaned_data["reason"])

    return _assist_step(
        request,
        item,
        form,
        perform,
        title=_("取消协查"),
        button=_("确认取消协查"),
        danger=True,
        warning=_("取消后协管员不能再记录该协查；线索可改用其他方式处理或办结。取消记录保留。"),
        done=_("协查已取消。"),
    )


@scoped(Role.OFFICER, Role.COUNTY_ADMIN)
def assist_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Give an open 协查 to another assistant of the area, with a reason."""
    item = _managed_assist(request, pk)
    form = forms.AssistReassignForm(
        request.POST if request.method == "POST" else None,
        region_code=item.region_id,
        exclude=item.assistant_id,
    )

    def perform() -> AssistRequest:
        return actions.reassign_assist(
            item,
            by=request.user,
            assistant=form.cleaned_data["assistant"],
            reason=form.cleaned_data["reason"],
        )

    return _assist_step(
        request,
        item,
        form,
        perform,
        title=_("改派协查"),
        button=_("改派"),
        danger=False,
        warning=_("原协查记为“已取消（改派）”，新协管员会收到通知。"),
        done=_("协查已改派，已通知新的协管员。"),
    )


@scoped()
def assist_photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    photo = get_visible_or_404(AssistPhoto, request.user, pk=pk)
    return private_file(photo.image, image=True)
