"""Tables in .xlsx: tolerant import with a per-row report, templates, and streaming export.

Generic: a table is described by a ``TableSpec`` (its columns, each a ``Column`` with a
Chinese header, a kind and optional choices); the caller validates rows with its own
callback. The employer ledger and the assistants roster both use it.

Reading tolerates the files people really have: the header row anywhere in the first rows
(under a merged title), extra columns, columns in any order, numbers stored as text and
text stored as numbers (identifiers that lost their leading zeros, or were rounded by
Excel's 15 significant digits), full-width digits and letters, stray spaces, empty rows.
Old .xls files are refused with a message that says what to do.

Every problem is an ``Issue`` (Excel row, column header, value, reason in Chinese). The
report workbook lists them and returns the rows with the faulty cells marked in red.

    spec = TableSpec(title="…", columns=(Column("name", "姓名", required=True), …))
    table = read_table(uploaded_file, spec)           # TableError for a file-level problem
    for row in table.rows:
        my_validator(row)                            # row.add_issue(key, reason) for each problem
    content = report_workbook(table)                 # bytes of an .xlsx
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xieguan.lib import xlsx
from xieguan.lib.text import fold, tidy
from xieguan.lib.validators import CONTROL_CHARACTERS

TEXT = "text"  # free text: folded (NFKC, trimmed, inner spaces collapsed)
CODE = "code"  # an identifier typed as text but often stored as a number (codes, phone numbers)
INTEGER = "integer"
DATE = "date"
DATETIME = "datetime"  # a date and a time of day (local, naive as a worksheet holds it)
BOOL = "bool"
CHOICE = "choice"  # one of ``choices``
MULTI = "multi"  # several of ``choices``, separated by 、，,；; / or spaces

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
TRUE_WORDS = {"是", "有", "Y", "YES", "TRUE", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "无", "没有", "N", "NO", "FALSE", "0", "×", "✗", "不是"}
MULTI_SEPARATORS = re.compile(r"[、，,；;/\s]+")
DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
TIME_PATTERN = re.compile(r"^(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})秒?)?分?$")
# the characters a date column's values take as shown (``xlsx.DATE_FORMAT``, ``DATETIME_FORMAT``)
SHOWN_CHARS = {DATE: xlsx.DATE_CHARS, DATETIME: xlsx.DATETIME_CHARS}
PRINT_MAX_WIDTH = 30  # a printable table's widest column (characters); longer text wraps
HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(]必填[)）]|[（(]选填[)）]")

# Zip bombs: a member that unzips to more than MAX_RATIO times its compressed size (and to more
# than RATIO_FLOOR bytes: tiny parts compress well and are harmless) is refused, as is a
# workbook of more than MAX_MEMBERS parts. Real .xlsx sheets compress 5-20 times.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 2000
UNZIP_CHUNK = 1024 * 1024
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError)

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def max_rows() -> int:
    """The most data rows an uploaded workbook may have (setting XIEGUAN_IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "XIEGUAN_IMPORT_MAX_ROWS", 20_000))


def max_unzipped_bytes() -> int:
    """The most bytes an uploaded workbook may unzip to (XIEGUAN_IMPORT_MAX_UNZIPPED_BYTES)."""
    return int(getattr(settings, "XIEGUAN_IMPORT_MAX_UNZIPPED_BYTES", 150 * 1024 * 1024))


def limits_text() -> str:
    """The limits, as the upload forms tell them."""
    return _("每个文件最多 %(rows)s 行数据，解压后不超过 %(mb)s MB；更多请分成几个文件导入。") % {
        "rows": f"{max_rows():,}",
        "mb": max_unzipped_bytes() // (1024 * 1024),
    }


class TableError(Exception):
    """A problem with the whole file (not a .xlsx, no header found …), in plain Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    choice_aliases: Mapping[str, str] = field(default_factory=dict)  # other spelling -> choice
    note: str = ""
    example: Any = ""
    width: int | None = None  # in characters; default from the header and choices
    pad_to: int | None = None  # CODE: left-pad an all-digit value that lost its leading zeros
    max_length: int | None = None
    min_value: int | None = 0  # INTEGER
    dropdown: bool = True  # offer ``choices`` as a drop-down list in the template

    def display_width(self) -> int:
        widest = max([display_width(self.header), *(display_width(c) for c in self.choices[:50])])
        return min(max(self.width or 0, widest, 6, SHOWN_CHARS.get(self.kind, 0)) + 2, 60)

    def print_width(self) -> int:
        """The column's width on paper: its ``width`` (longer text wraps), at most
        ``PRINT_MAX_WIDTH``; a date column's at least what its dates take (a date never wraps:
        too narrow, it prints ``###``)."""
        width = min(self.width or self.display_width(), PRINT_MAX_WIDTH)
        return max(width, SHOWN_CHARS[self.kind] + 2) if self.kind in SHOWN_CHARS else width


@dataclass(frozen=True)
class TableSpec:
    title: str
    columns: tuple[Column, ...]
    sheet_name: str = "数据"
    notes: tuple[str, ...] = ()
    example_marker: str = "示例"  # a row whose first cell starts with （示例） is skipped
    header_scan_rows: int = 30

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass
class Issue:
    row: int  # Excel row number; 0 for the whole file
    column: str  # the column's header ("" for the whole row)
    value: str
    reason: str
    key: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "key": self.key,
        }


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    spec: TableSpec | None = None
    payload: Any = None  # set by the caller's validator (e.g. the planned change)

    @property
    def ok(self) -> bool:
        return not self.issues

    def failed(self, key: str) -> bool:
        return any(i.key == key for i in self.issues)

    def add_issue(self, key: str, reason: str, value: Any = None) -> None:
        header = self.spec.column(key).header if self.spec and key else ""
        shown = self.raw.get(key) if value is None else value
        self.issues.append(Issue(self.number, header, _shown(shown), reason, key))


@dataclass
class Table:
    spec: TableSpec
    rows: list[Row]
    header_row: int
    sheet_title: str
    positions: dict[str, int]  # column key -> 0-based position in the sheet
    headers: list[str]  # the header row as found (for the report)
    ignored_headers: list[str]
    skipped_examples: int = 0

    @property
    def issues(self) -> list[Issue]:
        return [issue for row in self.rows for issue in row.issues]

    @property
    def clean_rows(self) -> list[Row]:
        return [row for row in self.rows if row.ok]

    @property
    def failed_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]


# --- reading --------------------------------------------------------------------------


display_width = xlsx.display_width  # width in Latin characters: CJK and full-width count two


def normalise_header(value: Any) -> str:
    return HEADER_NOISE.sub("", fold(str(value or ""))).upper()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _open(source: bytes | IO[bytes], filename: str) -> Any:
    data = source if isinstance(source, bytes) else source.read()
    if data[:8] == OLE2_MAGIC or (filename.lower().endswith(".xls") and not data.startswith(b"PK")):
        raise TableError(
            _(
                "这是旧版 Excel（.xls）文件，系统只接受 .xlsx：请在 Excel 或 WPS 中打开，"
                "“另存为”Excel 工作簿（*.xlsx）后再上传。"
            )
        )
    if not data.startswith(b"PK"):
        raise TableError(_("文件不是 Excel 工作簿（.xlsx）：请用 Excel 或 WPS 另存为 .xlsx 后再上传。"))
    check_zip(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TableError(_("文件已损坏或不是 .xlsx 格式，无法读取：请用 Excel 重新保存后再上传。")) from exc


def _too_big() -> TableError:
    return TableError(
        _(
            "文件解压后太大（超过 %(mb)s MB）或压缩比异常，系统拒绝读取：请只保留需要导入的数据，"
            "删除多余的空行、空列和图片，或分成几个文件导入。"
        )
        % {"mb": max_unzipped_bytes() // (1024 * 1024)}
    )


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl opens it: the parts' declared sizes, their compression
    ratios, then their actual sizes, unzipped in chunks and counted (never held whole)."""
    limit = max_unzipped_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise _too_big()
            declared = 0
            for info in members:
                declared += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if declared > limit or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
                    raise _too_big()
            actual = 0
            for info in members:
                with archive.open(info) as part:
                    while chunk := part.read(UNZIP_CHUNK):
                        actual += len(chunk)
                        if actual > limit:
                            raise _too_big()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
    ) as exc:
        raise TableError(_("文件已损坏或不是 .xlsx 格式，无法读取：请用 Excel 重新保存后再上传。")) from exc


def _match_header(cells: Sequence[Any], spec: TableSpec) -> tuple[dict[str, int], list[str]]:
    wanted: dict[str, str] = {}
    for column in spec.columns:
        for name in (column.header, *column.aliases):
            wanted.setdefault(normalise_header(name), column.key)
    positions: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(cells):
        text = normalise_header(cell)
        if not text:
            continue
        key = wanted.get(text)
        if key is None or key in positions:
            ignored.append(fold(str(cell)))
        else:
            positions[key] = index
    return positions, ignored


def read_table(source: bytes | IO[bytes], spec: TableSpec, *, filename: str = "") -> Table:
    """Read the first sheet that has the spec's header; normalise every cell by its column kind."""
    book = _open(source, filename)
    required = {c.key for c in spec.columns if c.required}
    best: tuple[int, str] | None = None
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            head = list(islice(rows, spec.header_scan_rows))
            for offset, cells in enumerate(head):
                positions, ignored = _match_header(cells or (), spec)
                if required <= positions.keys() and len(positions) >= min(2, len(spec.columns)):
                    return _read_rows(
                        spec,
                        sheet.title,
                        offset + 1,
                        list(cells),
                        positions,
                        ignored,
                        chain(head[offset + 1 :], rows),
                    )
                if positions and (best is None or len(positions) > best[0]):
                    best = (len(positions), sheet.title)
    finally:
        book.close()
    names = "、".join(c.header for c in spec.columns if c.required)
    if best is not None:
        raise TableError(
            _(
                "工作表“%(sheet)s”的表头缺少必需的列（应包含：%(names)s）。请使用系统模板，或把表头改成与模板一致。"
            )
            % {"sheet": best[1], "names": names}
        )
    raise TableError(
        _("没有找到表头：前 %(n)s 行中应有一行包含 %(names)s 等列名。请使用系统模板。")
        % {"n": spec.header_scan_rows, "names": names}
    )


def _read_rows(
    spec: TableSpec,
    sheet_title: str,
    header_row: int,
    headers: list[Any],
    positions: dict[str, int],
    ignored: list[str],
    rows: Iterator[Sequence[Any]],
) -> Table:
    table = Table(spec, [], header_row, sheet_title, positions, [_shown(h) for h in headers], ignored)
    columns = [c for c in spec.columns if c.key in positions]
    first = spec.columns[0].key
    marker = spec.example_marker
    cap = max_rows()
    for number, cells in enumerate(rows, start=header_row + 1):
        if number - header_row > cap * 3:  # blank rows are read too: bound them as well
            raise _too_many_rows(cap)
        cells = cells or ()
        raw = {c.key: (cells[positions[c.key]] if positions[c.key] < len(cells) else None) for c in columns}
        if all(_is_blank(v) for v in raw.values()):
            continue
        if marker and fold(str(raw.get(first) or "")).lstrip("(（[【").startswith(marker):
            table.skipped_examples += 1
            continue
        row = Row(number, {}, raw, spec=spec)
        for column in spec.columns:
            value = raw.get(column.key)
            try:
                row.values[column.key] = normalise_cell(column, value)
            except ValueError as exc:
                row.values[column.key] = None
                row.add_issue(column.key, str(exc))
                continue
            if column.required and row.values[column.key] in (None, "", ()):
                row.add_issue(column.key, _("“%(header)s”必须填写。") % {"header": column.header})
        table.rows.append(row)
        if len(table.rows) > cap:
            raise _too_many_rows(cap)
    return table


def _too_many_rows(cap: int) -> TableError:
    return TableError(
        _(
            "文件的数据超过 %(max)s 行（或表头下有过多的空行），系统一次最多导入 %(max)s 行："
            "请分成几个文件导入，并删除表格末尾多余的空行。"
        )
        % {"max": f"{cap:,}"}
    )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not fold(value))


def normalise_cell(column: Column, value: Any) -> Any:
    """The clean value of one cell for its column kind; ValueError with a Chinese reason."""
    if _is_blank(value):
        return () if column.kind == MULTI else None
    kind = column.kind
    if kind == TEXT:
        text = _text(value)
        if xlsx.NOT_XML.search(text):  # as validators.refuse_control_characters
            raise ValueError(CONTROL_CHARACTERS)
        if column.max_length and len(text) > column.max_length:
            raise ValueError(
                _("太长：最多 %(max)s 个字，现为 %(n)s 个字。") % {"max": column.max_length, "n": len(text)}
            )
        return text
    if kind == CODE:
        return _code(value, column.pad_to)
    if kind == INTEGER:
        return _integer(value, column.min_value)
    if kind == DATE:
        return _date(value)
    if kind == DATETIME:
        return _datetime(value)
    if kind == BOOL:
        return _bool(value)
    if kind == CHOICE:
        return _choice(column, _text(value))
    if kind == MULTI:
        parts = [p for p in MULTI_SEPARATORS.split(fold(_text(value))) if p]
        return tuple(dict.fromkeys(_choice(column, p) for p in parts))
    raise ValueError(f"unknown column kind {kind}")


def _text(value: Any) -> str:
    """Free text as typed, trimmed and with single spaces (full-width brackets stay)."""
    if isinstance(value, bool):
        return _BOOL_TEXT[bool(value)]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return _shown(value)
    return tidy(str(value))


def _code(value: Any, pad_to: int | None) -> str:
    if isinstance(value, bool):
        raise ValueError(_("应为代码或号码，不是“是/否”。"))
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(_("应为代码或号码，不应有小数。"))
        number = int(value)
        if len(str(abs(number))) > EXCEL_DIGITS:
            raise ValueError(
                _(
                    "该单元格存成了数字，Excel 只保留 15 位有效数字，超过的位已被改成 0："
                    "请把这一列设为“文本”格式，重新填写原始号码。"
                )
            )
        text = str(number)
    else:
        text = fold(str(value)).replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?[Ee]\+?\d+", text):
            raise ValueError(
                _(
                    "号码被 Excel 显示成了科学计数法（如 9.15E+17），原始号码已丢失："
                    "请设为“文本”格式后重新填写。"
                )
            )
    if pad_to and text.isdigit() and len(text) < pad_to:
        text = text.zfill(pad_to)
    return text


def _integer(value: Any, min_value: int | None) -> int:
    if isinstance(value, bool):
        raise ValueError(_("应为整数。"))
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("应为整数，不应有小数。"))
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = fold(str(value)).replace(",", "").replace(" ", "").removesuffix("人").removesuffix("名")
        if text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(_("应为整数（如 35）。"))
        number = int(text)
    if min_value is not None and number < min_value:
        raise ValueError(_("不能小于 %(min)s。") % {"min": min_value})
    return number


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel date serial stored as a plain number
            converted = from_excel(value)
            return converted.date() if isinstance(converted, dt.datetime) else converted
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = fold(str(value)).replace(" ", "")
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise ValueError(_("日期无法识别，请写成 2024-05-01 的形式。"))


def _datetime(value: Any) -> dt.datetime:
    """A date and time as the sheet holds it (naive, local): a date cell (a date alone is at
    00:00), an Excel serial stored as a number, or text like 2024-05-01 08:30."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        converted = from_excel(value)
        return converted if isinstance(converted, dt.datetime) else dt.datetime.combine(converted, dt.time())
    text = fold(str(value))
    day, _sep, time = text.replace("T", " ", 1).partition(" ")
    match = TIME_PATTERN.match(time.replace(" ", "")) if time else None
    if not time or match:
        try:
            date = _date(day)
            hour, minute, second = match.groups() if match else (0, 0, 0)
            clock = dt.time(int(hour), int(minute), int(second or 0))
        except ValueError:
            pass
        else:
            return dt.datetime.combine(date, clock)
    raise ValueError(_("日期时间无法识别，请写成 2024-05-01 08:30 的形式。"))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(str(value)).upper()
    if isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else text
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("应填“是”或“否”。"))


def _choice(column: Column, text: str) -> str:
    key = normalise_header(text)
    for choice in column.choices:
        if normalise_header(choice) == key:
            return choice
    for alias, choice in column.choice_aliases.items():
        if normalise_header(alias) == key:
            return choice
    shown = "、".join(column.choices[:12]) + ("等" if len(column.choices) > 12 else "")
    raise ValueError(_("“%(text)s”不是可选的值；可选：%(shown)s。") % {"text": text, "shown": shown})


# --- writing: template, report, export ----------------------------------------------------


def _title_row(ws: Worksheet, text: str, width: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    cell = ws.cell(row=1, column=1, value=text)
    cell.font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28


def _header_cells(ws: Worksheet, row: int, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=index, value=column.header)
        cell.font = Font(name=xlsx.FONT_NAME, bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.display_width()


def template_workbook(
    spec: TableSpec,
    example: Mapping[str, Any] | None = None,
    blank_rows: int = 500,
) -> bytes:
    """An empty template: title, header, one example row, drop-downs, and a notes sheet."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = spec.sheet_name
    columns = spec.columns
    _title_row(ws, spec.title, len(columns))
    _header_cells(ws, 2, columns)
    ws.freeze_panes = "A3"
    lists = book.create_sheet("代码表")
    list_count = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.kind == CODE:
            # Text format, so what people type keeps its leading zeros and all 18 characters.
            for row in range(3, blank_rows + 3):
                ws.cell(row=row, column=index).number_format = "@"
        if column.choices and column.dropdown:
            list_count += 1
            list_col = get_column_letter(list_count)
            lists[f"{list_col}1"] = column.header
            for offset, choice in enumerate(column.choices, start=2):
                lists[f"{list_col}{offset}"] = choice
            last = len(column.choices) + 1
            validation = DataValidation(
                type="list",
                formula1=f"'代码表'!${list_col}$2:${list_col}${last}",
                allow_blank=True,
                # Strict for closed lists; free typing allowed where several values (MULTI) or
                # other spellings (TEXT, e.g. village names) are accepted by the reader.
                showErrorMessage=column.kind in (CHOICE, BOOL),
                errorTitle=_("不是可选的值"),
                error=_("“%(header)s”请从下拉列表中选择。") % {"header": column.header},
            )
            validation.add(f"{letter}3:{letter}{blank_rows + 2}")
            ws.add_data_validation(validation)
    lists.sheet_state = "hidden"
    if example:
        for index, column in enumerate(columns, start=1):
            value = example.get(column.key, "")
            if index == 1:
                value = f"（{spec.example_marker}）{value}"
            cell = ws.cell(row=3, column=index, value=value)
            cell.font = Font(italic=True, color="7F7F7F")
            if column.kind == CODE:
                cell.number_format = "@"
    _notes_sheet(book, spec)
    book.active = 0
    return xlsx.to_bytes(book)


def _notes_sheet(book: Workbook, spec: TableSpec) -> None:
    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 70
    notes.append([f"{spec.title}：填写说明"])
    notes["A1"].font = Font(name=xlsx.FONT_NAME, bold=True, size=13)
    for line in spec.notes:
        notes.append([line])
    notes.append([])
    notes.append(["列名", "必填", "填写要求"])
    for cell in notes[notes.max_row]:
        cell.font = Font(name=xlsx.FONT_NAME, bold=True)
        cell.fill = HEADER_FILL
    for column in spec.columns:
        text = column.note
        if column.choices and column.kind in (CHOICE, MULTI):
            joined = "、".join(column.choices)
            text = f"{text}可选：{joined}。" if len(joined) < 400 else f"{text}可选值见下拉列表。"
            if column.kind == MULTI:
                text += "可填多个，用顿号“、”分隔。"
        notes.append([column.header, "是" if column.required else "", text])
        notes.cell(row=notes.max_row, column=3).alignment = Alignment(wrap_text=True, vertical="top")


def report_workbook(table: Table, title: str = "导入检查报告") -> bytes:
    """The issues, and the rows with their faulty cells filled red and commented.

    Streamed (openpyxl write-only): time and memory grow linearly with the rows. (It once asked
    the worksheet for ``max_row`` after each row, which scans every cell: 5,000 rows took 40 s.)
    """
    book = Workbook(write_only=True)
    summary = book.create_sheet("问题清单")
    for letter, width in zip("ABCD", (8, 20, 30, 80), strict=True):
        summary.column_dimensions[letter].width = width
    summary.freeze_panes = "A3"
    heading = WriteOnlyCell(summary, value=title)
    heading.font = Font(name=xlsx.FONT_NAME, bold=True, size=13)
    summary.append(xlsx.cells(summary, [heading]))
    summary.append(_bold_cells(summary, ["行号", "列", "填写的值", "原因"]))
    for issue in table.issues:
        summary.append(
            xlsx.cells(summary, [issue.row, issue.column or "（整行）", issue.value, issue.reason])
        )

    data = book.create_sheet("原始数据（已标出问题）")
    columns = [c for c in table.spec.columns if c.key in table.positions]
    for index, column in enumerate(columns, start=2):
        data.column_dimensions[get_column_letter(index)].width = column.display_width()
    data.column_dimensions[get_column_letter(len(columns) + 2)].width = 60
    data.freeze_panes = "B2"
    data.append(_bold_cells(data, ["原行号", *(c.header for c in columns), "问题"]))
    position = {c.key: i for i, c in enumerate(columns, start=1)}
    for row in table.rows:
        cells = xlsx.cells(
            data,
            [
                row.number,
                *(_shown(row.raw.get(c.key)) for c in columns),
                "；".join(i.reason for i in row.issues),
            ],
        )
        reasons: dict[int, list[str]] = {}
        for issue in row.issues:
            reasons.setdefault(position.get(issue.key, 0), []).append(issue.reason)
        for index, texts in reasons.items():
            cells[index].fill = ERROR_FILL
            cells[index].comment = Comment("\n".join(texts), "系统检查")
        data.append(cells)
    return xlsx.to_bytes(book)


def _bold_cells(ws: Any, values: Sequence[str]) -> list[Any]:
    cells = xlsx.cells(ws, values)
    for cell in cells:
        cell.font = Font(name=xlsx.FONT_NAME, bold=True)
        cell.fill = HEADER_FILL
    return cells


def write_table(
    target: IO[bytes],
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "台账",
    footer: str = "",
    printable: bool = False,
) -> int:
    """Stream rows into an .xlsx: openpyxl (write-only) writes the title, header, widths and page
    setup, ``xlsx.save_rows`` the rows (memory does not grow with them).

    Title row centred across the columns (left-aligned in A1, not merged, when the table prints
    on several pages across: on the first page), a frozen header repeated on every printed page, widths
    that fit Chinese text, landscape A4 fitted to the page width (or to the pages across a very
    wide table needs, ``xlsx.pages_wide``, the first column repeated). Dates and date-times
    are written as spreadsheet dates (``xlsx.DATE_FORMAT``, ``DATETIME_FORMAT``, local time), a
    DATE or DATETIME column wide enough for them. Returns the rows written.

    ``printable``: the version for paper — every cell boxed and wrapped, each column as wide
    as its ``width`` (at most ``PRINT_MAX_WIDTH``), each row as high as its text
    (``xlsx.printed_rows``: a row taller than Excel allows continues in the next), so that
    nothing prints over a neighbouring row.
    """
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet_name)
    last = get_column_letter(max(len(columns), 1))
    # on paper a column is as wide as its ``width`` says (longer text wraps), not its widest choice
    widths = [column.print_width() if printable else column.display_width() for column in columns]
    wide = xlsx.pages_wide(sum(widths))
    if wide == 1:
        ws.merged_cells.add(f"A1:{last}1")
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{last}2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    xlsx.print_a4(ws, title_rows="2:2", title_cols="A:A", wide=wide)
    if footer:
        ws.oddFooter.center.text = xlsx.visible(footer)  # a region's name in it
    title_cell = xlsx.guard(WriteOnlyCell(ws, value=xlsx.visible(title)))  # a region's name in it
    title_cell.font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    # Centred over a table printed on pages across (the 27-column data file), the title fell on
    # the second page, cut in two: there it starts in A1 (not merged), on the first page.
    title_cell.alignment = Alignment(horizontal="center" if wide == 1 else "left", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([title_cell])
    header = []
    for column in columns:
        cell = xlsx.guard(WriteOnlyCell(ws, value=column.header))
        cell.font = Font(name=xlsx.FONT_NAME, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    if printable:
        ws.row_dimensions[2].height = xlsx.row_height([c.header for c in columns], widths)
    ws.append(header)
    if not printable:
        return xlsx.save_rows(book, ws, target, ((_export_values(values), None) for values in rows), start=3)
    # One style for every printed cell (boxed, wrapped, top-aligned); dates and risky text get
    # their variants of it (``xlsx.save_rows``).
    model = WriteOnlyCell(ws)
    model.border = BORDER
    model.alignment = Alignment(vertical="top", wrap_text=True)
    count = 0

    def printed() -> Iterator[tuple[list[Any], float]]:
        nonlocal count
        for values in rows:
            yield from xlsx.printed_rows(_export_values(values), widths)
            count += 1

    xlsx.save_rows(book, ws, target, printed(), start=3, style=model._style)
    return count


# The types of value a cell shows as they are (``_export_value``), and the text of a boolean:
# looked up by type in ``_export_values``, so that a row of them takes no call per value.
_SHOWN_AS_IS = frozenset((str, type(None), int, float, Decimal, dt.date, dt.datetime))
_BOOL_TEXT = {True: "是", False: "否"}


def _export_values(values: Sequence[Any]) -> list[Any]:
    """A row's values as cells show them (``_export_value``); text, empty cells, numbers, dates
    and booleans, all of a ledger row but its hazard names, without a call per value."""
    shown, text = _SHOWN_AS_IS, _BOOL_TEXT
    return [v if type(v) in shown else text[v] if type(v) is bool else _export_value(v) for v in values]


def _export_value(value: Any) -> Any:
    if type(value) is str or value is None:  # most cells: checked first, cheaply
        return value
    if isinstance(value, bool):
        return _BOOL_TEXT[bool(value)]
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    return value


EXPORT_WORK_MEM = "32MB"  # the province's ledger (28,559 rows) sorts in 9-10 MB


@contextmanager
def one_snapshot(using: str) -> Iterator[None]:
    """The statements inside read one snapshot of the database: a transaction, REPEATABLE READ on
    PostgreSQL (whose READ COMMITTED gives each statement its own; SQLite's transaction already
    reads one). Inside a caller's transaction (the tests') its isolation is kept.

    On PostgreSQL the transaction also tells the planner that the export reads every row of its
    server-side cursors (``iterator()``): ``cursor_tuple_fraction`` 1 instead of 0.1 (a plan that
    returns the first tenth fastest, which chose nested loops costing the county ledger 25-30 ms
    more), and ``work_mem`` enough for the province's sort in memory (with the default 4 MB it
    was an external merge on disk). Measured in docs/performance.md."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
                cursor.execute(f"SET LOCAL work_mem = '{EXPORT_WORK_MEM}'")
        yield
