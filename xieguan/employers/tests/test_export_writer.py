"""The ledger export's rows written by ``xlsx.RowWriter`` (one ``str.format`` per row where that
gives the same XML) against the same export written cell by cell (``xlsx._row_xml``, the writer
``lib/tests/test_xlsx.py`` compares with openpyxl): the same file, part by part and cell by cell,
for the data file and the 打印版, of one county and of several, with text to escape and to
guard, empty fields, early and ordinary dates and every kind of 缺少的登记项.
Run on SQLite and PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.employers.actions import missing_labels
from xieguan.employers.models import Employer
from xieguan.employers.tests.factories import make_employer, valid_credit_code
from xieguan.lib import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(personas: Any) -> list[Employer]:
    made = []
    for n in range(12):
        made.append(
            make_employer(
                personas.xieguan if n % 4 else personas.xieguan2,
                name=f"导出{n}号厂",
                region_code=("520281117001" if n % 3 else "520281117") if n % 4 else "520203102001",
                credit_code=valid_credit_code(n) if n % 2 else None,
                workers=None if n % 5 == 0 else 100 + n,
                exposed_workers=None if n % 5 == 0 else 10,
                declaration_date=None if n % 3 == 0 else dt.date(2024, 1 + n, 1 + n),
                industry="coal" if n % 3 else "building_materials",
                serious_hazard=n % 4 == 1,
            )
        )
    # Text written as a user may have typed it, which the plain row form cannot hold as it is.
    Employer.objects.filter(pk=made[1].pk).update(address=" 前后有空格 ", legal_representative="甲&乙<丙>")
    Employer.objects.filter(pk=made[2].pk).update(address="=HYPERLINK(1)", closed_reason="响\x07铃")
    Employer.objects.filter(pk=made[3].pk).update(declaration_date=dt.date(1899, 12, 31), phone="")
    Employer.objects.filter(pk=made[5].pk).update(missing_fields=["phone", "address"])
    Employer.objects.filter(pk=made[6].pk).update(missing_fields=["credit_code"], address="{0}")
    moment = dt.datetime(2025, 6, 1, 3, 4, 5, 6, tzinfo=dt.UTC)
    Employer.objects.filter(pk=made[7].pk).update(updated_at=moment)
    return made


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}  # its time


def _cells(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [
        (c.coordinate, c.value, c.number_format, c.quotePrefix, c.alignment.horizontal, c.border.left.style)
        for row in sheet.iter_rows()
        for c in row
    ]


@pytest.mark.parametrize("persona", ["panzhou", "sheng"])
@pytest.mark.parametrize("params", [{}, {"print": "1"}])
def test_the_export_is_the_file_written_cell_by_cell(client_for, ledger, monkeypatch, persona, params):
    client = client_for(persona)

    def export() -> bytes:
        return b"".join(client.get(reverse("employers:export"), params).streaming_content)

    by_cells_rows = []
    reference = xlsx._row_xml

    def counted(*args: Any) -> str:
        by_cells_rows.append(args[0])
        return reference(*args)

    monkeypatch.setattr(xlsx, "_row_xml", counted)
    written = export()
    monkeypatch.setattr(xlsx.RowWriter, "__call__", xlsx.RowWriter._slow)  # every row cell by cell
    by_cells = export()
    assert _parts(written) == _parts(by_cells)
    assert _cells(written) == _cells(by_cells)
    sheet = load_workbook(io.BytesIO(written)).worksheets[0]
    header = [c.value for c in sheet[2]]
    rows = sheet.max_row - 2
    assert rows == (12 if persona == "sheng" else 9)
    # the first export: the rows with text to escape or guard and the early date cell by cell,
    # the others by their form; the second: every row cell by cell
    assert 0 < len(by_cells_rows) - rows < rows
    if params:
        return
    shown = {r[header.index("用人单位名称")]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    missing = header.index("缺少的登记项")
    assert shown["导出5号厂"][missing] == "、".join(missing_labels(["phone", "address"]))
    assert shown["导出6号厂"][missing] == "、".join(missing_labels(["credit_code"]))
    assert shown["导出6号厂"][header.index("地址")] == "{0}"
    assert shown["导出3号厂"][header.index("最近申报日期")] == "1899-12-31"  # as text: no spreadsheet date
    # in Shanghai's time, to the minute
    assert shown["导出7号厂"][header.index("最近修改")] == dt.datetime(2025, 6, 1, 11, 4)
