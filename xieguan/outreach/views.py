from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role
from xieguan.indicators import periods
from xieguan.indicators.registry import indicator
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_file
from xieguan.lib.scoping import get_visible_or_404
from xieguan.outreach import actions
from xieguan.outreach.forms import PublicityEventForm
from xieguan.outreach.models import PublicityEvent, PublicityKind, PublicityPhoto
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
    if year.isdigit():
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
        Region.objects.visible_to(request.user).filter(level=Level.TOWNSHIP).only("code", "name")
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
        },
    )


@scoped(*RECORDERS)
def event_create(request: AuthedRequest) -> HttpResponse:
    form = PublicityEventForm(request.POST or None, request.FILES or None, user=request.user)
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
    return render(request, "outreach/form.html", {"form": form})


@scoped(*RECORDERS)
def employer_choices(request: AuthedRequest) -> HttpResponse:
    """The employers of the chosen township (an htmx partial of the record form)."""
    township = request.GET.get("region", "")
    form = PublicityEventForm(user=request.user, initial={"region": township})
    if township:
        get_visible_or_404(Region, request.user, code=township)
    return render(request, "outreach/_employers.html", {"form": form})


@scoped()
def photo(request: AuthedRequest, pk: int) -> FileResponse:
    """A publicity photo, served only to users who may see the event (private media)."""
    item = get_visible_or_404(PublicityPhoto, request.user, pk=pk)
    return private_file(item.image, image=True)
