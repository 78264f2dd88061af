"""The county-by-county funding table as an .xlsx workbook (openpyxl).

Money cells hold the exact Decimal values with a yuan number format; per-unit columns are
rounded to the fen. The workbook is built in memory (the table has at most 88 rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xieguan.funding.summary import CountyFunding
from xieguan.lib import xlsx

MONEY = "#,##0.00"
COUNT = "#,##0"
PERCENT = '0.0"%"'

COLUMNS: Sequence[tuple[str, Callable[[CountyFunding], Any], str, int]] = [
    ("县(区)", lambda r: r.name, "@", 22),  # 道真仡佬族苗族自治县 whole
    ("区划代码", lambda r: r.code, "@", 10),
    ("下达经费合计(元)", lambda r: r.allocated, MONEY, 16),
    ("其中：基本公共卫生服务监督协管项目(元)", lambda r: r.allocated_public, MONEY, 20),
    ("其中：地方财政(元)", lambda r: r.allocated_local, MONEY, 16),
    ("已支出合计(元)", lambda r: r.spent, MONEY, 16),
    ("其中：协管员补助(元)", lambda r: r.subsidies, MONEY, 16),
    ("执行率", lambda r: r.execution_rate, PERCENT, 9),
    ("在聘协管员(人)", lambda r: r.assistants, COUNT, 12),
    ("人均经费(元)", lambda r: r.per_assistant, MONEY, 14),
    ("台账用人单位(家)", lambda r: r.employers, COUNT, 10),
    ("每家单位经费(元)", lambda r: r.per_employer, MONEY, 14),
    ("已提交巡查(次)", lambda r: r.inspections, COUNT, 11),
    ("每次巡查支出(元)", lambda r: r.per_inspection, MONEY, 14),
]


def header_text(title: str) -> str:
    """A header's trailing unit on a line of its own: "下达经费合计(元)" → "下达经费合计\n(元)".

    Wrapped by the column width alone, the unit's ")" could start a line (LibreOffice printed
    "下达经费合计(元" and ")" below it); a short header ("县(区)") stays on one line."""
    head, bracket, unit = title.rpartition("(")
    if not bracket or not title.endswith(")") or len(head) < 3:
        return title
    return f"{head}\n({unit}"


def funding_workbook(area_name: str, year: int, rows: list[CountyFunding], total: CountyFunding) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{year}年度工作经费"
    width = len(COLUMNS)
    ws.cell(row=1, column=1, value=xlsx.visible(f"{area_name} {year} 年度职业健康监督协管工作经费与工作量"))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for col, (title, _get, _fmt, col_width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=2, column=col, value=header_text(title))
        cell.font = Font(name=xlsx.FONT_NAME, bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = col_width
    ws.row_dimensions[2].height = 45
    for offset, row in enumerate([*rows, total]):
        r = 3 + offset
        for col, (_title, get, fmt, _w) in enumerate(COLUMNS, start=1):
            value = get(row)
            if isinstance(value, Decimal) and fmt == PERCENT:
                value = float(value)  # a display ratio, not money
            cell = ws.cell(row=r, column=col, value=xlsx.visible(value))  # region names as typed
            cell.number_format = fmt
            cell.border = border
            if row is total:
                cell.font = Font(name=xlsx.FONT_NAME, bold=True)
    ws.freeze_panes = "C3"
    xlsx.print_a4(ws, title_rows="2:2", title_cols="A:B")
    ws.cell(
        row=4 + len(rows),
        column=1,
        value="注：人均经费、每家单位经费按下达经费计；每次巡查支出按已支出（含补助）计；巡查为该年度已提交的巡查个案。",
    )
    return xlsx.to_bytes(wb)
