from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.models import Role
from xieguan.documents.render import file_response
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.inspections import actions
from xieguan.inspections.filters import InspectionFilterForm, listable
from xieguan.inspections.forms import AmendForm, TemplateReviseForm
from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionPhoto, InspectionStatus
from xieguan.inspections.printing import case_form_for
from xieguan.inspections.worklist import due_employers
from xieguan.leads.models import Lead
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_file
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import Region

PRINT_FORMATS = ("pdf", "docx")


def _visible_inspection(
    request: AuthedRequest, pk: Any, related: tuple[str, ...] = ("employer", "assistant", "template")
) -> Inspection:
    """An inspection in scope, read with ``related``; a draft only for its author (it is not a
    record yet)."""
    inspection = get_visible_or_404(Inspection.objects.select_related(*related), request.user, pk=pk)
    if not inspection.is_submitted and inspection.assistant_id != request.user.pk:
        raise Http404
    return inspection


@scoped()
def index(request: AuthedRequest) -> HttpResponse:
    form = InspectionFilterForm(request.GET or None, user=request.user)
    qs = listable(Inspection.objects.visible_to(request.user), request.user)
    qs = form.apply(qs).select_related("assistant", "region", "template")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    # a list over several counties (a prefecture's, the province's) says each inspection's county
    show_county = request.user.region.spans_counties
    counties = Region.objects.county_names(row.region_id for row in page) if show_county else {}
    for row in page:
        row.county_name = counties.get(row.region_id, "")  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/index.html",
        {"form": form, "page": page, "query": query.urlencode(), "show_county": show_county},
    )


@scoped(Role.ASSISTANT)
def start(request: AuthedRequest) -> HttpResponse:
    """Choose the employer to inspect: those due this half-year first."""
    q = (request.GET.get("q") or "").strip()
    employers = (
        Employer.objects.visible_to(request.user)
        .exclude(status=OperatingStatus.CLOSED)
        .select_related("region")
    )
    if q:
        employers = employers.filter(Q(name__icontains=q) | Q(address__icontains=q))
    due_ids = set(due_employers(request.user).values_list("pk", flat=True))
    rows = sorted(employers[:200], key=lambda e: (e.pk not in due_ids, e.name))
    drafts = Inspection.objects.visible_to(request.user).filter(
        assistant=request.user, status=InspectionStatus.DRAFT
    )
    return render(
        request,
        "inspections/start.html",
        {"rows": rows, "due_ids": due_ids, "q": q, "drafts": drafts.select_related("employer")},
    )


def _form_context(
    request: AuthedRequest, inspection: Inspection | None, employer: Employer
) -> dict[str, Any]:
    template = inspection.template if inspection else ChecklistTemplate.active(employer.region_id)
    if template is None:
        raise Http404("没有启用的巡查表模板")
    items = list(template.items.all())
    draft: dict[str, Any] | None = None
    if inspection is not None:
        answers = {a.item_id: a for a in inspection.answers.all()}
        draft = {
            "employer_name": inspection.employer_name,
            "address": inspection.address,
            "legal_representative": inspection.legal_representative,
            "phone": inspection.phone,
            "inspected_at": timezone.localtime(inspection.inspected_at).strftime("%Y-%m-%dT%H:%M"),
            "accompanying_person": inspection.accompanying_person,
            "latitude": str(inspection.latitude) if inspection.latitude is not None else None,
            "longitude": str(inspection.longitude) if inspection.longitude is not None else None,
            "accuracy_m": inspection.accuracy_m,
            "legal_publicity": inspection.legal_publicity,
            "answers": {
                str(i.number): {
                    "answer": answers[i.pk].answer,
                    "note": answers[i.pk].note,
                    "important": answers[i.pk].important,
                }
                for i in items
                if i.pk in answers
            },
            "companion_signature_url": reverse("inspections:signature", args=[inspection.pk, "companion"])
            if inspection.companion_signature
            else "",
            "assistant_signature_url": reverse("inspections:signature", args=[inspection.pk, "assistant"])
            if inspection.assistant_signature
            else "",
            "photos": [
                {"id": p.pk, "url": reverse("inspections:photo", args=[p.pk]), "caption": p.caption}
                for p in inspection.photos.all()
            ],
            "server_saved_at": inspection.updated_at.isoformat(),
        }
    config = {
        "id": str(inspection.pk if inspection else uuid.uuid4()),
        "is_new": inspection is None,
        "employer_id": employer.pk,
        "employer_version": employer.version,
        "template_id": template.pk,
        "draft_url": "/api/v1/inspections/{id}/draft",
        "photo_url": "/api/v1/inspections/{id}/photos",
        "photo_delete_url": "/api/v1/inspections/photos/{photo}",
        "submit_url": "/api/v1/inspections/submit",
        "edit_url": reverse("inspections:edit", args=["00000000-0000-0000-0000-000000000000"]),
        "detail_url": reverse("inspections:detail", args=["00000000-0000-0000-0000-000000000000"]),
        "items": [
            {
                "number": i.number,
                "wording": i.wording,
                "kind": i.kind,
                "na_allowed": i.na_allowed_for(employer),
                "na_refusal": actions.na_refusal(i, employer),
                "important_by_default": actions.important_by_default(i),
            }
            for i in items
        ],
        "draft": draft,
    }
    return {
        "employer": employer,
        "template": template,
        "items": items,
        "config": config,
        "inspection": inspection,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }


@scoped(Role.ASSISTANT)
def new(request: AuthedRequest, employer_pk: int) -> HttpResponse:
    employer = get_visible_or_404(Employer, request.user, pk=employer_pk)
    draft = (
        Inspection.objects.visible_to(request.user)
        .filter(assistant=request.user, employer=employer, status=InspectionStatus.DRAFT)
        .order_by("-updated_at")
        .first()
    )
    if draft is not None:
        return redirect("inspections:edit", draft.pk)
    return render(request, "inspections/form.html", _form_context(request, None, employer))


@scoped(Role.ASSISTANT)
def edit(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    if inspection.is_submitted:
        return redirect("inspections:detail", inspection.pk)
    if inspection.assistant_id != request.user.pk:
        raise Http404
    return render(request, "inspections/form.html", _form_context(request, inspection, inspection.employer))


@scoped(Role.ASSISTANT)
@require_POST
def discard(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    try:
        actions.delete_draft(inspection, request.user)
    except actions.InspectionError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("inspections:detail", inspection.pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("inspections:start")


@scoped()
def detail(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    if not inspection.is_submitted:
        return redirect("inspections:edit", inspection.pk)
    answers = inspection.answers.select_related("item", "lead").order_by("item__number")
    amendments = list(inspection.amendments.select_related("amended_by"))
    for amendment in amendments:
        amendment.changes = amendment_changes(amendment.before, amendment.after)  # type: ignore[attr-defined]
    leads = list(
        Lead.objects.visible_to(request.user)
        .filter(inspection=inspection)
        .select_related("inspection_answer__item")
        .order_by("inspection_answer__item__number", "pk")
    )
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "answers": answers,
            "photos": inspection.photos.all(),
            "amendments": amendments,
            "leads": leads,
            "lead_ids": {lead.pk for lead in leads},
            "can_amend": actions.can_amend(inspection, request.user),
        },
    )


FIELD_LABELS = {
    "employer_name": "用人单位名称",
    "address": "地址",
    "legal_representative": "法定代表人",
    "phone": "联系电话",
    "accompanying_person": "陪同人员",
    "inspected_at": "巡查时间",
    "legal_publicity": "巡查时开展普法宣传",
}


def _shown(value: Any) -> str:
    """A snapshot value as the page shows it (yes/no in words, not True/False/None)."""
    if value is True:
        return "已开展"
    if value is False:
        return "未开展"
    return "未记录" if value is None else str(value)


def amendment_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, old, new) for every field and answer an amendment changed."""
    changes = [
        (label, _shown(before.get(key, "")), _shown(after.get(key, "")))
        for key, label in FIELD_LABELS.items()
        if before.get(key) != after.get(key)
    ]
    old_answers, new_answers = before.get("answers", {}), after.get("answers", {})
    for number in sorted(set(old_answers) | set(new_answers), key=int):
        old, new = old_answers.get(number, {}), new_answers.get(number, {})
        if old.get("answer") != new.get("answer"):
            changes.append(
                (
                    f"第{number}项",
                    actions.answer_label(old.get("answer", "")),
                    actions.answer_label(new.get("answer", "")),
                )
            )
        if old.get("note", "") != new.get("note", ""):
            changes.append((f"第{number}项情况说明", old.get("note", ""), new.get("note", "")))
    return changes


@scoped()
def print_form(request: AuthedRequest, pk: uuid.UUID, fmt: str) -> HttpResponse:
    if fmt not in PRINT_FORMATS:
        raise Http404
    # 附表1 prints the inspection's own copy of the employer's fields and the assistant's name
    inspection = _visible_inspection(request, pk, related=("assistant",))
    if not inspection.is_submitted:
        raise Http404
    return file_response(case_form_for(inspection), fmt, inline=fmt == "pdf", request=request)


@scoped()
def signature(request: AuthedRequest, pk: uuid.UUID, who: str) -> HttpResponseBase:
    if who not in ("companion", "assistant"):
        raise Http404
    inspection = _visible_inspection(request, pk)
    file = getattr(inspection, f"{who}_signature")
    if not file:
        raise Http404
    return private_file(file, image=True)


@scoped()
def photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    record = get_visible_or_404(InspectionPhoto.objects.select_related("inspection"), request.user, pk=pk)
    if not record.inspection.is_submitted and record.inspection.assistant_id != request.user.pk:
        raise Http404
    return private_file(record.image, image=True)


@scoped(Role.ASSISTANT, Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)
def amend(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    inspection = _visible_inspection(request, pk)
    if not actions.can_amend(inspection, request.user):
        raise PermissionDenied(_("只有巡查的协管员本人或县(区)、省级管理员可以修订。"))
    items = list(inspection.template.items.all())
    form = AmendForm(request.POST or None, inspection=inspection, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            actions.amend_inspection(inspection, request.user, form.to_data(), form.cleaned_data["reason"])
        except actions.InspectionError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("修订已保存，原记录保留在修订历史中。"))
            return redirect("inspections:detail", inspection.pk)
    return render(request, "inspections/amend.html", {"inspection": inspection, "form": form})


@scoped()
def employer_history(request: AuthedRequest, employer_pk: int) -> HttpResponse:
    """An employer's inspection history (a partial, included in the employer's page)."""
    employer = get_visible_or_404(Employer, request.user, pk=employer_pk)
    context = {"employer": employer, "section": {"context": history_context(request, employer)}}
    return render(request, "inspections/_employer_history.html", context)


def history_context(request: Any, employer: Employer, limit: int = 20) -> dict[str, Any]:
    qs = listable(Inspection.objects.visible_to(request.user), request.user).filter(employer=employer)
    return {
        "employer": employer,
        "history": qs.select_related("assistant")[:limit],
        "history_total": qs.count(),
        "can_inspect": getattr(request.user, "role", None) == Role.ASSISTANT,
    }


# --- check-list templates (province admin) --------------------------------------------


@scoped(Role.PROVINCE_ADMIN)
def templates(request: AuthedRequest) -> HttpResponse:
    region = request.user.region_id
    rows = ChecklistTemplate.visible_in(region).prefetch_related("items")
    used = set(Inspection.objects.within(region).values_list("template_id", flat=True).distinct())
    active = ChecklistTemplate.active(region)
    return render(
        request,
        "inspections/templates.html",
        {"rows": rows, "used": used, "active_pk": active.pk if active else None},
    )


@scoped(Role.PROVINCE_ADMIN)
@require_POST
def activate(request: AuthedRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ChecklistTemplate.visible_in(request.user.region_id), pk=pk)
    try:
        in_force = actions.activate_template(template, request.user)
    except actions.InspectionError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("inspections:templates")
    messages.success(
        request, _("已启用：%(name)s。此后新建的巡查使用该模板，已有巡查不受影响。") % {"name": in_force}
    )
    return redirect("inspections:templates")


@scoped(Role.PROVINCE_ADMIN)
def revise(request: AuthedRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ChecklistTemplate.visible_in(request.user.region_id), pk=pk)
    form = TemplateReviseForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            new_version = actions.revise_template(
                template,
                request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                items=form.items(),
            )
        except actions.InspectionError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存为新版本：%(name)s。") % {"name": new_version})
            return redirect("inspections:templates")
    return render(request, "inspections/template_revise.html", {"template": template, "form": form})
