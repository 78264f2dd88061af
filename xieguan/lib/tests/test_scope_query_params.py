"""Out-of-scope ids in GET parameters (issue 14, the scope matrix's second half).

The scope matrix fills *path* parameters. Lists, filters, reports and exports also take ids and
region codes in the query string (``?employer=``, ``?assistant=``, ``?township=``, ``?region=``,
``?parent=`` …). Here every GET route of the app and the API is requested by users of county A
with each such parameter set to a record or region of county B, and the answer must not leak:
a 404 or 400 (the parameter refused), a redirect, or a page that shows nothing of county B that
the same page without the parameter did not show already (the parameter ignored). Never a 5xx.

The parameter names come from the code, like the GET fuzz (test_fuzz.get_parameter_names, plus
the API's query parameters from its OpenAPI document); a name that looks like an id or a region
code and is not mapped below fails the test, so a new filter cannot go unchecked.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xieguan.lib.access import access_of
from xieguan.lib.tests import scope_dataset
from xieguan.lib.tests.scope_dataset import COMPLAINANT_B, COUNTY_B, SIDE_MARK, TOWNSHIP_B, Dataset
from xieguan.lib.tests.test_fuzz import get_parameter_names
from xieguan.lib.tests.test_scope_matrix import Route, fillings, routes, text_of, url_for

# GET parameter -> the dataset kind of the record it names (county B's is sent)
ID_PARAMETERS: dict[str, str] = {
    "employer": "employer",
    "employer_id": "employer",
    "assistant": "assistant",
    "assistant_id": "assistant",
    "user": "user",
    "lead": "lead",
    "task": "task",
    "agency": "agency",
}
# GET parameters that take a region code (county B's and a township of county B are sent)
REGION_PARAMETERS = {"region", "township", "parent", "county", "village", "region_code"}
# GET parameters naming records that belong to the whole province (no county to be out of)
PROVINCE_WIDE_PARAMETERS = {"template"}  # a checklist template (巡查表), the province's
LOOKS_LIKE_AN_ID = re.compile(
    r"(?:^|_)(?:id|pk|uuid|region|township|county|village|parent|prefecture|employer|assistant|user"
    r"|lead|task|agency|inspection|officer|event|template|assist|complaint|training)(?:$|_)"
)
# county A's users, narrowest scope last: each route is asked by the first its view admits and,
# when it admits assistants, by the assistant too; and by the prefecture viewer of another
# prefecture (贵阳市) wherever viewers are admitted (the 全部区县 and indicator pages take
# ?region= from users above a county, who are not county A's)
PERSONAS = ["panzhou", "jiandu", "xieguan"]
VIEWER = "gylook"


def api_query_parameters() -> dict[str, list[str]]:
    """Django route of each API GET operation -> its query parameters (OpenAPI document)."""
    from xieguan.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    out: dict[str, list[str]] = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        key = re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", path.lstrip("/"))
        out[key] = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
    return out


def other_county_values(name: str, data: Dataset) -> list[str]:
    if name in REGION_PARAMETERS:
        return [COUNTY_B, TOWNSHIP_B]
    return [str(data.objects[ID_PARAMETERS[name]]["B"].pk)]


def leak_markers(data: Dataset) -> list[str]:
    """Text that only someone who sees county B may read."""
    assistant_b = data.objects["assistant"]["B"]
    return [
        SIDE_MARK["B"],
        COMPLAINANT_B,
        assistant_b.name,
        assistant_b.id_number,
        data.objects["employer"]["B"].name,
        data.objects["user"]["B"].full_name,
    ]


def personas_for(route: Route) -> list[str]:
    if route.is_api:
        return ["panzhou", "xieguan", VIEWER]
    access = access_of(route.callback)
    if access is None or access.kind == "public":
        return []
    roles = access.roles
    role_of = {"panzhou": "county_admin", "jiandu": "officer", "xieguan": "assistant"}
    admitted = [p for p in PERSONAS if not roles or role_of[p] in roles]
    viewer = [VIEWER] if not roles or "prefecture_viewer" in roles else []
    return list(dict.fromkeys(admitted[:1] + (["xieguan"] if "xieguan" in admitted else []) + viewer))


@pytest.mark.django_db
def test_out_of_scope_ids_in_get_parameters_leak_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    data = scope_dataset.build()
    page_names = get_parameter_names()
    api_names = api_query_parameters()
    all_names = set(page_names) | {n for names in api_names.values() for n in names}
    unmapped = sorted(
        n
        for n in all_names
        if LOOKS_LIKE_AN_ID.search(n)
        and n not in ID_PARAMETERS
        and n not in REGION_PARAMETERS
        and n not in PROVINCE_WIDE_PARAMETERS
    )
    assert not unmapped, (
        f"GET parameters that look like ids or region codes but are not checked: {unmapped}; "
        "add each to ID_PARAMETERS (with the dataset kind it names), REGION_PARAMETERS or, for a "
        "record of the whole province, PROVINCE_WIDE_PARAMETERS"
    )
    id_page_names = [n for n in page_names if n in ID_PARAMETERS or n in REGION_PARAMETERS]
    markers = [m for m in leak_markers(data) if m]
    clients: dict[str, Client] = {}
    for name in [*PERSONAS, VIEWER]:
        clients[name] = Client()
        clients[name].force_login(data.users[name])

    failures: list[str] = []
    requests = 0
    refused = ignored = 0
    routes_checked = 0
    api_checked: set[str] = set()
    for route in routes():
        if route.is_admin or "GET" not in route.methods:
            continue
        names = list(id_page_names)
        if route.is_api:  # its own query parameters, and the pages' (some read request.GET directly)
            key = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", route.pattern)
            own = [n for n in api_names.get(key, []) if n in ID_PARAMETERS or n in REGION_PARAMETERS]
            names = list(dict.fromkeys(own + names))
            api_checked.update(own)
        if not names:
            continue
        filling = next(((s, k) for s, k, _r in fillings(route, data) if s in (None, "A")), None)
        if filling is None:
            continue
        url = url_for(route, filling[1])
        checked = False
        for persona in personas_for(route):
            client = clients[persona]
            baseline = client.get(url)
            requests += 1
            if baseline.status_code != 200:
                continue  # the page itself is not this user's (a role refused, a redirect)
            checked = True
            seen_before = text_of(baseline)
            for name in names:
                for value in other_county_values(name, data):
                    requests += 1
                    where = f"GET {url}?{name}={value} as {persona}"
                    try:
                        response = client.get(url, {name: value})
                    except Exception as exc:  # the test client re-raises the view's exception
                        failures.append(f"{where}: {type(exc).__name__}: {exc}")
                        continue
                    status = response.status_code
                    if status >= 500:
                        failures.append(f"{where}: {status}")
                    elif 200 <= status < 300:
                        text = text_of(response)
                        leaked = [m for m in markers if m in text and m not in seen_before]
                        if leaked:
                            failures.append(f"{where}: shows {leaked} of county B")
                        else:
                            ignored += 1
                    else:
                        refused += 1
        routes_checked += checked

    with capsys.disabled():
        print(
            f"\nGET parameters out of scope: {routes_checked} routes × {len(id_page_names)} page "
            f"parameters ({', '.join(id_page_names)}) and the API's own ({', '.join(sorted(api_checked))}), "
            f"{requests} requests: "
            f"{refused} refused (4xx/redirect), {ignored} answered without county B's data, "
            f"{len(failures)} leaks or errors"
        )
    assert api_checked, "no API query parameter was checked: is the OpenAPI document read?"
    assert not failures, "\n".join(failures)
