"""The dashboard table as an .xlsx workbook (the same Table the page shows).

Printed, the table keeps what belongs together on one page: its two header rows repeat on every
page (print titles) with the region column; across, the pages break between indicators (each
indicator's three columns and its merged heading on one page); down, the all-counties table
breaks before a prefecture's group (its subtotal row and its counties) that would not fit in
what is left of the page (``page_breaks``), so that a subtotal never ends a page with its
counties on the next. These are manual page breaks, which Excel and LibreOffice ignore when they
fit a sheet to the page width: the sheet prints at a fixed scale instead (``printed_scale``:
its widest run of columns between two breaks fills the page width), estimated from the page,
the column widths and the row heights on the safe side.
"""

from __future__ import annotations

from itertools import pairwise

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.pagebreak import Break
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
    subtotal row in bold, its counties indented below it), the total; printable on A4.

    Each indicator has its rate, numerator and denominator, then its extra counts as on the page
    (报告率: 按时报告, 逾期; 记录及时率: the late records of each kind; 宣传: 巡查时普法的乡镇)."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = "主要工作指标"
    spans = []  # (first column, number of columns) of each indicator
    column = 2
    for ind in table.indicators:
        spans.append((column, 3 + len(ind.extra_labels)))
        column += spans[-1][1]
    width = column - 1
    heading = xlsx.visible(f"{table.node.name} {title}（{table.period.label}）")
    ws.append([heading])
    ws["A1"].font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    ws.append([f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    header1: list[str] = ["区划"]
    header2: list[str] = [""]
    for ind, (_first, count) in zip(table.indicators, spans, strict=True):
        target = table.targets.get(ind.key)
        header1 += [f"{ind.label}（目标 {target.label}）" if target else str(ind.label)] + [""] * (count - 1)
        header2 += ["比率", str(ind.numerator_label), str(ind.denominator_label)]
        header2 += [str(label) for label in ind.extra_labels.values()]
    ws.append(header1)
    ws.append(header2)
    for first, count in spans:
        ws.merge_cells(start_row=3, start_column=first, end_row=3, end_column=first + count - 1)
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font = BOLD
            cell.alignment = CENTER
    grouped = any(row.kind == "subtotal" for row in table.rows)
    starts = []  # the sheet rows of the groups' subtotals
    for data_row in [*table.rows, table.total]:
        _append(ws, data_row, grouped, spans)
        if data_row.kind == "subtotal":
            starts.append(ws.max_row)
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
    widths = [first]
    for _first, count in spans:  # the rate, the numerator and denominator, the extra counts
        widths += [RATE_WIDTH, COUNT_WIDTH, COUNT_WIDTH] + [EXTRA_WIDTH] * (count - 3)
    for col, col_width in enumerate(widths[1:], start=2):
        ws.column_dimensions[get_column_letter(col)].width = col_width
    # the header rows as high as their wrapped text (an indicator's label over its columns)
    ws.row_dimensions[3].height = max(
        xlsx.row_height([header1[start - 1]], [sum(widths[start - 1 : start - 1 + count])])
        for start, count in spans
    )
    ws.row_dimensions[4].height = max(
        xlsx.row_height([h], [w]) for h, w in zip(header2[1:], widths[1:], strict=True)
    )
    for line in range(5, ws.max_row + 1):  # the height the page breaks count with, in every program
        ws.row_dimensions[line].height = ROW_PT
    ws.freeze_panes = "B5"
    total = sum(widths)
    wide = xlsx.pages_wide(total)
    # across: each page a whole number of indicators (a break after an indicator's last column)
    for column in column_breaks([count for _first, count in spans], wide):
        ws.col_breaks.append(Break(id=column))
    xlsx.print_a4(ws, title_rows="3:4", title_cols="A:A", landscape=width > 7, wide=wide)
    if wide > 1:
        # Printed on pages across, the title merged over every column fell on the first page
        # only and, with the region column repeated, was cut on the next ("贵州省 全部区县主要工作"):
        # on paper it is the page header, whole on every page; rows 1-2 are left off the paper, and
        # on screen the title starts in A1 (not merged, left-aligned: it runs over the empty B1…).
        ws.oddHeader.center.text = f"{heading}  {ws['A2'].value}".replace("&", "&&")
        ws.oddHeader.center.size = 11
        ws.print_area = f"A3:{get_column_letter(width)}{ws.max_row}"
    else:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    xlsx.print_at_scale(ws, printed_scale(ws))  # so that the manual breaks are kept
    # down: a group (the last with the total) kept on one page where it fits one
    ends = [start - 1 for start in starts[1:]]
    if starts:
        ends.append(ws.max_row)  # the last group with the total
    page_breaks(ws, list(zip(starts, ends, strict=True)))
    return xlsx.to_bytes(wb)


# Column widths (characters): a rate ("100.0%"), a count (5 digits) under a wrapped label, an extra
# count (逾期 …): the 34 columns print on two pages across (at 12 each, three, half empty down)
RATE_WIDTH = 10
COUNT_WIDTH = 10
EXTRA_WIDTH = 8


def column_breaks(counts: list[int], wide: int) -> list[int]:
    """The sheet columns after which the page breaks across: ``wide`` pages of whole indicators
    (``counts``: each indicator's number of columns, after the region column), each page near
    an equal share of the columns."""
    ends = []  # the last sheet column of each indicator
    column = 1
    for count in counts:
        column += count
        ends.append(column)
    share = (column - 1) / wide
    breaks: list[int] = []
    for page in range(1, wide):
        options = [end for end in ends[:-1] if not breaks or end > breaks[-1]]
        if options:
            breaks.append(min(options, key=lambda end: abs(end - 1 - page * share)))
    return breaks


# The printable area of landscape and portrait A4 in points, within ``xlsx.print_a4``'s margins
# (0.4 inch left and right, 0.6 inch top and bottom), and the part of its height counted on:
# LibreOffice gives the footer's line some of the bottom margin's room.
A4_PT = (595.3, 841.9)
PAGE_SHARE = 0.9
# ... and of its width: at a scale that filled it exactly (0.1 % to spare) LibreOffice moved the
# last column to a page of its own
WIDTH_SHARE = 0.97
ROW_PT = 15.0  # a data row (11-point Calibri, one line), set on each
TOP_PT = 40.0  # the title and the time it was made, on the first page


def _page_pt(ws: Worksheet) -> tuple[float, float]:
    """The printable width and height (points) of ``ws``'s A4 page."""
    short, long = A4_PT
    width, height = (long, short) if ws.page_setup.orientation == "landscape" else (short, long)
    margins = ws.page_margins
    return width - 72 * (margins.left + margins.right), height - 72 * (margins.top + margins.bottom)


def _column_pt(ws: Worksheet, column: int) -> float:
    """A column's width in points as Excel and LibreOffice print it (7 pixels a character of
    Calibri 11 and 5 of padding, 0.75 points a pixel; measured in LibreOffice's PDF: 66.6 points
    for 12 characters, against 66.75 here)."""
    return 0.75 * (7 * (ws.column_dimensions[get_column_letter(column)].width or 8.43) + 5)


def printed_scale(ws: Worksheet) -> int:
    """The scale (per cent, at most 100) at which ``ws``'s widest run of columns between its column
    breaks, with the repeated title columns, fills the page width."""
    repeated = 0.0
    if ws.print_title_cols:
        low, _top, high, _bottom = range_boundaries(ws.print_title_cols.replace("$", ""))
        repeated = sum(_column_pt(ws, c) for c in range(low or 1, (high or 1) + 1))
    edges = [1, *sorted(b.id for b in ws.col_breaks.brk), ws.max_column]
    widest = max(sum(_column_pt(ws, c) for c in range(a + 1, b + 1)) for a, b in pairwise(edges))
    return max(10, min(100, int(100 * WIDTH_SHARE * _page_pt(ws)[0] / (repeated + widest))))


def _header_pt(ws: Worksheet) -> float:
    return sum(ws.row_dimensions[r].height or ROW_PT for r in (3, 4))


def rows_per_page(ws: Worksheet) -> int:
    """How many data rows a page after the first holds under the repeated header (estimated,
    on the safe side: ``PAGE_SHARE`` of the page)."""
    room = PAGE_SHARE * _page_pt(ws)[1] * 100 / printed_scale(ws) - _header_pt(ws)
    return int(room // ROW_PT)


def page_breaks(ws: Worksheet, groups: list[tuple[int, int]]) -> None:
    """Break the page before each group (``(first row, last row)``) that would not fit in what is
    left of its page; a group taller than a page starts a page (the spreadsheet breaks inside it)."""
    if not groups:
        return
    header = _header_pt(ws)
    room = PAGE_SHARE * _page_pt(ws)[1] * 100 / printed_scale(ws)
    used = TOP_PT + header
    placed = False  # rows of a group on the page already
    for first, last in groups:
        need = (last - first + 1) * ROW_PT
        if placed and used + need > room:
            ws.row_breaks.append(Break(id=first - 1))
            used = header
        used += need
        placed = True
        while used > room:  # a group taller than a page: its rest on the next page
            used = header + used - room


def _append(ws: Worksheet, row: Row, grouped: bool, spans: list[tuple[int, int]]) -> None:
    name = {"total": "合计", "subtotal": f"{row.name} 小计"}.get(row.kind, row.name)
    values: list[object] = [xlsx.visible(name)]  # a region's name as typed in the admin
    for cell in row.cells:
        rate = cell.counts.rate
        values += [
            float(rate) / 100 if rate is not None else "—",
            cell.counts.numerator,
            cell.counts.denominator,
        ]
        values += [cell.counts.extras.get(name, 0) for name in cell.indicator.extra_labels]
    ws.append(values)
    line = ws.max_row
    for cell, (first, _count) in zip(row.cells, spans, strict=True):
        target = ws.cell(row=line, column=first)
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
