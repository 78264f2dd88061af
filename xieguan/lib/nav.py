"""Role navigation, assembled from the apps.

Each app's AppConfig lists its menu entries in ``nav_items``; the context processor keeps
those the user's role may open, in INSTALLED_APPS order. An app adds a page to the menu in
its own apps.py, and nothing else needs to change.

The menu's HTML (``_nav_menu.html``) depends only on the role, the language, the URL
configuration and which links are active, so it is rendered once per process for each of
those and reused (``nav_html``): rendering it per page was a third of an almost empty page's
template time (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Menu groups (dropdowns), so that a manager's menu fits one row at 1280 px. A group that
# keeps a single link for a role is shown as that plain link. The administration pages share
# 更多 with 辖区 and 空白表格 (a separate 管理 menu made a county admin's menu wrap at 1280 px).
OUTREACH = _("宣传")
PEOPLE = _("协管员")
MORE = _("更多")
ADMIN = MORE


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation string
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every role
    order: int = 50
    group: Any = None  # one of the groups above, or None for a top-level link


@dataclass(frozen=True)
class NavLink:
    label: Any
    url: str
    active: bool
    group: Any = None


@dataclass(frozen=True)
class NavGroup:
    label: Any
    links: list[NavLink]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


def menu_of(links: list[NavLink]) -> list[NavLink | NavGroup]:
    """The links as the navbar shows them: grouped links in a dropdown at their first member's
    place; a group with one link for this role is that link."""
    groups: dict[str, list[NavLink]] = {}
    for link in links:
        if link.group is not None:
            groups.setdefault(str(link.group), []).append(link)
    menu: list[NavLink | NavGroup] = []
    placed: set[str] = set()
    for link in links:
        if link.group is None:
            menu.append(link)
            continue
        key = str(link.group)
        if key in placed:
            continue
        placed.add(key)
        members = groups[key]
        menu.append(members[0] if len(members) == 1 else NavGroup(link.group, members))
    return menu


def nav_for(user: Any, path: str = "") -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    menu = _menu(getattr(user, "role", None), get_urlconf(), get_script_prefix())
    current = _current([url for _, url, _ in menu], path)
    return [NavLink(label, url, url == current, group) for label, url, group in menu]


def _current(urls: list[str], path: str) -> str | None:
    """The one menu link marked active on the page at ``path``: the most specific link whose URL
    begins the path ("/" only on "/" itself). On 培训 (/personnel/training/) that is 培训, not
    also 协管员 (/personnel/); on 开始巡查 not also 巡查记录."""
    matches = [url for url in urls if url == path or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


@lru_cache(maxsize=64)
def _menu(role: str | None, urlconf: str | None, prefix: str) -> tuple[tuple[Any, str, Any], ...]:
    """A role's menu entries (label, URL, group), in order: the same on every request of that
    role, so reversed once per process (per URL configuration and script prefix), not per page."""
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
        menu.append((item.label, url, item.group))
    return tuple(menu)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_html``, the menu as the navbar shows it; ``nav_links`` and ``nav_menu`` (made when
    read) for pages and tests that look at the links themselves."""
    user = getattr(request, "user", None)
    links = nav_for(user, request.path)
    if not links:
        return {"nav_links": links, "nav_menu": [], "nav_html": ""}
    key = (getattr(user, "role", None), get_urlconf(), get_script_prefix(), get_language())
    active = tuple(link.url for link in links if link.active)
    return {
        "nav_links": links,
        "nav_menu": SimpleLazyObject(lambda: menu_of(links)),
        "nav_html": _menu_html(key, active, tuple(links)),
    }


_MENU_HTML: dict[tuple[Any, ...], SafeString] = {}


def _menu_html(key: tuple[Any, ...], active: tuple[str, ...], links: tuple[NavLink, ...]) -> SafeString:
    """The menu's HTML for a role, language, URL configuration and script prefix (``key``) with
    these links active, kept per process on ``key`` and ``active`` alone: the links follow from
    them (and their labels, lazy translations, would be translated to be hashed)."""
    html = _MENU_HTML.get((key, active))
    if html is None:
        if len(_MENU_HTML) >= 512:  # roles × languages × active links: a few dozen in practice
            _MENU_HTML.clear()
        html = _MENU_HTML[key, active] = render_to_string(
            "_nav_menu.html", {"nav_menu": menu_of(list(links))}
        )
    return html
