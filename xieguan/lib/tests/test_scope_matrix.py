"""The scope matrix (issue 14 item 1): every route × every role × in and out of scope, requested.

Objects of every kind in two counties (scope_dataset.py); every URL pattern of the app, the API
and the admin (a resolver walk; the API's methods from its OpenAPI document); every path
parameter filled with county A's and county B's ids (scope_matrix.py says how); each request made
as the five roles in each county (the prefecture viewer of another prefecture for "out of scope"
of the prefecture role) and anonymously, with GET and the route's other methods (POST for pages
that are not file downloads;
the API's own methods), with a valid CSRF token, each inside a rolled-back savepoint.

It asserts, for every response:
- never a 5xx (nor an exception);
- anonymous: sent to the login page (pages) or refused (401/403 for the API), unless the view is public;
- a role the view does not admit: 403 (or 404);
- a record outside the user's region: 404, or the very answer a nonexistent id gets;
- no complainant's name in any body (HTML, JSON, .xlsx/.docx unzipped, PDF text) except on the
  lead's own page for whom leads/confidentiality.py allows; no unmasked ID number except for the
  managing county admin; no text of a county the user does not see; no spreadsheet formula made
  from user text in an export.

Known failures owned by other work are listed in KNOWN_FAILURES with the issue item; when the fix
lands the matrix says "now passes: remove it from KNOWN_FAILURES".
"""

from __future__ import annotations

import copy
import html
import io
import json
import re
import shutil
import subprocess
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from xieguan.leads.confidentiality import can_see_complainant
from xieguan.lib.access import access_of
from xieguan.lib.tests import scope_dataset
from xieguan.lib.tests.scope_dataset import COMPLAINANT_A, COMPLAINANT_B, FORMULA_MARK, SIDE_MARK, Dataset
from xieguan.lib.tests.scope_matrix import (
    ADMIN_CONSTANTS,
    CONSTANTS,
    GLOBAL_KINDS,
    HOW_TO_COVER,
    KWARG_KINDS,
    MISSING,
    MISSING_BY_KIND,
    PREFIX_KINDS,
    ROUTE_KINDS,
)
from xieguan.personnel.privacy import manages

# persona -> the counties (dataset sides) whose records it may see
PERSONAS: dict[str, set[str]] = {
    "sheng": {"A", "B"},
    "lps": {"A", "B"},
    "gylook": set(),  # prefecture viewer of 贵阳市: out of scope for both
    "panzhou": {"A"},
    "liuzhi": {"B"},
    "jiandu": {"A"},
    "jiandu2": {"B"},
    "xieguan": {"A"},
    "xieguan2": {"B"},
    "anonymous": set(),
}

# (check, route) -> why it fails today. Checks: 5xx, anonymous, role, scope, complainant,
# id_number, other_county, formula, assigned_officer. Each entry must still fail: the matrix
# says when it stops.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"  # poppler-utils
ZIP_MAGIC = b"PK\x03\x04"
ADMIN_PUBLIC = {"admin:login", "admin:logout"}  # the admin's own login page, open by nature


@dataclass
class Route:
    pattern: str  # the full Django route, e.g. "leads/<int:pk>/"
    name: str  # namespace:name
    namespaces: tuple[str, ...]
    callback: Any
    kwargs: list[str]
    converters: dict[str, Any]
    methods: list[str]

    @property
    def is_api(self) -> bool:
        return "api-1" in self.namespaces

    @property
    def is_admin(self) -> bool:
        return "admin" in self.namespaces


@dataclass
class Outcome:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)  # per route, to see where the time goes
    failures: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def fail(self, check: str, route: Route, detail: str) -> None:
        self.failures.setdefault((check, route.pattern), []).append(detail)


def walk(patterns: list[Any], namespaces: tuple[str, ...] = (), prefix: str = "") -> Iterator[tuple]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespaces, prefix + str(entry.pattern), entry


def api_methods() -> dict[str, list[str]]:
    """The API's operations, from its OpenAPI document: Django route -> methods."""
    from xieguan.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    out: dict[str, list[str]] = {}
    for path, operations in schema["paths"].items():
        key = re.sub(r"\{(?:\w+:)?(\w+)\}", r"\1", path.lstrip("/"))
        out[key] = sorted(m.upper() for m in operations)
    return out


def routes() -> list[Route]:
    api = api_methods()
    found = []
    for namespaces, pattern, entry in walk(get_resolver().url_patterns):
        converters = dict(entry.pattern.converters)
        kwargs = list(converters)
        if "api-1" in namespaces:
            key = re.sub(r"<(?:\w+:)?(\w+)>", r"\1", pattern)
            methods = api.get(key) or (
                ["GET"] if entry.name in ("openapi-json", "openapi-view", "api-root") else []
            )
            assert methods, f"API route {pattern} ({entry.name}) is not in the OpenAPI document"
        elif re.search(r"\.(?:xlsx|pdf|docx|png|json|<str:fmt>)$", pattern):
            methods = ["GET"]  # a file: downloaded, never posted to
        else:
            methods = ["GET", "POST"]
        found.append(
            Route(
                pattern,
                f"{':'.join(namespaces)}:{entry.name}",
                namespaces,
                entry.callback,
                kwargs,
                converters,
                methods,
            )
        )
    # Two API operations on one path (GET and PUT) are two patterns: request each method once.
    seen: set[str] = set()
    unique = []
    for route in found:
        if route.pattern in seen:
            continue
        seen.add(route.pattern)
        unique.append(route)
    return unique


def kind_of(route: Route, kwarg: str) -> str | None:
    if (route.pattern, kwarg) in ROUTE_KINDS:
        return ROUTE_KINDS[(route.pattern, kwarg)]
    prefixes = [
        p
        for p in PREFIX_KINDS
        if route.pattern.startswith(p) and re.search(rf"<(?:\w+:)?{kwarg}>$", p.rstrip("/"))
    ]
    if prefixes:
        return PREFIX_KINDS[max(prefixes, key=len)]
    return KWARG_KINDS.get(kwarg)


def value_of(obj: Any) -> str:
    return str(obj.pk) if hasattr(obj, "pk") else str(obj)


def fillings(route: Route, data: Dataset) -> Iterator[tuple[str | None, dict[str, str], set[str]]]:
    """(side or None, kwargs, regional kinds) for each way to fill the route's parameters."""
    if route.is_admin:
        yield None, {k: ADMIN_CONSTANTS[k] for k in route.kwargs}, set()
        return
    constant_values: list[dict[str, str]] = [{}]
    kinds: dict[str, str] = {}
    for kwarg in route.kwargs:
        kind = kind_of(route, kwarg)
        if kind is not None:
            kinds[kwarg] = kind
        elif kwarg in CONSTANTS:
            constant_values = [{**c, kwarg: v} for c in constant_values for v in CONSTANTS[kwarg]()]
    regional = {k for k in kinds.values() if k not in GLOBAL_KINDS}
    sides: list[str | None] = ["A", "B"] if regional else [None]
    for side in sides:
        for constants in constant_values:
            kwargs = dict(constants)
            for kwarg, kind in kinds.items():
                kwargs[kwarg] = value_of(data.objects[kind][side or "A"])
            yield side, kwargs, regional


def missing_kwargs(route: Route, kwargs: dict[str, str]) -> dict[str, str]:
    out = dict(kwargs)
    for kwarg in route.kwargs:
        kind = kind_of(route, kwarg)
        if kind is None or kind in GLOBAL_KINDS:
            continue
        if kind in MISSING_BY_KIND:
            out[kwarg] = MISSING_BY_KIND[kind]
        elif "uuid" in type(route.converters[kwarg]).__name__.lower():
            out[kwarg] = MISSING["uuid"]
        else:
            out[kwarg] = str(MISSING["int"])
    return out


def url_for(route: Route, kwargs: dict[str, str]) -> str:
    path = route.pattern
    for kwarg, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{kwarg}>|\(\?P<{kwarg}>[^)]*\)", value, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def text_of(response: Any) -> str:
    """Everything a person could read in the body: HTML/JSON text, zipped XML, PDF text."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(ZIP_MAGIC):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                html.unescape(archive.read(name).decode("utf-8", "replace"))
                for name in archive.namelist()
                if name.endswith((".xml", ".rels"))
            )
    if body.startswith(b"%PDF"):
        result = subprocess.run(
            [PDFTOTEXT, "-q", "-", "-"], input=body, capture_output=True, check=False, timeout=60
        )
        return result.stdout.decode("utf-8", "replace")
    if body[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xdb"):
        return ""
    text = body.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


class Matrix:
    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.outcome = Outcome()
        self.clients: dict[str, Client] = {}
        self.jars: dict[str, Any] = {}  # each client's cookies, restored after every request (logout)
        self.token = _get_new_csrf_string()
        for name in PERSONAS:
            client = Client(enforce_csrf_checks=True)
            if name != "anonymous":
                client.force_login(data.users[name])
            client.cookies["csrftoken"] = self.token
            self.clients[name] = client
            self.jars[name] = copy.deepcopy(client.cookies)

    def request(self, persona: str, method: str, url: str, route: Route) -> tuple[int, str, str]:
        client = self.clients[persona]
        headers = {"X-CSRFToken": self.token}
        self.outcome.requests += 1
        began = time.monotonic()
        with transaction.atomic():
            try:
                if method == "GET":
                    response = client.get(url, headers=headers)
                elif route.is_api:
                    response = client.generic(
                        method, url, "{}", content_type="application/json", headers=headers
                    )
                else:
                    response = client.post(url, {"csrfmiddlewaretoken": self.token}, headers=headers)
                status = response.status_code
                text = text_of(response) if status < 300 else ""
                location = response.get("Location", "")
            except Exception as exc:  # the test client re-raises the view's exception
                status, text, location = 500, f"{type(exc).__name__}: {exc}", ""
            transaction.set_rollback(True)
        client.cookies = copy.deepcopy(self.jars[persona])
        seconds = self.outcome.seconds
        seconds[route.pattern] = seconds.get(route.pattern, 0.0) + time.monotonic() - began
        self.outcome.statuses[status] += 1
        return status, text, location

    def check(
        self,
        route: Route,
        persona: str,
        method: str,
        side: str | None,
        kwargs: dict[str, str],
        regional: set[str],
    ) -> None:
        url = url_for(route, kwargs)
        status, text, location = self.request(persona, method, url, route)
        where = f"{method} {url} as {persona}"
        if status >= 500:
            self.outcome.fail("5xx", route, f"{where}: {status} {text[:300]}")
            return
        access = None if route.is_api or route.is_admin else access_of(route.callback)
        user = self.data.users.get(persona)
        role = getattr(user, "role", None)
        if persona == "anonymous":
            if (access is not None and access.kind == "public") or route.name in ADMIN_PUBLIC:
                pass
            elif route.is_api:
                if not (status in (401, 403, 404, 405) or (status == 302 and "login" in location)):
                    self.outcome.fail("anonymous", route, f"{where}: {status}")
            elif not (status in (403, 404, 405) or (status == 302 and "login" in location)):
                self.outcome.fail("anonymous", route, f"{where}: {status}")
        elif route.is_admin:
            if persona != "sheng" and status != 404:
                self.outcome.fail("role", route, f"{where}: {status}, the admin is for province admins only")
        elif access is not None and access.kind == "scoped" and access.roles and role not in access.roles:
            if status not in (403, 404):
                self.outcome.fail(
                    "role", route, f"{where}: {status} for role {role}, not in the view's roles"
                )
        elif side is not None and regional and side not in PERSONAS[persona] and status != 404:
            baseline, _, _ = self.request(
                persona, method, url_for(route, missing_kwargs(route, kwargs)), route
            )
            if status != baseline or 200 <= status < 300:
                self.outcome.fail(
                    "scope",
                    route,
                    f"{where}: {status} for a record of county {side}; a missing id gets {baseline}",
                )
        if text:
            self.scan(route, persona, where, side, kwargs, text)

    def scan(
        self, route: Route, persona: str, where: str, side: str | None, kwargs: dict[str, str], text: str
    ) -> None:
        user = self.data.users.get(persona)
        sees = PERSONAS[persona]
        for complaint, name in zip(self.data.complaints, (COMPLAINANT_A, COMPLAINANT_B), strict=True):
            if name not in text:
                continue
            own_page = (
                not route.is_api
                and route.pattern.startswith("leads/<int:pk>/")
                and kwargs.get("pk") == str(complaint.lead_id)
            )
            if not (own_page and user is not None and can_see_complainant(user, complaint)):
                self.outcome.fail("complainant", route, f"{where}: shows the complainant {name}")
        for assistant in self.data.assistants:
            if assistant.id_number in text and not (user is not None and manages(user, assistant)):
                self.outcome.fail(
                    "id_number", route, f"{where}: shows the ID number of {assistant.name} unmasked"
                )
        for other, mark in SIDE_MARK.items():
            if other not in sees and mark in text:
                self.outcome.fail(
                    "other_county", route, f"{where}: shows a record of county {other} ({mark})"
                )
        for formula in re.findall(r"<f>([^<]*)</f>", text):
            if FORMULA_MARK in formula:
                self.outcome.fail("formula", route, f"{where}: user text became the formula ={formula}")
                break


def check_assigned_officer(data: Dataset, matrix: Matrix) -> None:
    """Issue 14 item 2: only the officer (or agency) a lead was reported to signs for, handles and
    closes it. ``jiandu3`` is an officer of county A in another agency than the one county A's
    lead was reported to; each of their steps must change nothing."""
    from xieguan.leads import actions
    from xieguan.leads.models import Handling, Lead

    lead = data.objects["lead"]["A"]
    officer, other = data.users["jiandu"], data.users["jiandu3"]
    client = Client()
    client.force_login(other)
    by_route = {route.pattern: route for route in routes()}

    def attempt(pattern: str, post: dict[str, str], changed: Any) -> None:
        response = client.post(f"/leads/{lead.pk}/{pattern.split('/')[2]}/", post)
        matrix.outcome.requests += 1
        fresh = Lead.objects.get(pk=lead.pk)
        if changed(fresh):
            matrix.outcome.fail(
                "assigned_officer",
                by_route[pattern],
                f"POST as jiandu3 (not the assigned officer) answered {response.status_code} and did it",
            )

    def attempt_alone(*args: Any) -> None:
        with transaction.atomic():
            attempt(*args)
            transaction.set_rollback(True)

    with transaction.atomic():
        attempt_alone("leads/<int:pk>/acknowledge/", {}, lambda f: f.acknowledged_at is not None)
        actions.acknowledge_lead(lead, by=officer)
        attempt_alone(
            "leads/<int:pk>/handling/",
            {"handling": Handling.ENFORCEMENT, "reason": "查处"},
            lambda f: bool(f.handling),
        )
        actions.set_handling(
            Lead.objects.get(pk=lead.pk), by=officer, handling=Handling.ENFORCEMENT, reason="查处"
        )
        actions.record_officer_action(
            Lead.objects.get(pk=lead.pk), by=officer, action="rectify", reason="整改"
        )
        attempt_alone("leads/<int:pk>/close/", {"outcome": "已整改"}, lambda f: f.status == "closed")
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=False)
def test_scope_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    data = scope_dataset.build()
    all_routes = routes()
    uncovered = [
        f"  {r.pattern!r} ({r.name}): parameter {k!r}"
        for r in all_routes
        if not r.is_admin
        for k in r.kwargs
        if kind_of(r, k) is None and k not in CONSTANTS
    ]
    uncovered += [
        f"  {r.pattern!r} ({r.name}): admin parameter {k!r}: add it to ADMIN_CONSTANTS"
        for r in all_routes
        if r.is_admin
        for k in r.kwargs
        if k not in ADMIN_CONSTANTS
    ]
    assert not uncovered, "\n".join(["Routes the scope matrix cannot fill:", *uncovered, HOW_TO_COVER])
    needed = {kind_of(r, k) for r in all_routes if not r.is_admin for k in r.kwargs}
    missing_kinds = {k for k in needed if k is not None} - set(data.objects)
    assert not missing_kinds, f"kinds with no record in scope_dataset.build(): {sorted(missing_kinds)}"

    matrix = Matrix(data)
    cells: Counter[str] = Counter()
    for route in all_routes:
        for side, kwargs, regional in fillings(route, data):
            for persona in PERSONAS:
                for method in route.methods:
                    if route.is_admin and method != "GET" and persona not in ("sheng", "anonymous"):
                        continue  # the admin's guard is the same for every method: GET proves it
                    in_scope = "n/a" if side is None else ("in" if side in PERSONAS[persona] else "out")
                    cells[in_scope] += 1
                    matrix.check(route, persona, method, side, kwargs, regional)

    check_assigned_officer(data, matrix)

    failures = matrix.outcome.failures
    unexpected = {key: details for key, details in failures.items() if key not in KNOWN_FAILURES}
    fixed = [key for key in KNOWN_FAILURES if key not in failures]
    with capsys.disabled():
        print(
            f"\nscope matrix: {len(all_routes)} routes "
            f"({sum(r.is_api for r in all_routes)} API, {sum(r.is_admin for r in all_routes)} admin) × "
            f"{len(PERSONAS) - 1} personas + anonymous, {matrix.outcome.requests} requests "
            f"(in scope {cells['in']}, out of scope {cells['out']}, no record {cells['n/a']}); "
            f"statuses {dict(sorted(matrix.outcome.statuses.items()))}; "
            f"{len(KNOWN_FAILURES)} known failures; {time.monotonic() - started:.0f} s"
        )
        slowest = ", ".join(
            f"{p} {s:.1f} s" for p, s in sorted(matrix.outcome.seconds.items(), key=lambda i: -i[1])[:8]
        )
        print(f"slowest routes: {slowest}")
    report = [
        f"[{check}] {pattern}: {len(details)}×, e.g. {details[0]}"
        for (check, pattern), details in unexpected.items()
    ]
    report += [
        f"now passes: remove ({check!r}, {pattern!r}) from KNOWN_FAILURES "
        f"({KNOWN_FAILURES[(check, pattern)]})"
        for check, pattern in fixed
    ]
    assert not report, "scope matrix:\n" + "\n".join(report)
