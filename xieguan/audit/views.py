"""The access log page: a county admin sees their county's rows, the province admin all."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xieguan.accounts.models import Role
from xieguan.audit.forms import LogFilter
from xieguan.audit.models import AccessLog
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.scoping import region_in_scope

PAGE_SIZE = 50


@scoped(Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)
def log(request: AuthedRequest) -> HttpResponse:
    form = LogFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    region = data.get("region") or ""
    if region and not region_in_scope(request.user, region):
        raise Http404
    # the scope and the region filter as one prefix condition (ScopedQuerySet.visible_within)
    rows = AccessLog.objects.visible_within(request.user, region)
    if data:
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["user"]:
            rows = rows.filter(username__icontains=data["user"])
        zone = timezone.get_current_timezone()
        if data["start"]:
            rows = rows.filter(at__gte=dt.datetime.combine(data["start"], dt.time(), zone))
        if data["end"]:
            rows = rows.filter(
                at__lt=dt.datetime.combine(data["end"] + dt.timedelta(days=1), dt.time(), zone)
            )
    page = Paginator(rows.select_related("region"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query})
