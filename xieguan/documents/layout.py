"""The declarative description of an official form (文书), shared by every renderer.

A form is a ``FormDoc``: a title, an optional tag printed above it (``附表1``), and a sequence
of blocks, top to bottom:

- ``Grid``  — a header grid of label/value pairs (用人单位名称 | … | 地  址 | …);
- ``Table`` — the main table: columns, rows, empty rows for paper, header repeated per page;
- ``Line``  — a line of label/value segments without borders (signature lines, 巡查时间, ____年度);
- ``Note``  — a paragraph of small text (注：…).

Widths are fractions of the printable width. The PDF (reportlab), .docx (python-docx) and
.xlsx (openpyxl) renderers in ``xieguan.documents.render`` read only this structure, so the
three formats of a form cannot drift apart. A form module (``xieguan/documents/official/``)
builds a ``FormDoc`` from plain values; it never queries the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Grid:
    """Rows of (label, value) pairs; ``widths`` gives the width of every label and value column."""

    rows: tuple[tuple[tuple[str, str], ...], ...]
    widths: tuple[float, ...]
    row_height_cm: float = 1.0


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: Align = "center"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...] = ()
    repeat_header: bool = True
    min_rows: int = 0  # pad with empty rows up to this number (forms for paper)
    row_height_cm: float = 0.9


@dataclass(frozen=True)
class Segment:
    """``label`` is printed as is; ``value`` (text) or ``image`` (PNG/JPEG bytes) follows it."""

    label: str = ""
    value: str = ""
    image: bytes | None = None
    width: float | None = None  # fraction of the line; None shares the rest equally
    align: Align = "left"
    underline: bool = False  # draw a line under the value (a blank to fill in)


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    space_before_cm: float = 0.4


@dataclass(frozen=True)
class Note:
    text: str


Block = Grid | Table | Line | Note


@dataclass(frozen=True)
class FormDoc:
    title: str
    blocks: tuple[Block, ...]
    tag: str = ""  # printed at the top left, e.g. 附表1
    filename: str = "document"  # without extension; may be Chinese
    landscape: bool = False
    page_numbers: bool = False  # "第 N 页" at the foot of every page
    image_height_cm: float = 1.3  # height of signature images in Lines
    meta: dict[str, str] = field(default_factory=dict)  # author/subject for the file properties
    # Texts besides the labels that (nearly) every copy of the form prints, e.g. the regulation's
    # check-list and the answers' words: with the labels, the PDF embeds their characters from
    # font subsets made once per process (``wording``, ``documents.fonts.FormFont``) and draws
    # their paragraphs from operators kept per process (``documents.linebreak.Paragraph``).
    # Never a record's values.
    usual: tuple[str, ...] = ()


def wording(doc: FormDoc) -> tuple[str, ...]:
    """The form's own texts, the same in every copy: tag, title, the labels of grids and lines,
    the column heads, "第 N 页" when pages are numbered, and ``usual``."""
    parts = [doc.tag, doc.title]
    for block in doc.blocks:
        if isinstance(block, Grid):
            parts.extend(label for row in block.rows for label, _value in row)
        elif isinstance(block, Table):
            parts.extend(column.title for column in block.columns)
        elif isinstance(block, Line):
            parts.extend(segment.label for segment in block.segments)
    if doc.page_numbers:
        parts.append("第页")
    parts.extend(doc.usual)
    return tuple(part for part in parts if part)


def padded_rows(table: Table) -> list[tuple[str, ...]]:
    """The table's rows plus the empty rows a paper form needs."""
    rows = list(table.rows)
    blank = ("",) * len(table.columns)
    rows.extend(blank for _ in range(max(0, table.min_rows - len(rows))))
    return rows


def segment_widths(line: Line) -> list[float]:
    fixed = sum(s.width for s in line.segments if s.width is not None)
    free = [s for s in line.segments if s.width is None]
    share = max(0.0, 1.0 - fixed) / len(free) if free else 0.0
    return [s.width if s.width is not None else share for s in line.segments]
