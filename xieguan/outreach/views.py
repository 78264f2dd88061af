from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role
from xieguan.employers.models import Employer
from xieguan.field.offline import offline_form
from xieguan.indicators import periods
from xieguan.indicators.registry import indicator
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_file
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import UuidTaken
from xieguan.outreach import actions
from xieguan.outreach.forms import ConsultationForm, PublicityCorrectionForm, PublicityEventForm, WithdrawForm
from xieguan.outreach.models import (
    Consultation,
    ConsultationKind,
    PublicityEvent,
    PublicityKind,
    PublicityPhoto,
)
from xieguan.regions.models import Level, Region

RECORDERS = (Role.ASSISTANT, Role.COUNTY_ADMIN)


@scoped()
def event_list(request: AuthedRequest) -> HttpResponse:
    events = (
        PublicityEvent.objects.visible_to(request.user)
        .select_related("region")
        .annotate(
            employer_count=Count("employers", distinct=True), photo_count=Count("photos", distinct=True)
        )
        .order_by("-held_on", "-pk")
    )
    year = request.GET.get("year", "")
    if year.isdecimal():
        events = events.filter(held_on__year=int(year))
    township = request.GET.get("township", "")
    if township:
        events = events.filter(region_id=township)
    kind = request.GET.get("kind", "")
    if kind in PublicityKind.values:
        events = events.filter(kind=kind)
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    townships = (
        Region.objects.visible_to(request.user)
        .filter(level=Level.TOWNSHIP)
        .select_related("parent")  # grouped by county in the searchable picker
        .order_by("code")
        if request.user.region.level < Level.TOWNSHIP
        else Region.objects.none()
    )
    return render(
        request,
        "outreach/list.html",
        {
            "page": page,
            "years": range(this_year, this_year - 5, -1),
            "year": year,
            "township": township,
            "townships": townships,
            "kind": kind,
            "kinds": PublicityKind.choices,
            "can_record": request.user.role in RECORDERS,
            "missing_url": indicator("publicity").list_url(request.user.region_id, periods.current_year())
            if request.user.region.level < Level.TOWNSHIP
            else "",
            "query": urlencode({"year": year, "township": township, "kind": kind}),
        },
    )


@scoped()
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = get_visible_or_404(
        PublicityEvent.objects.select_related("region", "recorded_by"), request.user, pk=pk
    )
    return render(
        request,
        "outreach/detail.html",
        {
            "event": event,
            "employers": event.employers.select_related("township").order_by("name"),
            "photos": event.photos.order_by("uploaded_at", "pk"),
            "revisions": _with_changes(event.revisions.select_related("by").order_by("at", "pk")),
            "can_change": event.withdrawn_at is None and actions.can_change_publicity(event, request.user),
        },
    )


@scoped(*RECORDERS)
def event_create(request: AuthedRequest) -> HttpResponse:
    """Record a publicity event; the date starts at today (most are recorded the day they are held;
    offline, offline-forms.js moves a saved page's date to the phone's today)."""
    form = PublicityEventForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = actions.record_publicity_event(
                recorded_by=request.user,
                region=data["region"],
                held_on=data["held_on"],
                kind=data["kind"],
                topic=data["topic"],
                audience=data["audience"] or 0,
                location=data["location"],
                description=data["description"],
                employers=data["employers"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("宣传活动已记录。"))
            return redirect("outreach:detail", pk=event.pk)
    offline = (
        offline_form(
            "event",
            "/api/v1/publicity",
            "/outreach/{id}/",
            _("宣传活动"),
            photos="/api/v1/publicity/{id}/photos",
            id_path="event.id",
        )
        if request.user.is_assistant  # the outbox is the assistant's
        else None
    )
    return render(request, "outreach/form.html", {"form": form, "offline": offline})


@scoped(*RECORDERS)
def employer_choices(request: AuthedRequest) -> HttpResponse:
    """The employers of the chosen township (an htmx partial of the record form)."""
    township = request.GET.get("region", "")
    form = PublicityEventForm(user=request.user, initial={"region": township})
    if township:
        get_visible_or_404(Region, request.user, code=township)
    return render(request, "outreach/_employers.html", {"form": form})


@scoped()
def photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """A publicity photo, served only to users who may see the event (private media)."""
    item = get_visible_or_404(PublicityPhoto, request.user, pk=pk)
    return private_file(item.image, image=True)


# --- consultations and guidance (咨询、指导) -----------------------------------------------


@scoped()
def consultation_list(request: AuthedRequest) -> HttpResponse:
    rows = (
        Consultation.objects.visible_to(request.user)
        .select_related("employer", "region", "recorded_by")
        .order_by("-given_on", "-pk")
    )
    year = request.GET.get("year", "")
    if year.isdecimal():
        rows = rows.filter(given_on__year=int(year))
    kind = request.GET.get("kind", "")
    if kind in ConsultationKind.values:
        rows = rows.filter(kind=kind)
    employer = None
    employer_pk = request.GET.get("employer", "")
    if employer_pk.isdecimal():
        employer = get_visible_or_404(Employer, request.user, pk=employer_pk)
        rows = rows.filter(employer=employer)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    return render(
        request,
        "outreach/consultation_list.html",
        {
            "page": page,
            "years": range(this_year, this_year - 5, -1),
            "year": year,
            "kind": kind,
            "kinds": ConsultationKind.choices,
            "employer": employer,
            "can_record": request.user.role in actions.CONSULTATION_RECORDERS,
            "query": urlencode({"year": year, "kind": kind, "employer": employer_pk}),
        },
    )


@scoped()
def consultation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = get_visible_or_404(
        Consultation.objects.select_related("employer", "region", "recorded_by"), request.user, pk=pk
    )
    return render(request, "outreach/consultation_detail.html", {"c": consultation})


@scoped(Role.ASSISTANT)
def consultation_create(request: AuthedRequest) -> HttpResponse:
    """Phone-first: the employer (prefilled from the employer page), date, kind, what, outcome.
    The form carries a UUID made when it was shown, so sending it twice stores it once."""
    initial: dict[str, Any] = {"given_on": timezone.localdate(), "client_uuid": uuid.uuid4()}
    employer_pk = request.GET.get("employer", "")
    if employer_pk.isdecimal():
        initial["employer"] = get_visible_or_404(Employer, request.user, pk=employer_pk).pk
    form = ConsultationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation, created = actions.record_consultation(
                recorded_by=request.user,
                employer=data["employer"],
                given_on=data["given_on"],
                kind=data["kind"],
                subject=data["subject"],
                outcome=data["outcome"],
                contact_person=data["contact_person"],
                client_uuid=data["client_uuid"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except UuidTaken as exc:
            raise Http404 from exc
        else:
            if created:
                messages.success(request, _("咨询指导已记录。"))
            return redirect("outreach:consultation_detail", pk=consultation.pk)
    # The assistant's form also works offline: 保存 goes through the phone's outbox to the API
    # (same client_uuid rule), docs/offline.md.
    offline = offline_form(
        "consultation",
        "/api/v1/outreach/consultations",
        "/outreach/consultations/{id}/",
        _("咨询指导"),
        id_path="id",
    )
    return render(request, "outreach/consultation_form.html", {"form": form, "offline": offline})


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- corrections and withdrawal -----------------------------------------------------------


def _changeable(request: AuthedRequest, pk: int) -> PublicityEvent:
    """The event in scope (404 outside it), if this user may change it (403 otherwise)."""
    event = get_visible_or_404(PublicityEvent.objects.select_related("region"), request.user, pk=pk)
    if not actions.can_change_publicity(event, request.user):
        raise PermissionDenied(_("只有记录人或本县(区)卫生健康行政部门可以更正或撤回宣传活动。"))
    return event


@scoped(*RECORDERS)
def event_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    event = _changeable(request, pk)
    form = PublicityCorrectionForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.correct_publicity_event(
                event,
                by=request.user,
                reason=data["reason"],
                held_on=data["held_on"],
                kind=data["kind"],
                topic=data["topic"],
                audience=data["audience"] or 0,
                location=data["location"],
                description=data["description"],
                employers=data["employers"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("宣传活动已更正，原记录和原因已保留。"))
            return redirect("outreach:detail", pk=event.pk)
    return render(request, "outreach/correct.html", {"form": form, "event": event})


@scoped(*RECORDERS)
def event_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    event = _changeable(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_publicity_event(event, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("宣传活动已撤回，不再计入宣传指标。"))
            return redirect("outreach:detail", pk=event.pk)
    return render(request, "outreach/withdraw.html", {"form": form, "event": event})


SNAPSHOT_LABELS = {
    "held_on": _("日期"),
    "kind": _("形式"),
    "topic": _("主题"),
    "location": _("地点"),
    "audience": _("受众人数"),
    "description": _("情况说明"),
    "employers": _("覆盖用人单位"),
}


def _shown(key: str, value: Any) -> str:
    if key == "kind":
        return str(PublicityKind(value).label) if value in PublicityKind.values else str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(value) if value not in ("", None) else "—"


def _with_changes(revisions: Any) -> list[Any]:
    """Each revision with (label, before, after) of what it changed, in words."""
    out = []
    for revision in revisions:
        revision.changes = [
            (label, _shown(key, revision.before.get(key)), _shown(key, revision.after.get(key)))
            for key, label in SNAPSHOT_LABELS.items()
            if revision.before.get(key) != revision.after.get(key)
        ]
        out.append(revision)
    return out
