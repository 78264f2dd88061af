"""Charts only where they are seen (issue 16 item 5): no page an assistant opens loads the chart
bundle (vendor/echarts, dashboard.js); the indicators dashboard, which shows charts, does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

CHART_MARKERS = ("vendor/echarts/", "xieguan/dashboard.js")
SKIPPED_NAMESPACES = {"admin", "api-1"}  # Django admin (province admins only); JSON API


def _paths(patterns: Any, prefix: str = "", namespaces: tuple[str, ...] = ()) -> Iterator[str]:
    """Every URL of the project without path parameters (routes like ``users/<int:pk>/`` skipped)."""
    for entry in patterns:
        route = str(entry.pattern)
        if "<" in route or "^" in route or "(" in route:
            continue
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            if set(ns) & SKIPPED_NAMESPACES:
                continue
            yield from _paths(entry.url_patterns, prefix + route, ns)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def _loads_charts(body: str) -> bool:
    return any(marker in body for marker in CHART_MARKERS)


@pytest.mark.django_db
def test_no_assistant_page_references_the_chart_bundle(client_for: Any) -> None:
    assistant = client_for("xieguan")
    seen = []
    for path in sorted(set(_paths(get_resolver().url_patterns))):
        if "logout" in path or "sign-out" in path:
            continue  # would end the session of the pages after it
        response = assistant.get(path)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        seen.append(path)
        assert not _loads_charts(response.content.decode()), f"{path} loads the chart bundle"
    assert "/" in seen and len(seen) >= 10  # the assistant's pages were really opened


@pytest.mark.django_db
def test_the_dashboard_loads_the_chart_bundle_for_a_county_admin(client_for: Any) -> None:
    body = client_for("panzhou").get("/indicators/").content.decode()
    assert _loads_charts(body)
