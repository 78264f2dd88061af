"""The menu: links grouped into dropdowns so that a manager's menu fits one row at 1280 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xieguan.lib.nav import ADMIN, NavGroup, NavLink, menu_of

pytestmark = pytest.mark.django_db


def test_a_group_sits_at_its_first_member_and_a_lone_member_is_a_plain_link() -> None:
    links = [
        NavLink("a", "/a/", False),
        NavLink("x", "/x/", False, ADMIN),
        NavLink("b", "/b/", True),
        NavLink("y", "/y/", True, ADMIN),
        NavLink("m", "/m/", False, "more"),
    ]
    menu = menu_of(links)
    assert [getattr(m, "url", None) for m in menu] == ["/a/", None, "/b/", "/m/"]
    group = menu[1]
    assert isinstance(group, NavGroup) and [link.url for link in group.links] == ["/x/", "/y/"]
    assert group.active


def test_the_province_admins_menu_is_grouped(client_for: Any) -> None:
    response = client_for("sheng").get(reverse("accounts:home"))
    menu = response.context["nav_menu"]
    groups = {str(m.label): [link.url for link in m.links] for m in menu if isinstance(m, NavGroup)}
    assert reverse("inspections:templates") in groups[str(ADMIN)]
    assert reverse("accounts:users") in groups[str(ADMIN)]
    # the Django admin, where the province's policies and targets are set, is reachable from the menu
    assert reverse("admin:index") in groups[str(ADMIN)]
    assert response.wsgi_request.user.is_staff
    assert reverse("admin:index") not in client_for("panzhou").get(reverse("accounts:home")).content.decode()
    assert len(menu) <= 12  # one row at 1280 px (screenshot in the commit that grouped it)
    body = response.content.decode()
    assert 'class="nav-link dropdown-toggle' in body and reverse("inspections:templates") in body
    # every link the role may open is still in the menu, grouped or not
    flat = [link.url for link in response.context["nav_links"]]
    in_menu = [
        u for m in menu for u in ([link.url for link in m.links] if isinstance(m, NavGroup) else [m.url])
    ]
    assert sorted(flat) == sorted(in_menu)


@pytest.mark.parametrize("persona", ["sheng", "panzhou", "jiandu", "xieguan"])
def test_the_menu_kept_per_process_is_the_menu_of_each_page(client_for: Any, persona: str) -> None:
    """``nav_html`` is rendered once per role, language and active link: on every page it is
    what rendering that page's menu afresh gives, with that page's link marked active."""
    from django.template.loader import render_to_string

    client = client_for(persona)
    home = client.get(reverse("accounts:home"))
    pages = [
        reverse("accounts:home"),
        *[link.url for link in home.context["nav_links"]],
        reverse("accounts:me"),
    ]
    seen = set()
    for url in pages:
        for _ in range(2):  # the second request takes the kept HTML
            response = client.get(url)
            if response.status_code != 200:
                break
            fresh = render_to_string(
                "_nav_menu.html", {"nav_menu": menu_of(list(response.context["nav_links"]))}
            )
            assert response.context["nav_html"] == fresh
            if 'id="mainnav"' in response.content.decode():  # the Django admin has its own layout
                assert fresh in response.content.decode()
                seen.add(fresh)
    assert len(seen) > 1  # the active link differs from page to page


@pytest.mark.parametrize(
    ("persona", "url", "active"),
    [
        ("panzhou", "personnel:training", "personnel:training"),
        ("panzhou", "leads:assists", "leads:assists"),
        ("xieguan", "inspections:start", "inspections:start"),
        ("sheng", "inspections:templates", "inspections:templates"),
        ("panzhou", "personnel:list", "personnel:list"),
    ],
)
def test_one_link_is_active_the_most_specific(client_for: Any, persona: str, url: str, active: str) -> None:
    """A page under another menu link's address (培训 under 协管员, 开始巡查 under 巡查记录) marks
    only its own link active, once (aria-current="page")."""
    response = client_for(persona).get(reverse(url))
    assert response.status_code == 200
    assert [link.url for link in response.context["nav_links"] if link.active] == [reverse(active)]
    assert response.content.decode().count('aria-current="page"') == 1
