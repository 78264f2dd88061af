"""Issue 14 item 6: no 500 from any input, found by fuzzing.

- Every page (every URL pattern outside the API and the admin, path parameters filled as in the
  scope matrix) is requested by a user its view admits, with GET parameters that hypothesis draws
  from every name the code reads (``request.GET.get("…")`` and the fields of forms bound to
  ``request.GET``) and from nasty values: huge and negative integers, year 0, unknown region
  codes, dates that do not exist, NUL bytes, markup, other sites in ``next``.
- The whole API, from its OpenAPI document, by schemathesis: every operation with generated path,
  query and body, sent with a device token of a county admin and of an assistant.

Both assert that no answer is a server error. The budget is small in the suite (CI can afford
it); ``make fuzz`` (XIEGUAN_FUZZ_EXAMPLES=50) runs the larger one.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from xieguan.lib.access import access_of
from xieguan.lib.tests import scope_dataset
from xieguan.lib.tests.test_scope_matrix import fillings, routes, url_for

EXAMPLES = int(os.environ.get("XIEGUAN_FUZZ_EXAMPLES", "3"))
SOURCE = Path(settings.BASE_DIR) / "xieguan"
PERSONA_ORDER = ["panzhou", "jiandu", "xieguan", "sheng", "lps"]

NASTY = [
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 30,
    "-" + "9" * 30,
    "2026",
    "0000",
    "2026-13-45",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "52",
    "5202",
    "520281",
    "520203",
    "99",
    "999999999999",
    "520281117001",
    "abc",
    "",
    " ",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "%",
    "'; DROP TABLE x; --",
    "https://evil.example/",
    "//evil.example",
    "javascript:alert(1)",
    "\x00",
    "a\x00b",
    "全角１２３",
    "²",  # str.isdigit() says yes, int() refuses
    "2026①",
    "true",
    "H1",
    "2026H1",
    "y2026",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text(max_size=20),
)


def get_parameter_names() -> list[str]:
    """Every GET parameter the code reads: literal names and fields of forms bound to request.GET."""
    names: set[str] = {"next", "page"}
    form_classes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"GET(?:\.get|\.getlist)?[(\[]\s*[\"'](\w+)[\"']", text))
        form_classes.update(re.findall(r"(\w+)\(\s*(?:request\.GET|self\.request\.GET)", text))
    from django import forms

    def subclasses(cls: type) -> list[type]:
        found: list[type] = []
        sub: type
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    for cls in subclasses(forms.Form):
        if cls.__name__ in form_classes:
            names.update(cls.base_fields)  # type: ignore[attr-defined]
    return sorted(names)


def persona_for(route: Any) -> str:
    access = access_of(route.callback)
    roles = access.roles if access is not None else frozenset()
    from xieguan.accounts.models import Role

    role_of = {
        "panzhou": Role.COUNTY_ADMIN,
        "jiandu": Role.OFFICER,
        "xieguan": Role.ASSISTANT,
        "sheng": Role.PROVINCE_ADMIN,
        "lps": Role.PREFECTURE_VIEWER,
    }
    for name in PERSONA_ORDER:
        if not roles or role_of[name] in roles:
            return name
    return "panzhou"


@pytest.mark.django_db
def test_no_page_answers_a_server_error_to_any_get_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    data = scope_dataset.build()
    names = get_parameter_names()
    clients: dict[str, Client] = {}
    for name in PERSONA_ORDER:
        clients[name] = Client(raise_request_exception=True)
        clients[name].force_login(data.users[name])
    pages = [r for r in routes() if not r.is_api and not r.is_admin and "GET" in r.methods]
    targets = []
    for route in pages:
        for side, kwargs, _ in fillings(route, data):
            if side in (None, "A"):
                targets.append((route, url_for(route, kwargs)))
                break
    errors: list[str] = []
    requests = 0

    def make_probe(client: Client, url: str) -> Any:
        @hsettings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(params=st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=4))
        def probe(params: dict[str, str]) -> None:
            nonlocal requests
            requests += 1
            try:
                status = client.get(url, params).status_code
            except Exception as exc:  # the test client re-raises what the view raised
                raise AssertionError(f"GET {url} {params!r}: {type(exc).__name__}: {exc}") from exc
            assert status < 500, f"GET {url} {params!r}: {status}"

        return probe

    for route, url in targets:
        try:
            make_probe(clients[persona_for(route)], url)()
        except AssertionError as exc:
            errors.append(str(exc).splitlines()[0])

    with capsys.disabled():
        print(
            f"\nGET fuzz: {len(targets)} pages × {EXAMPLES} examples over {len(names)} parameter names, "
            f"{requests} requests, {len(errors)} server errors"
        )
    assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.mark.django_db
def test_no_api_operation_answers_a_server_error(capsys: pytest.CaptureFixture[str]) -> None:
    import schemathesis

    from xieguan.accounts.actions import create_token
    from xieguan.api.api import api

    data = scope_dataset.build()
    keys = {name: create_token(data.users[name], name="fuzz")[1] for name in ("panzhou", "xieguan")}
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    client = Client(raise_request_exception=True)
    errors: list[str] = []
    operations = 0
    requests = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @hsettings(
            max_examples=EXAMPLES * 3,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), who=st.sampled_from(sorted(keys)))
        def probe(case: Any, who: str) -> None:
            nonlocal requests
            requests += 1
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            url = kwargs["url"].removeprefix("http://testserver")
            body = kwargs.get("json")
            request = f"{kwargs['method']} {url} {kwargs.get('params')!r} {body!r}"
            try:
                response = client.generic(
                    kwargs["method"],
                    url,
                    data=b"" if body is None else json.dumps(body),
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {keys[who]}"},
                    QUERY_STRING=urlencode(kwargs.get("params") or {}, doseq=True),
                )
            except Exception as exc:
                raise AssertionError(f"{request} as {who}: {type(exc).__name__}: {exc}") from exc
            assert response.status_code < 500, f"{request} as {who}: {response.status_code}"

        try:
            probe()
        except AssertionError as exc:
            errors.append(str(exc).splitlines()[0])

    with capsys.disabled():
        print(
            f"\nAPI fuzz: {operations} operations × {EXAMPLES * 3} examples, {requests} requests, "
            f"{len(errors)} server errors"
        )
    assert not errors, "server errors:\n" + "\n".join(errors)
