"""Role navigation, assembled from the apps.

Each app's AppConfig lists its menu entries in ``nav_items``; the context processor keeps
those the user's role may open, in INSTALLED_APPS order. An app adds a page to the menu in
its own apps.py, and nothing else needs to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation string
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every role
    order: int = 50


@dataclass(frozen=True)
class NavLink:
    label: Any
    url: str
    active: bool


def nav_for(user: Any, path: str = "") -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav_items", ()))
    links = []
    for item in sorted(items, key=lambda i: i.order):
        if item.roles and getattr(user, "role", None) not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = (url != "/" and path.startswith(url)) or url == path
        links.append(NavLink(item.label, url, active))
    return links


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_links": nav_for(getattr(request, "user", None), request.path)}
