"""Hostile region names in the grouped pickers (helper atkb): a township, county or prefecture
named with markup is shown as text in every picker (option labels, optgroup labels, group heads,
the select-all button), never as HTML. picker.js reads and writes text only (textContent, label)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from xieguan.lib.testing import COUNTY, PREFECTURE, TOWNSHIP
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db

XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def hostile_names() -> None:
    for code, prefix in ((TOWNSHIP, "乡"), (COUNTY, "县"), (PREFECTURE, "市")):
        Region.objects.filter(code=code).update(name=prefix + XSS)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("panzhou", ("indicators:register", {})),
        ("panzhou", ("outreach:list", {})),
        ("lps", ("tasks:create", {})),
        ("panzhou", ("tasks:create", {})),
    ],
)
def test_pickers_show_hostile_region_names_as_text(
    client_for: Any, hostile_names: None, persona: str, url: tuple[str, dict[str, str]]
) -> None:
    name, query = url
    response = client_for(persona).get(reverse(name), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-picker" in html
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the name is there, as text


def test_picker_js_never_writes_markup() -> None:
    source = (Path(__file__).parents[2] / "static" / "xieguan" / "picker.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
