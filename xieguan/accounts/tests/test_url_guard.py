"""Walk every URL pattern: each view must declare its access (deny by default)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from xieguan.lib.access import access_of

EXEMPT_NAMESPACES = {"admin", "api-1"}  # guarded by their own rules (see lib/access.py, api tests)


def walk(patterns, namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield namespaces, entry


def test_every_view_declares_its_access():
    undeclared = []
    for namespaces, pattern in walk(get_resolver().url_patterns):
        if set(namespaces) & EXEMPT_NAMESPACES:
            continue
        if access_of(pattern.callback) is None:
            undeclared.append(f"{':'.join(namespaces)} {pattern.pattern} -> {pattern.lookup_str}")
    assert not undeclared, "views without @public/@scoped/@login_only:\n" + "\n".join(undeclared)


def undeclared_view(request):
    return HttpResponse("should never be served")


urlpatterns = [path("undeclared/", undeclared_view), path("", include("xieguan.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_undeclared_view_is_refused(client_for):
    assert client_for("sheng").get("/undeclared/").status_code == 404


@pytest.mark.django_db
def test_admin_is_for_province_admins_only(client_for):
    assert client_for("sheng").get("/admin/").status_code == 200
    for name in ["lps", "panzhou", "jiandu", "xieguan"]:
        assert client_for(name).get("/admin/").status_code == 404, name


@pytest.mark.django_db
def test_role_limited_view_is_forbidden_to_other_roles(client_for, settings):
    from xieguan.lib.access import scoped

    @scoped("county_admin")
    def county_only(request):
        return HttpResponse("ok")

    import sys

    module: Any = sys.modules[__name__]
    module.urlpatterns = [path("county-only/", county_only), path("", include("xieguan.urls"))]
    settings.ROOT_URLCONF = __name__
    try:
        assert client_for("panzhou").get("/county-only/").status_code == 200
        assert client_for("xieguan").get("/county-only/").status_code == 403
    finally:
        module.urlpatterns = [path("undeclared/", undeclared_view), path("", include("xieguan.urls"))]
