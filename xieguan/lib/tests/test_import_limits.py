"""Imports that cannot stop the server: row cap, zip-bomb refusal, linear report, bounded queries."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.excel import read_ledger_file
from xieguan.employers.tests import xlsx as ledger_xlsx
from xieguan.lib import tabular
from xieguan.lib.tabular import Column, TableError, TableSpec, read_table, report_workbook

SPEC = TableSpec(
    title="测试", columns=(Column("name", "姓名", required=True), Column("n", "人数", kind="integer"))
)


def book(rows: int, faulty: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "人数"])
    for n in range(rows):
        ws.append([f"人员{n}", "很多" if faulty else n])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_member(content: bytes, name: str, data: bytes, level: int = 9) -> bytes:
    """The workbook with one more part added (as a crafted file would carry)."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


# --- row cap -------------------------------------------------------------------------------


def test_rows_up_to_the_cap_are_read_and_one_more_is_refused_in_chinese(settings):
    settings.XIEGUAN_IMPORT_MAX_ROWS = 10
    assert len(read_table(book(10), SPEC).rows) == 10
    with pytest.raises(TableError) as refused:
        read_table(book(11), SPEC)
    assert "超过 10 行" in refused.value.message and "分成几个文件" in refused.value.message


def test_a_sheet_of_blank_rows_is_bounded_too(settings):
    settings.XIEGUAN_IMPORT_MAX_ROWS = 10
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "人数"])
    ws.append(["张三", 1])
    ws.cell(row=500, column=1, value=" ")  # read-only mode yields every row up to it
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(TableError) as refused:
        read_table(buffer.getvalue(), SPEC)
    assert "空行" in refused.value.message


@pytest.mark.django_db
def test_the_pages_refuse_an_oversized_file_and_say_the_limit(settings, client_for):
    settings.XIEGUAN_IMPORT_MAX_ROWS = 3
    ensure_code_lists()
    client = client_for("xieguan")
    page = client.get(reverse("employers:import")).content.decode()
    assert "每个文件最多 3 行数据" in page
    rows = [ledger_xlsx.row(**{"用人单位名称": f"超限煤矿{n}"}) for n in range(4)]
    upload = SimpleUploadedFile("台账.xlsx", ledger_xlsx.workbook(rows))
    response = client.post(reverse("employers:import"), {"file": upload})
    assert response.status_code == 200 and "超过 3 行" in response.content.decode()

    county = client_for("panzhou")
    assert "每个文件最多 3 行数据" in county.get(reverse("personnel:roster_import")).content.decode()
    header = ["姓名", "性别", "身份证号", "联系电话", "文化程度", "专业", "人员来源", "所在乡(镇、街道)"]
    roster = Workbook()
    ws = roster.active
    assert ws is not None
    ws.append(header)
    for n in range(4):
        ws.append([f"人员{n}", "女", "", "13908582222", "大专", "", "村医", "柏果镇"])
    buffer = io.BytesIO()
    roster.save(buffer)
    upload = SimpleUploadedFile("花名册.xlsx", buffer.getvalue())
    response = county.post(reverse("personnel:roster_import"), {"file": upload})
    assert response.status_code == 200 and "超过 3 行" in response.content.decode()


# --- zip bombs ------------------------------------------------------------------------------


def test_declared_size_over_the_limit_is_refused_before_reading(settings):
    settings.XIEGUAN_IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    padding = os.urandom(700 * 1024)  # does not compress: the ratio is fine, the size is not
    content = with_member(with_member(book(2), "xl/media/a.bin", padding), "xl/media/b.bin", padding)
    with pytest.raises(TableError) as refused:
        read_table(content, SPEC)
    assert "解压后太大" in refused.value.message and "1 MB" in refused.value.message


def test_a_compression_ratio_of_a_zip_bomb_is_refused():
    bomb = with_member(book(2), "xl/worksheets/sheet2.xml", b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 200 * 1024  # 20 MiB in a few KiB: what a bomb looks like
    with pytest.raises(TableError) as refused:
        read_table(bomb, SPEC)
    assert "压缩比异常" in refused.value.message


def test_sizes_that_lie_are_caught_by_counting_what_unzips(settings):
    """A part whose header declares less than it holds is never unzipped past the declared size."""
    settings.XIEGUAN_IMPORT_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024
    content = with_member(book(2), "xl/media/c.bin", os.urandom(3 * 1024 * 1024), level=1)
    # Rewrite the declared uncompressed size of the last part to 1 KiB, in both headers.
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("xl/media/c.bin")
    struct.pack_into("<I", data, info.header_offset + 22, 1024)
    central = data.rfind(b"PK\x01\x02")  # the last part's central directory entry
    struct.pack_into("<I", data, central + 24, 1024)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("xl/media/c.bin").file_size == 1024  # the lie is what a reader sees
    with pytest.raises(TableError) as refused:
        read_table(bytes(data), SPEC)
    assert "损坏" in refused.value.message  # zipfile stops at the declared size and fails its CRC


def test_a_normal_workbook_passes_the_zip_check():
    tabular.check_zip(book(200))


# --- linear, bounded -----------------------------------------------------------------------


def calls(function, *args) -> int:
    profiler = cProfile.Profile()
    profiler.runcall(function, *args)
    return pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]


def test_the_report_grows_linearly_with_the_rows(monkeypatch):
    """Python calls grow with the rows (4x rows: about 4x calls), and nothing rescans the sheet.

    The quadratic part was ``Worksheet.max_row`` asked after each row: a scan of every cell
    written so far, inside C (``max`` over the cell dict), which no call count sees; so the
    test also counts the calls of the worksheet properties that scan all cells."""
    scans = {"n": 0}
    for name in ("max_row", "max_column", "min_row", "min_column"):
        original = getattr(Worksheet, name)

        def counted(ws, _original=original):
            scans["n"] += 1
            return _original.fget(ws)

        monkeypatch.setattr(Worksheet, name, property(counted))
    small = read_table(book(200, faulty=True), SPEC)
    large = read_table(book(800, faulty=True), SPEC)
    assert len(large.issues) == 4 * len(small.issues) == 800
    ratio = calls(report_workbook, large) / calls(report_workbook, small)
    assert ratio < 4.4, f"4x the rows cost {ratio:.1f}x the function calls"
    scans["n"] = 0
    report_workbook(small)
    at_200 = scans["n"]
    scans["n"] = 0
    report_workbook(large)
    assert scans["n"] == at_200 <= 4, "the report rescans the sheet per row"


@pytest.mark.django_db
def test_the_ledger_check_does_a_fixed_number_of_queries(personas):
    ensure_code_lists()

    def queries(rows: int) -> int:
        content = ledger_xlsx.workbook(
            [ledger_xlsx.row(**{"用人单位名称": f"查询计数煤矿{n}"}) for n in range(rows)]
        )
        with CaptureQueriesContext(connection) as captured:
            check = read_ledger_file(content, personas.xieguan)
        assert check.read == rows
        return len(captured)

    queries(1)  # the first call loads what every later one reuses
    assert queries(5) == queries(60)
