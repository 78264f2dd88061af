"""Role navigation, assembled from the apps.

Each app's AppConfig lists its menu entries in ``nav_items``; the context processor keeps
those the user's role may open, in INSTALLED_APPS order. An app adds a page to the menu in
its own apps.py, and nothing else needs to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


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
    links = []
    for label, url in _menu(getattr(user, "role", None), get_urlconf(), get_script_prefix()):
        active = (url != "/" and path.startswith(url)) or url == path
        links.append(NavLink(label, url, active))
    return links


@lru_cache(maxsize=64)
def _menu(role: str | None, urlconf: str | None, prefix: str) -> tuple[tuple[Any, str], ...]:
    """A role's menu entries (label, URL), in order: the same on every request of that role,
    so reversed once per process (per URL configuration and script prefix), not per page."""
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav_items", ()))
    menu = []
    for item in sorted(items, key=lambda i: i.order):
        if item.roles and role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        menu.append((item.label, url))
    return tuple(menu)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_links": nav_for(getattr(request, "user", None), request.path)}
