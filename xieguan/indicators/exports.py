"""The dashboard table as an .xlsx workbook (the same Table the page shows)."""

from __future__ import annotations

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xieguan.indicators.dashboard import Row, Table
from xieguan.lib import xlsx

MET_FILL = PatternFill("solid", fgColor="D1E7DD")
UNMET_FILL = PatternFill("solid", fgColor="F8D7DA")
BOLD = Font(name=xlsx.FONT_NAME, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
INDENT = Alignment(indent=1)
# "—" (nothing to count) on the right like the rates: left-aligned it printed against the previous
# column's number ("0—"), read as one value
NO_RATE = Alignment(horizontal="right")


def table_workbook(table: Table, title: str = "主要工作指标") -> bytes:
    """The table as a workbook: title, two header rows, a row per region (a prefecture's
    subtotal row in bold, its counties indented below it), the total; printable on A4."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = "主要工作指标"
    width = 1 + 3 * len(table.indicators)
    ws.append([xlsx.visible(f"{table.node.name} {title}（{table.period.label}）")])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    ws.append([f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    header1: list[str] = ["区划"]
    header2: list[str] = [""]
    for ind in table.indicators:
        target = table.targets.get(ind.key)
        header1 += [f"{ind.label}（目标 {target.label}）" if target else str(ind.label), "", ""]
        header2 += ["比率", str(ind.numerator_label), str(ind.denominator_label)]
    ws.append(header1)
    ws.append(header2)
    for i in range(len(table.indicators)):
        col = 2 + 3 * i
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 2)
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font = BOLD
            cell.alignment = CENTER
    grouped = any(row.kind == "subtotal" for row in table.rows)
    for data_row in [*table.rows, table.total]:
        _append(ws, data_row, grouped)
    # the region column as wide as its longest name (an indent level takes about three characters):
    # at a fixed 22 the 88 counties' "黔东南苗族侗族自治州 小计" and "威宁彝族回族苗族自治县" were cut
    first = max(
        [22]
        + [
            xlsx.display_width(c.value) + (3 if c.alignment.indent else 1)
            for c in ws["A"][4:]
            if isinstance(c.value, str)
        ]
    )
    ws.column_dimensions["A"].width = first
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    # the header rows as high as their wrapped text (an indicator's label over its three columns)
    ws.row_dimensions[3].height = max(xlsx.row_height([h], [36]) for h in header1)
    ws.row_dimensions[4].height = max(xlsx.row_height([h], [12]) for h in header2)
    ws.freeze_panes = "B5"
    total = first + 12 * (width - 1)
    xlsx.print_a4(ws, title_rows="3:4", title_cols="A:A", landscape=width > 7, wide=xlsx.pages_wide(total))
    return xlsx.to_bytes(wb)


def _append(ws: Worksheet, row: Row, grouped: bool) -> None:
    name = {"total": "合计", "subtotal": f"{row.name} 小计"}.get(row.kind, row.name)
    values: list[object] = [xlsx.visible(name)]  # a region's name as typed in the admin
    for cell in row.cells:
        rate = cell.counts.rate
        values += [
            float(rate) / 100 if rate is not None else "—",
            cell.counts.numerator,
            cell.counts.denominator,
        ]
    ws.append(values)
    line = ws.max_row
    for i, cell in enumerate(row.cells):
        target = ws.cell(row=line, column=2 + 3 * i)
        target.number_format = "0.0%"
        if cell.counts.rate is None:
            target.alignment = NO_RATE
        if cell.met is not None:
            target.fill = MET_FILL if cell.met else UNMET_FILL
    if row.kind in ("total", "subtotal"):
        for c in ws[line]:
            c.font = BOLD
    elif grouped:
        ws.cell(row=line, column=1).alignment = INDENT
