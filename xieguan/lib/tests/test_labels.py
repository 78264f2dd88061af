"""Every label in Chinese: walk each role's pages on the demo data and look for raw identifiers.

For each demo account the walk opens the home page, the menu, every indicator's drill-down
(each tab) and then follows the links it finds (one page of each kind: paths with numbers or
UUIDs count as one kind), and reads the visible text (text nodes and the title, placeholder,
aria-label and alt attributes; not scripts, styles or option values). It fails on:

- a model field's name (``address``, ``legal_representative`` …) or a choice's stored value
  (``submitted``, ``health_check`` …) of any model of the project;
- an identifier with an underscore (``missing_fields``, ``late_inspection``);
- a Python value printed as such (``None``, ``True``, ``False``).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from xieguan.accounts.demo import DEMO_USERS
from xieguan.accounts.models import User
from xieguan.indicators.registry import Show, all_indicators
from xieguan.lib.nav import nav_for

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 90
SKIP = re.compile(
    r"^/(admin|api|static|media|accounts/logout|i18n|sw\.js|manifest)"
    r"|\.(pdf|xlsx|docx|json|csv|zip|png|jpe?g|js|css)$"
    r"|/(photos?|signatures?|files?|attachments?|download|print|export)[/.]"
)
VISIBLE_ATTRS = {"title", "placeholder", "aria-label", "alt"}
# Latin words a Chinese page may rightly show (file formats, standards, units, the product's ids).
ALLOWED = {"pdf", "docx", "xlsx", "excel", "word", "api", "uuid", "gps", "gb", "id", "ok"}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template", "noscript"}:
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template", "noscript"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.hrefs.append(href)


def raw_names() -> set[str]:
    """Field names and stored choice values of the project's models (lowercase identifiers)."""
    names: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("xieguan."):
            continue
        for f in model._meta.get_fields():
            names.add(f.name)
            for value, _label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str):
                    names.add(value)
    return {n for n in names if re.fullmatch(r"[a-z][a-z0-9_]{2,}", n) and n not in ALLOWED}


def problems_in(text: str, names: set[str]) -> set[str]:
    found = set(re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text))
    found |= set(re.findall(r"\b(?:None|True|False)\b", text))
    found |= {
        word
        for word in re.findall(r"(?<![A-Za-z0-9_@.\-/])[a-z][a-z0-9_]+(?![A-Za-z0-9_@\-/])", text)
        if word in names
    }
    return found


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", parts.path)
    show = parse_qs(parts.query).get("show", [""])[0]
    return f"{path}?{show}"


def start_pages(user: User) -> list[str]:
    pages = ["/"]
    pages += [link.url for link in nav_for(user)]
    for ind in all_indicators():
        for show in (Show.MISSING, Show.OK, Show.ALL, *ind.extra_labels):
            pages.append(f"/indicators/{ind.key}/?show={show}")
    return pages


def walk(client: Client, user: User, names: set[str]) -> tuple[dict[str, set[str]], int]:
    queue = deque(start_pages(user))
    seen: set[str] = set()
    found: dict[str, set[str]] = {}
    opened = 0
    while queue and opened < PAGES_PER_ROLE:
        url = queue.popleft()
        kind = kind_of(url)
        if kind in seen or SKIP.search(urlsplit(url).path):
            continue
        seen.add(kind)
        response = client.get(url)
        opened += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        text = VisibleText()
        text.feed(html)
        bad = problems_in("\n".join(text.parts), names)
        if bad:
            found[url] = bad
        links = Links()
        links.feed(html)
        queue.extend(links.hrefs)
    return found, opened


@pytest.fixture
def demo(regions: Any) -> None:
    call_command("seeddemo", "--force", "--without-year", stdout=StringIO())


def test_the_checker_catches_raw_names():
    names = raw_names()
    assert {"address", "legal_representative", "submitted", "health_check"} <= names
    assert problems_in("缺：address、phone", names) == {"address", "phone"}
    assert problems_in("记录：None；状态 late_inspection", names) == {"None", "late_inspection"}
    assert problems_in("缺：地址、联系电话 · 导出 .xlsx · 13800000000", names) == set()


@pytest.mark.parametrize("username", [row[0] for row in DEMO_USERS])
def test_every_page_speaks_chinese(demo: None, username: str) -> None:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    found, opened = walk(client, user, raw_names())
    assert opened >= 20, opened  # the walk reached the role's pages, not just the home page
    assert not found, "raw identifiers on pages:\n" + "\n".join(f"{u}: {sorted(b)}" for u, b in found.items())
