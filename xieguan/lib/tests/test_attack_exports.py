"""Hostile text in every .xlsx export (helper atkb): a formula-like or control-character name of an
employer or a region — the ledger (data file and 打印版), the counties table, the indicator table
and the lead register answer 200, keep the text as text (no formula) and lose no character."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.lib import xlsx
from xieguan.lib.testing import COUNTY, EmployerFactory
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"
HOSTILE = FORMULA + "\x07贵州\u202e测试\x1b" + "）" * 30 + "😀𠀀"


def _cells(response: Any) -> list[Any]:
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(data))
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _check(cells: list[Any], text: str) -> None:
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == text for c in cells) or any(text in str(c.value) for c in cells), text
    for c in cells:
        if isinstance(c.value, str) and xlsx.is_risky(c.value):
            assert c.quotePrefix, c.value  # kept text when edited too


def test_ledger_footer_prints_an_ampersand_in_a_region_name(client_for: Any) -> None:
    Region.objects.filter(code=COUNTY).update(name="盘州&B市")  # "&B" would switch to bold
    response = client_for("panzhou").get(reverse("employers:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    footer = book.worksheets[0].oddFooter.center.text
    assert footer.startswith("盘州&&B市 ") and "&P" in footer


@pytest.mark.parametrize("printable", [False, True])
def test_ledger_exports_keep_hostile_names(client_for: Any, printable: bool) -> None:
    EmployerFactory(name=HOSTILE)
    Region.objects.filter(code=COUNTY).update(name=HOSTILE)  # in the title too
    url = reverse("employers:export") + ("?print=1" if printable else "")
    _check(_cells(client_for("panzhou").get(url)), xlsx.visible(HOSTILE))


def test_roster_keeps_hostile_region_names(client_for: Any) -> None:
    Region.objects.filter(code=COUNTY).update(name=HOSTILE)
    response = client_for("panzhou").get(reverse("personnel:export"))
    assert response.status_code == 200
    _cells(response)


def test_counties_and_indicator_tables_keep_hostile_region_names(client_for: Any) -> None:
    Region.objects.filter(code=COUNTY).update(name=HOSTILE)
    sheng = client_for("sheng")
    _check(_cells(sheng.get(reverse("indicators:counties_xlsx"))), xlsx.visible(HOSTILE))
    _check(_cells(client_for("panzhou").get(reverse("indicators:dashboard_xlsx"))), xlsx.visible(HOSTILE))
    _check(_cells(client_for("lps").get(reverse("funding:export"))), xlsx.visible(HOSTILE))


def test_lead_register_keeps_hostile_text(client_for: Any, personas: Any) -> None:
    from xieguan.leads.tests.factories import make_lead

    make_lead(personas, employer=EmployerFactory(name=HOSTILE), description=HOSTILE)
    Region.objects.filter(code=COUNTY).update(name=HOSTILE)  # in the title too
    _check(_cells(client_for("panzhou").get(reverse("leads:export"))), xlsx.visible(HOSTILE))
