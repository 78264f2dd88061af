from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
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


@scoped()
def picker(request: AuthedRequest) -> HttpResponse:
    """The region picker: children of a region inside the user's subtree (an htmx partial)."""
    code = request.GET.get("parent") or request.user.region_id
    parent = get_visible_or_404(Region, request.user, code=code)
    children = Region.objects.visible_to(request.user).filter(parent=parent).only("code", "name", "level")
    return render(
        request,
        "regions/_picker.html",
        {"parent": parent, "children": children, "field": request.GET.get("field", "region")},
    )
