"""Region codes no user may reach on the indicator pages (helper atk16): the requested region and
its ancestors are read in one statement through ``visible_to`` (views._region_path), so another
province, a sibling county, an ancestor of the user's region, a code that is a pattern
(``52%``, ``52_``), quotes, spaces or 300 characters all answer 404 (a NUL in
the query string: 400, before any view), and the
pages of indicators compiled once (lib.prepared) list only the requested region's rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xieguan.employers.models import Employer
from xieguan.lib.testing import COUNTY, OTHER_COUNTY, OTHER_TOWNSHIP, PROVINCE, TOWNSHIP, EmployerFactory
from xieguan.regions.models import Level, Region

pytestmark = pytest.mark.django_db

MALFORMED = [
    "52%",
    "52_",
    "5202%",
    "5202__",
    "%",
    "_",
    "5202\x00",
    "\x00",
    "5202'",
    '5202"',
    "5202\\",
    " 5202",
    "5202 ",
    "5202\n",
    "5" * 300,
    "５２",
    "Q1X",
    "Q1Z",
]
PAGES = [
    ("indicators:dashboard", ()),
    ("indicators:dashboard_xlsx", ()),
    ("indicators:series", ()),
    ("indicators:counties", ()),
    ("indicators:counties_xlsx", ()),
    # the indicators compiled once (Indicator.compile_once) and one that is not
    ("indicators:drill", ("key_coverage",)),
    ("indicators:drill", ("assistant_patrol",)),
    ("indicators:drill", ("publicity",)),
    ("indicators:drill", ("registration",)),
]


@pytest.fixture
def yunnan(regions: Any) -> None:
    province = Region.objects.create(code="53", name="云南省", level=Level.PROVINCE)
    city = Region.objects.create(code="5301", name="昆明市", level=Level.PREFECTURE, parent=province)
    Region.objects.create(code="530102", name="五华区", level=Level.COUNTY, parent=city)


def _get(client: Any, name: str, args: tuple[str, ...], code: str) -> int:
    return client.get(reverse(name, args=args), {"region": code}).status_code


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_codes_out_of_scope_are_404(client_for, yunnan, name, args):
    sheng, lps, panzhou = client_for("sheng"), client_for("lps"), client_for("panzhou")
    counties = name.startswith("indicators:counties")
    cases = [
        (sheng, "53"),
        (sheng, "5301"),
        (sheng, "530102"),
        (lps, PROVINCE),  # the prefecture's own ancestor
        (lps, "5301"),
        (panzhou, OTHER_COUNTY),
        (panzhou, OTHER_TOWNSHIP),
        (panzhou, PROVINCE),
        (panzhou, "5202"),
        *((client, code) for client in (sheng, lps) for code in MALFORMED),
    ]
    for client, code in cases:
        status = _get(client, name, args, code)
        # the all-counties pages are for the province and prefecture roles only (403 otherwise)
        expected = {403, 404} if counties and client is panzhou else {404}
        if "\x00" in code:
            expected = {400}  # a NUL in a query string is refused before any view
        assert status in expected, (name, args, code, status)


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_codes_in_scope_answer(client_for, name, args):
    sheng = client_for("sheng")
    code = "5202" if name.startswith("indicators:counties") else COUNTY
    assert _get(sheng, name, args, code) == 200, (name, args)


def test_drill_rows_of_an_indicator_compiled_once_stay_in_the_region(client_for, regions):
    """The same statement (compiled once) bound to two counties' codes, then to a township's (a
    code of another length), lists each region's own employers only."""
    here = EmployerFactory.create(name="盘州重点煤矿", is_key=True, region_id=TOWNSHIP)
    there = EmployerFactory.create(name="六枝重点煤矿", is_key=True, region_id=OTHER_TOWNSHIP)
    assert Employer.objects.filter(is_key=True).count() == 2
    sheng = client_for("sheng")
    url = reverse("indicators:drill", args=["key_coverage"])
    for code, shown, hidden in [
        (COUNTY, here, there),
        (OTHER_COUNTY, there, here),
        (TOWNSHIP, here, there),
        (OTHER_TOWNSHIP, there, here),
        (COUNTY, here, there),
    ]:
        html = sheng.get(url, {"region": code, "show": "all"}).content.decode()
        assert shown.name in html and hidden.name not in html, code
