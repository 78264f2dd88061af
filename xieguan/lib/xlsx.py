"""Writing .xlsx so that what users typed stays text: the one writer helper of every export.

openpyxl stores any string that starts with ``=`` as a formula, and Excel or WPS evaluates it
when the file is opened (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``, DDE). A string starting with
``+``, ``-`` or ``@`` (or a tab or carriage return before one of them) is stored as text, but
becomes a formula as soon as someone edits the cell. Every workbook the app writes therefore
goes through this module:

- ``guard(cell)``: a string cell whose text starts with one of ``FORMULA_TRIGGERS`` is stored
  as a string (never ``<f>``) and marked "quote-prefixed" (the ``'`` Excel shows in the
  formula bar), so editing it keeps it text. The text itself is unchanged.
- ``save(book, target)`` / ``to_bytes(book)``: guard every cell of a workbook, then save it.
  The app writes no formulas of its own; a workbook saved here has none.
- ``cells(ws, values)``: the guarded cells of one row for ``ws.append`` in openpyxl's write-only
  mode (streamed exports), where cells cannot be visited before saving.
- ``row(ws, values)``: the same for a row of plain values, cheaper: only a risky string becomes a
  guarded cell, every other value is appended as it is (openpyxl writes it as a value, never a
  formula: it makes a formula only of a string starting with ``=``, which is risky).
- Dates: a ``date`` is written as a spreadsheet date shown ``yyyy-mm-dd`` (``DATE_FORMAT``), a
  ``datetime`` as one shown ``yyyy-mm-dd hh:mm`` (``DATETIME_FORMAT``), an aware one first put in
  the current time zone (Asia/Shanghai) and made naive (``local``): a spreadsheet has no time
  zones, and the file shows the time a Chinese user reads on the pages. A date-time is written to
  the minute it shows (seconds dropped: a filter on the shown minute finds it). So Excel and WPS
  sort and filter them as dates (never text). Every date and date-time cell is centred
  (``DATE_ALIGN``, ``centred``): right-aligned, it printed against the next column's text.
  ``cells``, ``row``, ``save_rows`` and ``save`` write them so, except a day before
  ``FIRST_DATE`` (1900-03-01), which spreadsheets do not read alike: it is written as the text
  it would show (``early_text``), which ``tabular`` reads back.
- ``print_a4(ws, ...)``: the one page setup of every export a clerk sends to the printer: A4,
  landscape where wide, fitted to the page width, header rows (and the name column) repeated on
  every page, centred, narrow margins, "第 N 页，共 M 页" in the footer (with room for its line
  inside the bottom margin).
- ``visible(value)``: a character XML cannot hold (a control character typed or pasted into a
  text field) shown as a mark (U+0007 → ␇) instead of failing the whole file; ``cells``,
  ``row`` and ``printed_rows`` apply it, as ``documents.render`` does for .docx and .xlsx.
- ``row_height(values, widths)`` / ``printed_rows(values, widths)``: openpyxl does not fit a row
  to its wrapped text, and Excel and LibreOffice keep the height a file gives (a row left at the
  default height prints one line over its neighbours' text). Every printable export sets each
  row's height from its text and the column widths, and cuts a row taller than Excel's 409-point
  limit into continuation rows whose first cell says ``N（续）`` (as ``documents.render`` does for
  PDF and .docx), so no text is hidden.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import operator
import re
import unicodedata
import zipfile
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from types import NoneType
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, time_to_days, to_excel
from openpyxl.worksheet.properties import PageSetupProperties

# Characters that make a spreadsheet read the rest as a formula (OWASP "CSV injection"), plus
# the full-width forms an input method produces, which WPS also accepts.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


# The number formats of dates and date-times in every export: ISO order, as Chinese offices
# write dates (2025-03-05, 2025-03-05 14:30), and what ``tabular`` reads back.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_CHARS = len("2025-03-05")  # the width (characters) a date shown in DATE_FORMAT takes
DATETIME_CHARS = len("2025-03-05 14:30")  # … and a date-time in DATETIME_FORMAT


def local(value: Any) -> Any:
    """A ``datetime`` as the naive local time a worksheet holds (an aware one in the current time
    zone, Asia/Shanghai), to the minute ``DATETIME_FORMAT`` shows: seconds and fractions of a
    second that the cell does not show would make a filter on the shown minute miss the row.
    Any other value as it is."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.make_naive(value)
        if value.second or value.microsecond:
            value = value.replace(second=0, microsecond=0)
    return value


# Where a date or date-time sits in its cell: centred. Right-aligned (a spreadsheet's default for
# numbers, which dates are), it printed against the next column's text ("2025-05-26是"). A number
# in a printed (boxed) table is centred for the same reason ("40在产": 接触人数 against 生产状态).
DATE_ALIGN = "center"


def centred(cell: Any) -> Any:
    """``cell`` aligned ``DATE_ALIGN``, the rest of its alignment kept; returns the cell."""
    now = cell.alignment
    cell.alignment = Alignment(
        horizontal=DATE_ALIGN,
        vertical=now.vertical,
        wrap_text=now.wrap_text,
        shrink_to_fit=now.shrink_to_fit,
        indent=now.indent,
        text_rotation=now.text_rotation,
    )
    return cell


# The first day every spreadsheet reads alike. Excel has no date before 1900-01-01 and counts a
# 1900-02-29 that never was (serial 60); LibreOffice reads the serials before it a day early
# (1900-01-01 shown 1899-12-31), and 1899-12-30/31 are serial 0, which reads back as a time of
# day (refused on re-import).
FIRST_DATE = dt.date(1900, 3, 1)


def early_text(value: Any) -> Any:
    """A date or (naive) date-time before ``FIRST_DATE`` as the text it would show
    (``DATE_FORMAT``, ``DATETIME_FORMAT``), which ``tabular`` reads back; any other value as it is."""
    if not isinstance(value, dt.date):
        return value
    day = value.date() if isinstance(value, dt.datetime) else value
    if day >= FIRST_DATE:
        return value
    return f"{day.isoformat()} {value:%H:%M}" if isinstance(value, dt.datetime) else day.isoformat()


# Characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; the two
# non-characters U+FFFE, U+FFFF; lone surrogates): openpyxl and python-docx refuse a file with
# one (a 500). ``visible`` shows each as a mark instead, so that no character is lost silently:
# a control character as its Unicode control picture (U+0007 → ␇), the others as U+FFFD.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _mark(match: re.Match[str]) -> str:
    ch = match.group()
    return chr(0x2400 + ord(ch)) if ord(ch) < 0x20 else "\ufffd"


def visible(value: Any) -> Any:
    """``value`` with every character an .xlsx or .docx cannot hold shown as a mark (a string
    with none, and any other value, is returned as it is)."""
    if isinstance(value, str) and NOT_XML.search(value):
        return NOT_XML.sub(_mark, value)
    return value


def is_risky(value: Any) -> bool:
    """True for text a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def guard(cell: Any) -> Any:
    """Keep a cell's text as text (see the module's docstring); returns the cell."""
    if cell.data_type == "f" or is_risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _cell(ws: Any, value: Any) -> Any:
    """A write-only cell of ``value``: a date-time local and naive (``local``) and shown in
    ``DATETIME_FORMAT`` (its format set first: openpyxl would register its own
    ``yyyy-mm-dd h:mm:ss`` in the file's styles); a date keeps openpyxl's, ``DATE_FORMAT``."""
    value = early_text(local(value))
    if not isinstance(value, dt.date):
        return WriteOnlyCell(ws, value=value)
    cell = WriteOnlyCell(ws)
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    cell.value = value  # already local and naive
    return centred(cell)


def _dated(cell: Any) -> Any:
    """A caller's cell holding a date-time: local and naive, shown in ``DATETIME_FORMAT``."""
    if isinstance(cell.value, dt.datetime):
        cell.value = local(cell.value)
        cell.number_format = DATETIME_FORMAT
    if isinstance(cell.value, dt.date):
        cell.value = early_text(cell.value)
        if isinstance(cell.value, dt.date):  # still a date (not an early day's text)
            centred(cell)
    return cell


def cells(ws: Any, values: Iterable[Any]) -> list[Any]:
    """One row's values as guarded cells for ``ws.append`` (write-only or normal worksheet).

    A value that already is a cell (styled by the caller) is guarded as it is; a date-time is
    shown in ``DATETIME_FORMAT``."""
    row = []
    for value in values:
        cell = _dated(value) if isinstance(value, Cell) else _cell(ws, visible(value))
        row.append(guard(cell))
    return row


def row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """One row of plain values for ``ws.append``: a risky string as a guarded cell, the rest as is.

    A cell object per value costs about as much as writing it; streamed exports of tens of
    thousands of rows append plain values and pay for a cell only where the guard or a date's
    format needs one."""
    values = [visible(v) for v in values]
    return [
        guard(WriteOnlyCell(ws, value=v))
        if is_risky(v)
        else _cell(ws, v)
        if isinstance(v, dt.date)  # its format registered in the order of the row's values
        else v
        for v in values
    ]


def guard_workbook(book: Workbook) -> None:
    """Guard every stored cell of every worksheet of a normal (not write-only) workbook."""
    if getattr(book, "write_only", False):
        return  # its rows were guarded by ``cells`` as they were written
    for ws in book.worksheets:
        for cell in ws._cells.values():  # every cell that holds something, in one pass
            if cell.data_type in ("s", "f"):
                guard(cell)
            elif cell.data_type == "d" and isinstance(cell.value, dt.date):
                cell.value = early_text(cell.value)


def save(book: Workbook, target: IO[bytes]) -> None:
    """Guard, then save ``book`` into ``target`` (a file or a buffer)."""
    guard_workbook(book)
    book.save(target)


def to_bytes(book: Workbook) -> bytes:
    """Guard, then return the saved workbook's bytes."""
    buffer = io.BytesIO()
    save(book, buffer)
    return buffer.getvalue()


PAGE_CHARS = 200  # column-width units that still print readably across landscape A4 (~75 % scale)


def pages_wide(total_width: float) -> int:
    """How many landscape pages across a table of ``total_width`` units needs to stay readable:
    one up to ``PAGE_CHARS``; a wider table (the indicator table's 40 columns) prints its
    columns over several pages, the region column repeated on each, instead of at a third of
    the type size."""
    return max(1, -(-int(total_width) // PAGE_CHARS))


# The font bold cells name: a Font(bold=True) without a name left LibreOffice to pick one, and it
# printed the digits of titles, headers and totals in a serif face beside the body's Calibri.
FONT_NAME = "Calibri"
FOOTER_IN = 0.3  # header and footer distance from the paper's edge, in inches (Excel's "Normal")


def print_a4(
    ws: Any, *, title_rows: str, title_cols: str | None = None, landscape: bool = True, wide: int = 1
) -> None:
    """Page setup for printing (see the module's docstring); works on write-only sheets too.

    ``title_rows`` like ``"3:4"`` (the header rows), ``title_cols`` like ``"A:A"`` (the region or
    name column), repeated on every printed page; ``wide``: fitted to that many pages across
    (``pages_wide``)."""
    ws.page_setup.paperSize = "9"  # A4 (ECMA-376 paper size code)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = wide
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    # The footer line sits FOOTER_IN from the paper's edge, inside the bottom margin: LibreOffice
    # gives it only ``bottom - footer`` and cuts the page number in half when that is too little.
    ws.page_margins.header = ws.page_margins.footer = FOOTER_IN
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def print_at_scale(ws: Any, scale: int) -> None:
    """Print ``ws`` at ``scale`` per cent instead of fitted to the page width (``print_a4``):
    Excel and LibreOffice ignore a sheet's manual page breaks when they fit it to the page."""
    ws.page_setup.scale = scale
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = None
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)


MAX_ROW_PT = 409.0  # the tallest row Excel allows
LINE_PT = 14.5  # one line of 11-point text (宋体, 等线, Calibri) in Excel and LibreOffice
ROW_PAD_PT = 4.0


class _CharWidths(dict[str, int]):
    """Each character's width in Latin characters, looked up once per process."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def display_width(text: Any) -> int:
    """Width in Latin characters (Excel's column-width unit): CJK and full-width characters count two."""
    return sum(map(_CHAR_WIDTHS.__getitem__, str(text or "")))


def _wrapped(paragraph: str, width: float) -> list[str]:
    """``paragraph`` cut into the lines a cell ``width`` characters wide shows (estimated: a
    character short of the width, for the cell's padding): each line the longest run of
    characters that fits, at least one character (found by bisecting the running widths, not
    character by character)."""
    room = max(2.0, width - 1.5)
    if 2 * len(paragraph) <= room:  # fits whatever its characters (most cells): one line
        return [paragraph]
    ends = list(accumulate(map(_CHAR_WIDTHS.__getitem__, paragraph)))  # width up to each character
    if ends[-1] <= room:
        return [paragraph]
    lines: list[str] = []
    first, used = 0, 0
    while first < len(paragraph):
        last = max(first + 1, bisect_right(ends, used + room, first))
        lines.append(paragraph[first:last])
        first, used = last, ends[last - 1]
    return lines


def text_lines(value: Any, width: float) -> list[str]:
    """The printed lines of a cell's value in a column ``width`` characters wide; a number or a
    date is one line (a spreadsheet never wraps it: the column is made wide enough)."""
    if value is None or value == "":
        return [""]
    if not isinstance(value, str):
        return [str(value)]
    lines: list[str] = []
    for paragraph in str(value).split("\n"):
        if lines:
            lines[-1] += "\n"  # joined back, the lines give the text again
        lines.extend(_wrapped(paragraph, width))
    return lines


def row_height(values: Sequence[Any], widths: Sequence[float], line_pt: float = LINE_PT) -> float:
    """The height (points) that shows every line of a row of wrapped cells, at most ``MAX_ROW_PT``."""
    lines = max((len(text_lines(v, w)) for v, w in zip(values, widths, strict=False)), default=1)
    return min(MAX_ROW_PT, lines * line_pt + ROW_PAD_PT)


def printed_rows(
    values: Sequence[Any], widths: Sequence[float], line_pt: float = LINE_PT
) -> list[tuple[list[Any], float]]:
    """A row as printed: ``[(values, height)]``, or, when its text is taller than Excel's row
    limit, continuation rows (each cell's lines cut into parts that fit) whose first cell says
    ``N（续）``; only text cells are cut, the other values stay on the first part. Characters a
    worksheet cannot hold are shown as marks (``visible``)."""
    values = [visible(v) for v in values]
    most = int((MAX_ROW_PT - ROW_PAD_PT) // line_pt)
    split = [text_lines(v, w) if isinstance(v, str) else None for v, w in zip(values, widths, strict=False)]
    if all(lines is None or len(lines) <= most for lines in split):
        # the height ``row_height`` gives, from the lines counted above
        # (a value that is not text is one line, ``text_lines``)
        tallest = max((len(lines) for lines in split if lines is not None), default=1)
        return [(list(values), min(MAX_ROW_PT, tallest * line_pt + ROW_PAD_PT))]
    parts = max(-(-len(lines) // most) for lines in split if lines is not None)
    out: list[tuple[list[Any], float]] = []
    for index in range(parts):
        part: list[Any] = []
        for value, lines in zip(values, split, strict=False):
            if lines is None:
                part.append(value if index == 0 else None)
            else:
                part.append("".join(lines[index * most : (index + 1) * most]).strip("\n") or None)
        if index and values and values[0] not in (None, "") and len(str(values[0])) <= 8:
            part[0] = f"{values[0]}（续）"
        out.append((part, row_height(part, widths, line_pt)))
    return out


# --- data rows written directly (``save_rows``) ------------------------------------------------

MAX_TEXT = 32767  # the longest text a cell holds (openpyxl cuts longer text there too)
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # NOT_XML, escapes
_TRIGGER_FIRST = frozenset(FORMULA_TRIGGERS)  # each trigger is one character
_SPACES = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # what str.strip() strips


def _xml_text(value: str) -> str:
    """``value`` escaped for an XML text node, as lxml escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def number_xml(value: Any) -> str:
    """A number as openpyxl writes it (``safe_string``); NaN and infinity, which a spreadsheet
    has no value for, as an empty value (the cell reads back empty), not ``nan``/``inf``, which
    make the sheet's XML unreadable."""
    if value != value or value in _INFINITIES:  # NaN (float or Decimal), ±infinity
        return ""
    return "%.16g" % value  # noqa: UP031 - the format openpyxl writes a number in


_INFINITIES = (float("inf"), float("-inf"))


class _Styles:
    """The style ids (``s``) of the kinds of data cell, registered in ``book``'s style list from
    ``base`` (a ``StyleArray``, or None for unstyled cells): plain, number, date, date and time,
    and quote-prefixed (``guard``) text — the variants openpyxl derives for such values. A number
    is centred in a styled (printed) table, as dates are everywhere; unstyled it is plain."""

    def __init__(self, ws: Any, base: Any) -> None:
        def variant(number_format: str | None = None, quote: bool = False, centre: bool = False) -> str:
            cell = WriteOnlyCell(ws)
            if base is not None:
                cell._style = copy.copy(base)
            if number_format:
                cell.number_format = number_format
                centred(cell)  # a date's cell, as ``cells`` and ``row`` write it
            if centre:
                centred(cell)
            if quote:
                cell.quotePrefix = True
            return f' s="{cell.style_id}"'

        self.plain = variant() if base is not None else ""
        self.date = variant(DATE_FORMAT)
        self.datetime = variant(DATETIME_FORMAT)
        self.number = variant(centre=True) if base is not None else ""
        self.text = variant(quote=True)


def text_cell(ref: str, value: str, style: str, quoted: str) -> str:
    """One text cell's XML as openpyxl writes it (an inline string), after ``visible`` and
    ``guard``: ``ref`` is the start ``<c r="B7``, ``style`` the cell's `` s="…"`` attribute (or
    ""), ``quoted`` the attribute of its quote-prefixed variant, which risky text takes."""
    if not value:
        return f'{ref}"{style} t="inlineStr"></c>'
    special = _SPECIAL.search(value) is not None  # one scan for marks and escapes
    if special:
        value = NOT_XML.sub(_mark, value)  # as ``visible``
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if value[0] in _TRIGGER_FIRST:  # as ``is_risky``
        style = quoted
    text = _xml_text(value) if special else value
    if value[0] in _SPACES or value[-1] in _SPACES:
        return f'{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'{ref}"{style} t="inlineStr"><is><t>{text}</t></is></c>'


def _row_xml(number: int, values: Sequence[Any], height: float | None, refs: list[str], st: _Styles) -> str:
    """One ``<row>`` as openpyxl's write-only writer writes it (``cell/_writer.py``).

    ``refs``: each column's ``<c r="A`` (its letters); a cell is one formatted string."""
    ht = f' ht="{number_xml(height)}" customHeight="1"' if height is not None else ""
    out = [f'<row r="{number}"{ht}>']
    plain = st.plain
    for ref, value in zip(refs, values, strict=False):
        kind = type(value)
        if kind is str or isinstance(value, str):
            out.append(text_cell(f"{ref}{number}", value, plain, st.text))
        elif value is None:
            if plain:  # a styled empty cell keeps its box
                out.append(f'{ref}{number}"{plain} t="n"></c>')
        elif kind is bool:
            out.append(f'{ref}{number}"{plain} t="b"><v>{int(value)}</v></c>')
        elif kind is int or kind is float or isinstance(value, int | float | Decimal):
            out.append(f'{ref}{number}"{st.number} t="n"><v>{number_xml(value)}</v></c>')
        elif isinstance(value, dt.date):
            moment = early_text(local(value))
            if isinstance(moment, str):  # a day no spreadsheet date holds alike
                out.append(text_cell(f"{ref}{number}", moment, plain, st.text))
            elif isinstance(moment, dt.datetime):
                out.append(f'{ref}{number}"{st.datetime} t="n"><v>{number_xml(to_excel(moment))}</v></c>')
            else:
                out.append(f'{ref}{number}"{st.date} t="n"><v>{number_xml(to_excel(moment))}</v></c>')
        else:
            raise TypeError(f"a cell cannot hold {kind.__name__}: {value!r}")
    out.append("</row>")
    return "".join(out)


# --- the same rows by one ``str.format`` each (``RowWriter``) -------------------------------------

# Text ``text_cell`` writes as it is, between ``<t>`` and ``</t>``: no character to escape or mark
# (``_ESCAPED``; NUL, the separator of a row's texts, is counted apart), neither a formula
# trigger nor a space first (``_FIRST``), no space last (``_LAST``). Checked over a row's texts
# joined by NUL: a character class and two searches anchored on the separator are each a fast
# scan, where one pattern with the three alternatives took five times as long.
_ESCAPED = re.compile("[&<>\r\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FIRST = _TRIGGER_FIRST | _SPACES
_LAST = _SPACES
_FIRST_AFTER = re.compile(f"\x00[{re.escape(''.join(sorted(_FIRST)))}]")
_LAST_BEFORE = re.compile(f"[{re.escape(''.join(sorted(_LAST)))}]\x00")


def _plain_texts(joined: str, count: int) -> bool:
    """Whether each of the ``count`` texts joined by NUL in ``joined`` is written as it is."""
    return (
        joined[0] not in _FIRST
        and joined[-1] not in _LAST
        and len(joined) <= MAX_TEXT
        and _ESCAPED.search(joined) is None
        and joined.count("\x00") == count - 1
        and _FIRST_AFTER.search(joined) is None
        and _LAST_BEFORE.search(joined) is None
    )


MAX_ROW_FORMS = 4096  # kinds of row kept per file (a form per pattern of value types and empty texts)


@dataclass(frozen=True)
class _RowForm:
    """The XML of every row with one pattern of value types and empty texts, as a format string:
    ``{0}`` the row's number, ``{1}`` its height attribute, ``{2}``… its values, then the
    dates' and date-times' serial numbers (``dated``: their columns and converters)."""

    format: Any  # the bound ``str.format`` of the row's XML
    texts: Any  # an ``operator.itemgetter`` of the non-empty texts (None: no text)
    single_text: bool  # ``texts`` gives one string, not a tuple
    count: int  # how many non-empty texts
    dated: tuple[tuple[int, Any], ...]


class RowWriter:
    """``_row_xml``'s rows, written by one ``str.format`` per row where that gives the same XML.

    A row is sorted by the types of its values and which of its texts are empty; each such kind
    of row gets a format string once (``_RowForm``: text, numbers, booleans, empty cells, dates
    and date-times, in ``_row_xml``'s forms). A row takes it when every text is written as it is
    (``_plain_texts``: nothing to escape, mark or guard, no space at either end, short enough)
    and no date is before ``FIRST_DATE``; any other row, and a row with a value of another type
    (floats, Decimals, subclasses), is written by ``_row_xml`` itself. The county ledger's
    1,598 rows × 27 columns take about half the time ``_row_xml`` takes (docs/performance.md,
    round 5)."""

    def __init__(self, st: _Styles) -> None:
        self.st = st
        self.forms: dict[tuple[Any, ...], _RowForm | None] = {}
        self.refs: list[str] = []
        self.dates: dict[dt.date, str | None] = {}
        self.zone = timezone.get_current_timezone()

    def __call__(self, number: int, values: Sequence[Any], height: float | None) -> str:
        kind = (*map(type, values), *map(bool, values))
        form = self.forms.get(kind, _UNSEEN)
        if form is _UNSEEN:
            if len(self.forms) >= MAX_ROW_FORMS:  # so many kinds of row: the rest cell by cell
                return self._slow(number, values, height)
            form = self.forms[kind] = self._form(kind)
        if form is not None:
            if form.texts is not None:
                joined = form.texts(values) if form.single_text else "\x00".join(form.texts(values))
                if not _plain_texts(joined, form.count):
                    return self._slow(number, values, height)
            serials = [convert(values[index]) for index, convert in form.dated]
            if None not in serials:
                ht = f' ht="{number_xml(height)}" customHeight="1"' if height is not None else ""
                return form.format(number, ht, *values, *serials)
        return self._slow(number, values, height)

    def _slow(self, number: int, values: Sequence[Any], height: float | None) -> str:
        if len(self.refs) < len(values):
            self.refs = [f'<c r="{get_column_letter(i)}' for i in range(1, len(values) + 1)]
        return _row_xml(number, values, height, self.refs, self.st)

    def _date(self, value: dt.date) -> str | None:
        """A date's serial number as ``_row_xml`` writes it (None: a day before ``FIRST_DATE``)."""
        serial = self.dates.get(value, _UNSEEN)
        if serial is _UNSEEN:
            serial = self.dates[value] = number_xml(to_excel(value)) if value >= FIRST_DATE else None
        return serial

    def _moment(self, value: dt.datetime) -> str | None:
        """A date-time's serial number as ``_row_xml`` writes it (``local``, then ``to_excel``'s
        arithmetic for a day from ``FIRST_DATE`` on; None: before it)."""
        if value.tzinfo is not None:
            value = timezone.make_naive(value, self.zone).replace(second=0, microsecond=0)
        elif value.second or value.microsecond:
            value = value.replace(second=0, microsecond=0)
        if value < _FIRST_MOMENT:
            return None
        return "%.16g" % ((value - WINDOWS_EPOCH).days + time_to_days(value))  # as number_xml

    def _form(self, kind: tuple[Any, ...]) -> _RowForm | None:
        size = len(kind) // 2
        st = self.st
        plain = st.plain
        parts = ['<row r="{0}"{1}>']
        texts: list[int] = []
        dated: list[tuple[int, Any]] = []
        for index, (value_type, filled) in enumerate(zip(kind[:size], kind[size:], strict=True)):
            ref = f'<c r="{get_column_letter(index + 1)}{{0}}"'
            slot = index + 2
            if value_type is str:
                if filled:
                    parts.append(f'{ref}{plain} t="inlineStr"><is><t>{{{slot}}}</t></is></c>')
                    texts.append(index)
                else:
                    parts.append(f'{ref}{plain} t="inlineStr"></c>')
            elif value_type is NoneType:
                if plain:
                    parts.append(f'{ref}{plain} t="n"></c>')
            elif value_type is bool:
                parts.append(f'{ref}{plain} t="b"><v>{{{slot}:d}}</v></c>')
            elif value_type is int:
                parts.append(f'{ref}{st.number} t="n"><v>{{{slot}:.16g}}</v></c>')
            elif value_type is dt.date or value_type is dt.datetime:
                serial = 2 + size + len(dated)
                style = st.date if value_type is dt.date else st.datetime
                parts.append(f'{ref}{style} t="n"><v>{{{serial}}}</v></c>')
                dated.append((index, self._date if value_type is dt.date else self._moment))
            else:
                return None
        parts.append("</row>")
        getter = operator.itemgetter(*texts) if texts else None
        return _RowForm("".join(parts).format, getter, len(texts) == 1, len(texts), tuple(dated))


_UNSEEN: Any = object()
_FIRST_MOMENT = dt.datetime.combine(FIRST_DATE, dt.time())


# zlib's fastest level: a third of the default's (6, openpyxl's) time for a 20 % larger file
# (the county ledger's 2.4 MB of sheet XML: 10 ms and 333 KB against 30 ms and 272 KB)
COMPRESS_LEVEL = 1
ROWS_PER_WRITE = 100  # rows compressed together (a few hundred KB of XML at most in memory)


def save_rows(
    book: Workbook,
    ws: Any,
    target: IO[bytes],
    rows: Iterable[tuple[Sequence[Any], float | None]],
    *,
    start: int,
    style: Any = None,
) -> int:
    """Save the write-only ``book`` into ``target`` with ``rows`` as the data rows of ``ws``.

    ``ws`` holds what openpyxl writes (title and header rows appended, widths, page setup); its
    ``start - 1`` rows come first, then each of ``rows``, a ``(values, height)`` pair (height in
    points, or None for the default), numbered from ``start``. Values are written as openpyxl
    writes them (text as inline strings, numbers, booleans), dates and date-times as dates shown
    in ``DATE_FORMAT`` and ``DATETIME_FORMAT`` (an aware date-time in local time, ``local``), text
    through ``visible`` and ``guard`` (a risky string quote-prefixed, never a formula); a text
    equal to an error code (``#N/A``) stays text, where openpyxl made it an error value.
    ``style``: a ``StyleArray`` (a styled cell's ``_style``) every data cell takes, empty ones
    included (the printable versions' boxes), a number's centred (``_Styles``). Returns the
    number of rows written."""
    write = RowWriter(_Styles(ws, style))
    count = 0

    def xml() -> Iterator[str]:
        nonlocal count
        for values, height in rows:
            yield write(start + count, values, height)
            count += 1

    save_sheet(book, ws, target, xml())
    return count


def save_sheet(
    book: Workbook,
    ws: Any,
    target: IO[bytes],
    rows: Iterable[str],
    *,
    merged: Sequence[str] = (),
    dimension: str | None = None,
) -> None:
    """Save the write-only ``book`` into ``target`` with ``rows`` (each one ``<row>`` element's
    XML, in order) after the rows appended to ``ws``, compressed into the file as they come.

    ``merged``: ranges like ``"A1:F1"`` written as the sheet's merged cells (``ws.merged_cells``
    must be empty); ``dimension``: the used range (``"A1:L170"``) as openpyxl's normal workbook
    states it (a write-only sheet states none). Every style the rows name must be registered
    in ``book`` before (a cell's ``style_id``)."""
    if merged and ws.merged_cells:
        raise ValueError("merged ranges both in the sheet and given")
    write_frame(frame(book, ws), target, rows, merged=merged, dimension=dimension)


@dataclass(frozen=True)
class Frame:
    """A saved write-only workbook taken apart around one sheet's rows: every part as openpyxl
    wrote it, and that sheet's XML before and after its rows. ``write_frame`` puts rows in; a
    frame can be kept and filled again (``documents.render`` keeps each form's)."""

    parts: tuple[tuple[str, bytes], ...]  # (name, data) in the file's order
    sheet: str  # the name of the sheet's part (its data in ``head`` and ``tail``)
    head: str  # up to and with ``<sheetData>`` and the rows appended to the sheet
    tail: str  # from ``</sheetData>`` on


CORE_PART = "docProps/core.xml"


def frame(book: Workbook, ws: Any) -> Frame:
    """Save the write-only ``book`` (styles registered, ``ws``'s rows so far) as a ``Frame``."""
    if not getattr(book, "write_only", False):
        raise ValueError("a frame needs a write-only workbook")
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = f"xl/worksheets/sheet{book.worksheets.index(ws) + 1}.xml"
    parts = []
    head = tail = ""
    with zipfile.ZipFile(buffer) as source:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == sheet:
                xml = data.decode("utf-8")
                for empty in ("<sheetData/>", "<sheetData />"):  # no row appended before
                    xml = xml.replace(empty, "<sheetData></sheetData>")
                head, tail = xml.split("</sheetData>", 1)
                tail = "</sheetData>" + tail
                data = b""
            parts.append((info.filename, data))
    return Frame(tuple(parts), sheet, head, tail)


def write_frame(
    frame: Frame,
    target: IO[bytes],
    rows: Iterable[str],
    *,
    merged: Sequence[str] = (),
    dimension: str | None = None,
    core: bytes | None = None,
) -> None:
    """Write ``frame`` into ``target`` with ``rows`` (``<row>`` elements' XML) in its sheet,
    ``merged`` and ``dimension`` as ``save_sheet`` takes them, and ``core`` (the file's
    properties, ``docProps/core.xml``) instead of the frame's when given."""
    with zipfile.ZipFile(
        target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL, allowZip64=True
    ) as out:
        for name, data in frame.parts:
            if name != frame.sheet:
                out.writestr(name, core if name == CORE_PART and core is not None else data)
                continue
            head = frame.head
            if dimension is not None:
                head = head.replace("<sheetViews>", f'<dimension ref="{dimension}"/><sheetViews>', 1)
            with out.open(name, "w") as sheet:
                sheet.write(head.encode("utf-8"))
                block: list[str] = []
                for row_xml in rows:
                    block.append(row_xml)
                    if len(block) == ROWS_PER_WRITE:
                        sheet.write("".join(block).encode("utf-8"))
                        block = []
                block.append(
                    "</sheetData>" + _merge_cells_xml(merged) + frame.tail.removeprefix("</sheetData>")
                )
                sheet.write("".join(block).encode("utf-8"))


def _merge_cells_xml(ranges: Sequence[str]) -> str:
    """The ``<mergeCells>`` element openpyxl writes for ``ranges`` (right after the sheet data:
    the sheets written here have none of the elements the schema puts between)."""
    if not ranges:
        return ""
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in ranges)
    return f'<mergeCells count="{len(ranges)}">{cells}</mergeCells>'
