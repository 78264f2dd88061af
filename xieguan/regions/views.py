from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render

from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.scoping import get_visible_or_404
from xieguan.regions.models import Region


@scoped()
def mine(request: AuthedRequest) -> HttpResponse:
    return redirect("regions:detail", code=request.user.region_id)


@scoped()
def detail(request: AuthedRequest, code: str) -> HttpResponse:
    region = get_visible_or_404(Region, request.user, code=code)
    scope = request.user.region_id
    breadcrumbs = [r for r in region.ancestors() if r.code.startswith(scope)]
    children = Paginator(Region.objects.visible_to(request.user).filter(parent=region), 60)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "breadcrumbs": breadcrumbs,
            "children": children.get_page(request.GET.get("page")),
        },
    )


# The form field a picker fills: part of an element id and of the CSS selector htmx swaps.
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@scoped()
def picker(request: AuthedRequest) -> HttpResponse:
    """The region picker: children of a region inside the user's subtree (an htmx partial).
    ``field`` names the form field (a lowercase identifier; anything else is a 400, so it can
    never widen the selector htmx swaps)."""
    field = request.GET.get("field", "region")
    if not FIELD_NAME.fullmatch(field):
        return HttpResponseBadRequest(
            "区划选择器的字段名无效。".encode(), content_type="text/plain; charset=utf-8"
        )
    code = request.GET.get("parent") or request.user.region_id
    parent = get_visible_or_404(Region, request.user, code=code)
    children = Region.objects.visible_to(request.user).filter(parent=parent).only("code", "name", "level")
    return render(
        request,
        "regions/_picker.html",
        {"parent": parent, "children": children, "field": field},
    )
