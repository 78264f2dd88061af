"""Render a ``FormDoc`` (xieguan.documents.layout) as PDF, .docx or .xlsx.

- PDF: reportlab on A4, the shipped WenQuanYi Micro Hei embedded (subset), so the page looks
  the same on a machine without any Chinese font; the table header repeats on every page.
- .docx: python-docx on A4, 宋体; the table header row is marked to repeat on every page.
- .xlsx: openpyxl; one sheet laid out on a common column grid, the table header row set as
  print title, A4 fit to width.

``render(doc, fmt)`` returns the bytes; ``file_response(doc, fmt)`` an HTTP download.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from xieguan.documents import fonts
from xieguan.documents.layout import (
    FormDoc,
    Grid,
    Line,
    Note,
    Segment,
    Table,
    padded_rows,
    segment_widths,
    wording,
)
from xieguan.lib import xlsx

Format = Literal["pdf", "docx", "xlsx"]
FORMATS: tuple[Format, ...] = ("pdf", "docx", "xlsx")
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FONT_FILE = fonts.PRIMARY_FILE
PDF_FONT = fonts.PRIMARY_NAME
DOCX_FONT = "宋体"
XLSX_FONT = "宋体"
BODY_PT = 10.5  # 五号
TITLE_PT = 18  # 二号 is 22; 小二 18 fits the long titles on one line
NOTE_PT = 9
MARGINS_CM = (2.5, 2.2, 2.2, 2.2)  # top, right, bottom, left
BLANK_ROW_CM = 0.9  # an empty row on a paper form: one handwritten line


def render(doc: FormDoc, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(doc)
    if fmt == "docx":
        return render_docx(doc)
    if fmt == "xlsx":
        return render_xlsx(doc)
    raise ValueError(f"unknown document format: {fmt}")


def file_response(
    doc: FormDoc, fmt: str, *, inline: bool = False, request: HttpRequest | None = None
) -> HttpResponse:
    """An HTTP response carrying the rendered form, named ``<doc.filename>.<fmt>``.

    With ``request``, a PDF that had to mark characters no font has (``〓``) leaves a warning
    for the user's next page, naming the characters."""
    if fmt == "pdf":
        result = render_pdf_report(doc)
        data = result.data
        if result.missing and request is not None:
            chars = "".join(sorted(result.missing))
            messages.warning(
                request,
                _("《%(title)s》中有 %(n)d 个字没有可用字体，已印为“〓”，请在纸面上手写补正：%(chars)s")
                % {"title": doc.title, "n": len(result.missing), "chars": chars},
            )
    else:
        data = render(doc, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = f"{doc.filename}.{fmt}"
    disposition = "inline" if inline else "attachment"
    ascii_name = f"document.{fmt}"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


CHUNK_LINES = 12  # lines of text in one printed row before it continues in the next ("（续）")


def _pieces(text: str, per_line: int) -> list[str]:
    """``text`` cut into pieces of at most ``CHUNK_LINES`` wrapped lines (paragraphs kept)."""
    if len(text) / per_line + text.count("\n") + 1 <= CHUNK_LINES:  # fits whatever its breaks
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    room = CHUNK_LINES
    for paragraph in text.split("\n"):
        rest = paragraph
        while True:
            needed = max(1, -(-len(rest) // per_line))
            if needed <= room:
                current.append(rest)
                room -= needed
                break
            if room > 0:
                cut = _cut(rest, room * per_line)
                current.append(rest[:cut])
                rest = rest[cut:]
            pieces.append("\n".join(current))
            current, room = [], CHUNK_LINES
    pieces.append("\n".join(current))
    return [p for p in pieces if p] or [""]


def _cut(text: str, at: int) -> int:
    """Where to cut ``text`` near ``at`` so no part starts with a closing mark or ends with an
    opening one (the line-breaking rules of ``documents.linebreak``), a few characters back."""
    from xieguan.documents.linebreak import allowed

    for cut in range(at, max(0, at - 4), -1):
        if 0 < cut < len(text) and allowed(text[cut - 1], text[cut], keep_words=False):
            return cut
    return at


def chunked_rows(
    rows: list[tuple[str, ...]], fractions: list[float], width_pt: float
) -> list[tuple[str, ...]]:
    """Rows whose text would run over about a third of a page, cut into continuation rows.

    A clerk must be able to tell which inspection a page belongs to, and no renderer may be asked
    for a row taller than a page: a long cell is cut every ``CHUNK_LINES`` lines (counted at one
    em per character, the width of a CJK character, with a character to spare), the first cell of
    each continuation row says ``N（续）``, and the row's short cells are printed on its first part."""
    per_line = [max(4, int(f * width_pt / BODY_PT) - 2) for f in fractions]
    out: list[tuple[str, ...]] = []
    for row in rows:
        pieces = [_pieces(text, n) for text, n in zip(row, per_line, strict=True)]
        if all(len(p) == 1 for p in pieces):
            out.append(row)
            continue
        for index in range(max(len(p) for p in pieces)):
            part = [p[index] if index < len(p) else "" for p in pieces]
            if index and row[0] and len(row[0]) <= 8:
                part[0] = f"{row[0]}（续）"
            out.append(tuple(part))
    return out


def _image_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return img.size


def _fit(data: bytes, max_w: float, max_h: float) -> tuple[float, float]:
    """Width and height (same unit as max_w/max_h) that fit the image in the box."""
    w, h = _image_size(data)
    scale = min(max_w / w, max_h / h)
    return w * scale, h * scale


# --- PDF -------------------------------------------------------------------------------


@dataclass
class PdfResult:
    data: bytes
    missing: set[str]  # characters no font of the chain has, printed as 〓 (documents/fonts.py)


def render_pdf(doc: FormDoc) -> bytes:
    return render_pdf_report(doc).data


@functools.cache
def _pdf_style(font: str, size: float, align: str, leading: float) -> Any:
    """A paragraph style, made once per process (styles are only read by reportlab)."""
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    aligns = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
    return ParagraphStyle(
        f"s{size}{align}",
        fontName=font,
        fontSize=size,
        leading=leading,
        alignment=aligns[align],
        wordWrap="CJK",
    )


def render_pdf_report(doc: FormDoc) -> PdfResult:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    from xieguan.documents.linebreak import Paragraph  # CJK wrapping with 禁则, nothing hangs

    doc = _visible(doc)  # a control character would vanish without a trace
    font = fonts.chain().names[0]
    missing: set[str] = set()
    pagesize = landscape(A4) if doc.landscape else A4
    top, right, bottom, left = (m * cm for m in MARGINS_CM)
    width = pagesize[0] - left - right

    def style(size: float = BODY_PT, align: str = "left", leading: float | None = None) -> Any:
        return _pdf_style(font, size, align, leading or size * 1.45)

    own_words = wording(doc)
    own_texts = frozenset(own_words)

    def para(text: str, size: float = BODY_PT, align: str = "left") -> Paragraph:
        # rare characters in fallback fonts, runs of spaces kept (地  址) as the official wording has them
        made = Paragraph(fonts.markup(text, missing), style(size, align))
        made.form_wording = text in own_texts  # drawn from kept operators (linebreak.Paragraph)
        return made

    def padding_for(row_height_cm: float) -> float:
        return max(3.0, (row_height_cm * cm - BODY_PT * 1.45) / 2)

    grid_style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]

    story: list[Any] = []
    if doc.tag:
        story.append(para(doc.tag, 12))
        story.append(Spacer(1, 0.2 * cm))
    title = Paragraph(fonts.markup(doc.title, missing), style(TITLE_PT, "center", TITLE_PT * 1.4))
    title.form_wording = True
    story.extend([title, Spacer(1, 0.5 * cm)])

    for block in doc.blocks:
        if isinstance(block, Grid):
            data = [
                [cell for label, value in row for cell in (para(label, align="center"), para(value))]
                for row in block.rows
            ]
            pad = padding_for(block.row_height_cm)
            t = RLTable(data, colWidths=[w * width for w in block.widths], splitInRow=1)
            t.setStyle(
                TableStyle(
                    [
                        *grid_style,
                        ("TOPPADDING", (0, 0), (-1, -1), pad),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                    ]
                )
            )
            story.append(t)
        elif isinstance(block, Table):
            header = [para(c.title, align="center") for c in block.columns]
            rows = chunked_rows(padded_rows(block), [c.width for c in block.columns], width)
            body = [
                [para(text, align=col.align) for text, col in zip(row, block.columns, strict=True)]
                for row in rows
            ]
            pad = padding_for(block.row_height_cm)
            # A row with nothing in it (paper rows to fill by hand) is a handwritten line high;
            # the others grow with their text; long text was cut into continuation rows that
            # each fit a page (chunked_rows), so no input length can fail the document.
            blank_height = max(block.row_height_cm, BLANK_ROW_CM) * cm
            t = RLTable(
                [header, *body],
                colWidths=[c.width * width for c in block.columns],
                rowHeights=[None, *(blank_height if not any(r) else None for r in rows)],
                repeatRows=1 if block.repeat_header else 0,
            )
            t.setStyle(
                TableStyle(
                    [
                        *grid_style,
                        ("TOPPADDING", (0, 0), (-1, -1), pad),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                    ]
                )
            )
            story.append(t)
        elif isinstance(block, Line):
            story.append(Spacer(1, block.space_before_cm * cm))
            cells: list[Any] = []
            for segment, share in zip(block.segments, segment_widths(block), strict=True):
                cells.append(_pdf_segment(segment, share * width, doc.image_height_cm * cm, para, font))
            t = RLTable([cells], colWidths=[s * width for s in segment_widths(block)])
            t.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), font),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ]
                )
            )
            story.append(t)
        elif isinstance(block, Note):
            story.append(Spacer(1, 0.3 * cm))
            story.append(para(block.text, NOTE_PT))

    def on_page(canvas: Any, pdf: Any) -> None:
        canvas.setTitle(doc.title)
        canvas.setAuthor(doc.meta.get("author", "职业健康监督协管信息系统"))
        canvas.setSubject(doc.meta.get("subject", doc.title))
        if doc.page_numbers:
            canvas.setFont(font, NOTE_PT)
            canvas.drawCentredString(pagesize[0] / 2, bottom / 2, f"第 {pdf.page} 页")

    def canvas_maker(*args: Any, **kwargs: Any) -> Any:
        # the form's own words in font subsets made once per process (fonts.FormFont)
        from reportlab.pdfgen.canvas import Canvas

        made = Canvas(*args, **kwargs)
        fonts.fix_wording(made._doc, "".join(own_words))
        return made

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        topMargin=top,
        rightMargin=right,
        bottomMargin=bottom,
        leftMargin=left,
        title=doc.title,
        initialFontName=font,
        initialFontSize=BODY_PT,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=canvas_maker)
    return PdfResult(buffer.getvalue(), missing)


def _pdf_segment(segment: Segment, box_width: float, image_height: float, para: Any, font: str) -> Any:
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Image, TableStyle
    from reportlab.platypus import Table as RLTable

    label_w = stringWidth(segment.label, font, BODY_PT) + 2 if segment.label else 0
    value_w = max(1.0, box_width - label_w)
    value: Any
    if segment.image:
        w, h = _fit(segment.image, value_w, image_height)
        value = Image(io.BytesIO(segment.image), width=w, height=h, hAlign="LEFT")
    else:
        value = para(segment.value, align=segment.align)
    cells = [para(segment.label), value] if segment.label else [value]
    widths = [label_w, value_w] if segment.label else [box_width]
    inner = RLTable([cells], colWidths=widths)
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    if segment.underline:
        commands.append(("LINEBELOW", (-1, 0), (-1, 0), 0.75, colors.black))
    inner.setStyle(TableStyle(commands))
    return inner


# --- .docx -----------------------------------------------------------------------------


def _docx_set_font(run: Any, name: str = DOCX_FONT, size: float = BODY_PT, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _docx_cell(cell: Any, text: str, align: str, width_cm: float) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    cell.width = Cm(width_cm)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    paragraph.paragraph_format.space_before = 0
    paragraph.paragraph_format.space_after = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _docx_set_font(run)
        if i < len(lines) - 1:
            run.add_break()


def _docx_fits_a_page(values: tuple[str, ...], widths_cm: list[float]) -> bool:
    """Whether a row's text, wrapped in its columns, is well under a page (about 10 cm)."""
    char_cm = BODY_PT * 1.0 / 72 * 2.54  # a CJK character is one em wide
    line_cm = BODY_PT * 1.45 / 72 * 2.54
    lines = max(
        (
            sum(max(1, -(-len(part) // max(1, int(width / char_cm)))) for part in text.split("\n"))
            for text, width in zip(values, widths_cm, strict=True)
        ),
        default=1,
    )
    return lines * line_cm < 10


def _docx_row_props(row: Any, height_cm: float, header: bool = False, keep_together: bool = True) -> None:
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    row.height = Cm(height_cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    tr_pr = row._tr.get_or_add_trPr()
    if keep_together:  # Word clips a row taller than a page that may not split: long rows may
        tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tbl_header = OxmlElement("w:tblHeader")
        tbl_header.set(qn("w:val"), "true")
        tr_pr.append(tbl_header)


def _docx_table(document: Any, n_rows: int, widths_cm: list[float]) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=n_rows, cols=len(widths_cm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Cell margins of 0.1 cm left and right, as the PDF's padding (Word's 0.19 cm wrapped a
    # date like 2025-03-05 in the 附表2's narrow column)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")  # twips
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)
    for column, w in zip(table.columns, widths_cm, strict=True):
        from docx.shared import Cm

        column.width = Cm(w)
    return table


def _visible(value: Any) -> Any:
    """A form's strings, however nested in its blocks, with the characters XML cannot hold shown
    as marks (``xlsx.visible``): a control character in a finding must not fail the .docx or
    .xlsx of a whole year, nor vanish from the PDF."""
    if isinstance(value, str):
        return xlsx.visible(value)
    if isinstance(value, dict):
        return {k: _visible(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_visible(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _visible(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def render_docx(doc: FormDoc) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = _visible(doc)
    document = Document()
    section = document.sections[0]
    short, long_ = Cm(21.0), Cm(29.7)
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = long_, short
    else:
        section.page_width, section.page_height = short, long_
    top, right, bottom, left = MARGINS_CM
    section.top_margin, section.right_margin = Cm(top), Cm(right)
    section.bottom_margin, section.left_margin = Cm(bottom), Cm(left)
    page_w_cm = (29.7 if doc.landscape else 21.0) - left - right

    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    # Chinese line breaking: Word and LibreOffice keep closing marks off a line's start and
    # opening marks off its end (w:kinsoku, on by default; said explicitly), and with
    # w:overflowPunct off no mark hangs past the right edge (over a cell border).
    normal_ppr = normal.element.get_or_add_pPr()
    for tag, value in (("w:kinsoku", "1"), ("w:overflowPunct", "0")):
        setting = OxmlElement(tag)
        setting.set(qn("w:val"), value)
        normal_ppr.append(setting)
    document.core_properties.title = doc.title
    document.core_properties.author = doc.meta.get("author", "职业健康监督协管信息系统")
    document.core_properties.subject = doc.meta.get("subject", doc.title)

    if doc.tag:
        p = document.add_paragraph()
        _docx_set_font(p.add_run(doc.tag), size=12)
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(12)
    _docx_set_font(p.add_run(doc.title), size=TITLE_PT, bold=True)

    previous_was_table = False
    for block in doc.blocks:
        if isinstance(block, Grid):
            widths = [w * page_w_cm for w in block.widths]
            table = _docx_table(document, len(block.rows), widths)
            for row, cells in zip(table.rows, block.rows, strict=True):
                _docx_row_props(row, block.row_height_cm)
                flat = [t for pair in cells for t in pair]
                for i, (cell, text) in enumerate(zip(row.cells, flat, strict=True)):
                    _docx_cell(cell, text, "center" if i % 2 == 0 else "left", widths[i])
            previous_was_table = True
        elif isinstance(block, Table):
            widths = [c.width * page_w_cm for c in block.columns]
            rows = chunked_rows(padded_rows(block), [c.width for c in block.columns], page_w_cm / 2.54 * 72)
            table = _docx_table(document, len(rows) + 1, widths)
            _docx_row_props(table.rows[0], block.row_height_cm, header=block.repeat_header)
            for cell, col, w in zip(table.rows[0].cells, block.columns, widths, strict=True):
                _docx_cell(cell, col.title, "center", w)
            for row, values in zip(table.rows[1:], rows, strict=True):
                height = block.row_height_cm if any(values) else max(block.row_height_cm, BLANK_ROW_CM)
                _docx_row_props(row, height, keep_together=_docx_fits_a_page(values, widths))
                for cell, text, col, w in zip(row.cells, values, block.columns, widths, strict=True):
                    _docx_cell(cell, text, col.align, w)
            previous_was_table = True
        elif isinstance(block, Line):
            p = document.add_paragraph()
            fmt = p.paragraph_format
            fmt.space_before = Cm(
                block.space_before_cm if not previous_was_table else block.space_before_cm + 0.2
            )
            fmt.space_after = 0
            position = 0.0
            char_cm = BODY_PT / 72 * 2.54  # one CJK character
            for i, (segment, share) in enumerate(zip(block.segments, segment_widths(block), strict=True)):
                if segment.align == "right":  # right-aligned at the segment's end, as in the PDF
                    fmt.tab_stops.add_tab_stop(Cm((position + share) * page_w_cm), WD_TAB_ALIGNMENT.RIGHT)
                    p.add_run("\t")
                elif i:
                    fmt.tab_stops.add_tab_stop(Cm(position * page_w_cm), WD_TAB_ALIGNMENT.LEFT)
                    p.add_run("\t")
                position += share
                if segment.label:
                    _docx_set_font(p.add_run(segment.label))
                if segment.image:
                    w_cm, h_cm = _fit(segment.image, share * page_w_cm * 0.6, doc.image_height_cm)
                    p.add_run().add_picture(io.BytesIO(segment.image), width=Cm(w_cm), height=Cm(h_cm))
                elif segment.value or segment.underline:
                    text = segment.value
                    if segment.underline:  # a blank as long as the segment (less a character)
                        room = share * page_w_cm / char_cm - xlsx.display_width(segment.label + text) / 2
                        text += "\u3000" * max(2, int(room) - 1)
                    run = p.add_run(text)
                    _docx_set_font(run)
                    run.font.underline = segment.underline
            previous_was_table = False
        elif isinstance(block, Note):
            p = document.add_paragraph()
            p.paragraph_format.space_before = Pt(6)
            _docx_set_font(p.add_run(block.text), size=NOTE_PT)
            previous_was_table = False

    if doc.page_numbers:
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _docx_set_font(footer.add_run("第 "), size=NOTE_PT)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        footer._p.append(field)
        _docx_set_font(footer.add_run(" 页"), size=NOTE_PT)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- .xlsx -----------------------------------------------------------------------------

XLSX_CHARS_PORTRAIT = 92.0  # Excel column-width units across the printable width of A4
XLSX_CHARS_LANDSCAPE = 140.0


def _boundaries(doc: FormDoc, total_chars: float) -> list[float]:
    """The common column grid: every cell edge of every grid, table and line, as fractions."""
    edges = {0.0, 1.0}

    def add(widths: list[float] | tuple[float, ...]) -> None:
        pos = 0.0
        for w in widths:
            pos += w
            edges.add(round(min(pos, 1.0), 3))

    for block in doc.blocks:
        if isinstance(block, Grid):
            add(block.widths)
        elif isinstance(block, Table):
            add([c.width for c in block.columns])
        elif isinstance(block, Line):
            pos = 0.0
            for segment, share in zip(block.segments, segment_widths(block), strict=True):
                edges.add(round(pos + _label_share(segment, share, total_chars), 3))
                pos += share
                edges.add(round(min(pos, 1.0), 3))
    edges.discard(round(0.0, 3))
    edges.add(0.0)
    return sorted(edges)


def _label_share(segment: Segment, share: float, total_chars: float) -> float:
    """The part of a line segment its label takes in the .xlsx grid (0 without label)."""
    if not segment.label or not (segment.value or segment.image or segment.underline):
        return 0.0
    return min(share * 0.7, (xlsx.display_width(segment.label) + 1) / total_chars)


class XlsxStyle(NamedTuple):
    """One kind of cell of a form's sheet (each kind becomes one style of the workbook)."""

    font: str | None = None  # a key of XLSX_FONTS
    align: str | None = None  # left, center, right (centred vertically, wrapped); "title": centred
    border: str | None = None  # "box" (the four edges) or "bottom" (a blank to fill in)


class XlsxCell(NamedTuple):
    value: str | None  # None: an empty cell that only has a style
    style: XlsxStyle


@dataclass
class XlsxSheet:
    """A form laid out on its sheet: what ``render_xlsx`` writes (and nothing else decides it).

    ``cells[row][column]`` (1-based, the cells that hold text or a style), ``heights[row]`` in
    points, ``merged`` as ``(row, first column, last column)``, ``images`` as ``(anchor cell,
    bytes, width px, height px)``, ``widths`` of the columns, ``title_rows`` printed on every page."""

    widths: list[float]
    cells: dict[int, dict[int, XlsxCell]] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    merged: list[tuple[int, int, int]] = field(default_factory=list)
    images: list[tuple[str, bytes, float, float]] = field(default_factory=list)
    title_rows: str | None = None

    def dimension(self) -> str:
        """The used range, as openpyxl's normal workbook states it (every cell of a merged range
        counts)."""
        rows = set(self.cells) | {row for row, _first, _last in self.merged}
        columns = {c for cells in self.cells.values() for c in cells}
        columns |= {c for _row, first, last in self.merged for c in (first, last)}
        if not rows or not columns:
            return "A1:A1"
        first, last = get_column_letter(min(columns)), get_column_letter(max(columns))
        return f"{first}{min(rows)}:{last}{max(rows)}"


def xlsx_sheet(doc: FormDoc) -> XlsxSheet:
    """The cells, merged ranges, heights and images of ``doc``'s sheet: one grid of columns for
    every block (``_boundaries``), each text in the merged cells under it, boxed in tables and
    grids, a row as high as its wrapped text."""
    doc = _visible(doc)
    total_chars = XLSX_CHARS_LANDSCAPE if doc.landscape else XLSX_CHARS_PORTRAIT
    edges = _boundaries(doc, total_chars)
    n_cols = len(edges) - 1
    sheet = XlsxSheet(widths=[(edges[i + 1] - edges[i]) * total_chars for i in range(n_cols)])
    index = {edge: i + 1 for i, edge in enumerate(edges)}

    def col_index(fraction: float) -> int:
        return index[round(min(fraction, 1.0), 3)]

    def chars_between(a: int, b: int) -> float:
        return (edges[b - 1] - edges[a - 1]) * total_chars

    def cell(row: int, column: int, value: str | None, style: XlsxStyle) -> None:
        sheet.cells.setdefault(row, {})[column] = XlsxCell(value, style)

    boxed_cell = XlsxCell(None, XlsxStyle(border="box"))  # a merged range's other cells: the box
    body_styles = {  # made once: put is called for every cell
        (align, boxed): XlsxStyle("body", align, "box" if boxed else None)
        for align in ("left", "center", "right")
        for boxed in (True, False)
    }

    def span(start: float, end: float) -> tuple[int, int, int]:
        """The first and last column of the cells covering [start, end), and their width."""
        first, last = col_index(start), col_index(end) - 1
        return first, last, int(max(1.0, chars_between(first, last + 1)))

    def put_at(row: int, columns: tuple[int, int, int], text: str, align: str, boxed: bool) -> float:
        """Write text into the merged cells ``columns`` (``span``); return the needed height (pt)."""
        first, last, width = columns
        cells = sheet.cells.setdefault(row, {})
        cells[first] = XlsxCell(text, body_styles[align, boxed])
        if last > first:
            sheet.merged.append((row, first, last))
            if boxed:
                for c in range(first + 1, last + 1):
                    cells[c] = boxed_cell
        if "\n" not in text:
            return max(1, -(-int(xlsx.display_width(text) * 1.1) // width)) * 15.0 + 6
        lines = sum(max(1, -(-int(xlsx.display_width(part) * 1.1) // width)) for part in text.split("\n"))
        return lines * 15.0 + 6

    def put(row: int, start: float, end: float, text: str, align: str, boxed: bool) -> float:
        """Write text into the merged cells covering [start, end); return the needed height (pt)."""
        return put_at(row, span(start, end), text, align, boxed)

    row = 1
    if doc.tag:
        cell(row, 1, doc.tag, XlsxStyle("tag"))
        row += 1
    cell(row, 1, doc.title, XlsxStyle("title", "title"))
    sheet.merged.append((row, 1, n_cols))
    sheet.heights[row] = 36
    row += 1

    for block in doc.blocks:
        if isinstance(block, Grid):
            for pairs in block.rows:
                pos, height = 0.0, block.row_height_cm * 28.35
                flat = [t for pair in pairs for t in pair]
                for i, (text, w) in enumerate(zip(flat, block.widths, strict=True)):
                    need = put(row, pos, pos + w, text, "center" if i % 2 == 0 else "left", True)
                    height = max(height, need)
                    pos += w
                sheet.heights[row] = height
                row += 1
        elif isinstance(block, Table):
            # long text continues in the next rows, as in the PDF (a row is at most 409 pt in Excel)
            width_pt = total_chars / 2 * BODY_PT  # a CJK character: two Excel width units
            body = chunked_rows(padded_rows(block), [c.width for c in block.columns], width_pt)
            all_rows = [tuple(c.title for c in block.columns), *body]
            if block.repeat_header:
                sheet.title_rows = f"{row}:{row}"
            spans, pos = [], 0.0  # every row's cells lie under the same columns
            for col in block.columns:
                spans.append(span(pos, pos + col.width))
                pos += col.width
            aligns = [col.align for col in block.columns]
            for r, values in enumerate(all_rows):
                # an empty paper row is a handwritten line high, as in the PDF and .docx
                least = block.row_height_cm if any(values) else max(block.row_height_cm, BLANK_ROW_CM)
                height = least * 28.35
                for text, columns, align in zip(values, spans, aligns, strict=True):
                    need = put_at(row, columns, text, "center" if r == 0 else align, True)
                    height = max(height, need)
                sheet.heights[row] = min(height, xlsx.MAX_ROW_PT)
                row += 1
        elif isinstance(block, Line):
            row += 1 if block.space_before_cm >= 0.3 else 0
            pos, height = 0.0, 20.0
            for segment, share in zip(block.segments, segment_widths(block), strict=True):
                split = pos + _label_share(segment, share, total_chars)
                end = pos + share
                if split > pos:
                    put(row, pos, split, segment.label, "left", False)
                    value = "" if segment.image else segment.value
                    put(row, split, end, value, segment.align, False)
                else:
                    put(row, pos, end, segment.label + segment.value, segment.align, False)
                if segment.underline:
                    cells = sheet.cells[row]
                    for c in range(col_index(split), col_index(end)):
                        if c in cells:
                            cells[c] = XlsxCell(cells[c].value, cells[c].style._replace(border="bottom"))
                        else:
                            cell(row, c, None, XlsxStyle(border="bottom"))
                if segment.image:
                    w_cm, h_cm = _fit(segment.image, (end - split) * 16.0, doc.image_height_cm)
                    anchor = f"{get_column_letter(col_index(split))}{row}"
                    sheet.images.append((anchor, segment.image, w_cm * 37.8, h_cm * 37.8))
                    height = max(height, h_cm * 28.35 + 4)
                pos = end
            sheet.heights[row] = height
            row += 1
        elif isinstance(block, Note):
            row += 1
            need = put(row, 0.0, 1.0, block.text, "left", False)
            sheet.cells[row][1] = sheet.cells[row][1]._replace(style=XlsxStyle("note", "left"))
            sheet.heights[row] = need
            row += 1
    return sheet


XLSX_FONTS = {
    "tag": Font(name=XLSX_FONT, size=12),
    "title": Font(name=XLSX_FONT, size=TITLE_PT, bold=True),
    "body": Font(name=XLSX_FONT, size=BODY_PT),
    "note": Font(name=XLSX_FONT, size=NOTE_PT),
}
_THIN = Side(style="thin", color="000000")
XLSX_BORDERS = {
    "box": Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN),
    "bottom": Border(bottom=_THIN),
}


def xlsx_style_cell(cell: Any, style: XlsxStyle) -> None:
    """Give an openpyxl cell the font, alignment and border of ``style`` (in that order, which
    is the order the workbook's style lists take them in)."""
    if style.font:
        cell.font = XLSX_FONTS[style.font]
    if style.align == "title":
        cell.alignment = Alignment(horizontal="center", vertical="center")
    elif style.align:
        cell.alignment = Alignment(horizontal=style.align, vertical="center", wrap_text=True)
    if style.border:
        cell.border = XLSX_BORDERS[style.border]


class XlsxPage(NamedTuple):
    """What a form's sheet holds besides its cells (``xlsx_frame`` writes it)."""

    title: str
    author: str
    landscape: bool
    page_numbers: bool
    widths: tuple[float, ...]
    title_rows: str | None
    images: tuple[tuple[str, bytes, float, float], ...]

    @classmethod
    def of(cls, doc: FormDoc, sheet: XlsxSheet) -> XlsxPage:
        author = doc.meta.get("author", "职业健康监督协管信息系统")
        widths = tuple(sheet.widths)
        return cls(
            doc.title, author, doc.landscape, doc.page_numbers, widths, sheet.title_rows, tuple(sheet.images)
        )


def xlsx_frame(ws: Any, page: XlsxPage) -> None:
    """Everything of the sheet but its cells: title, widths, images, page setup, print titles."""
    from openpyxl.drawing.image import Image as XLImage

    ws.title = page.title[:31]
    for i, width in enumerate(page.widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    for anchor, data, width, height in page.images:
        picture = XLImage(io.BytesIO(data))
        picture.width, picture.height = width, height
        ws.add_image(picture, anchor)
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if page.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    top, right, bottom, left = (m / 2.54 for m in MARGINS_CM)
    ws.page_margins.top, ws.page_margins.right = top, right
    ws.page_margins.bottom, ws.page_margins.left = bottom, left
    if page.title_rows:
        ws.print_title_rows = page.title_rows
    if page.page_numbers:
        ws.oddFooter.center.text = "第 &P 页"
    ws.parent.properties.title = page.title
    ws.parent.properties.creator = page.author


StyleKey = tuple[XlsxStyle, bool]  # a kind of cell, and whether its text is quote-prefixed (``guard``)


def _xlsx_frame(page: XlsxPage, kinds: tuple[StyleKey, ...]) -> tuple[xlsx.Frame, dict[StyleKey, str]]:
    """openpyxl's part of a form's file (``xlsx_frame`` and the styles, registered in the order
    ``kinds`` gives, which is the order a normal workbook registers them in: the cells'), and
    each kind's `` s="…"`` attribute for the rows' XML ("" for a cell without style)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet()
    xlsx_frame(ws, page)
    ids = {}
    for style, quoted in kinds:
        cell = WriteOnlyCell(ws)
        xlsx_style_cell(cell, style)
        if quoted:
            cell.quotePrefix = True
        ids[style, quoted] = f' s="{cell.style_id}"' if cell.has_style else ""
    return xlsx.frame(book, ws), ids


# The frames of the forms without images (a register's, a blank's), kept per process: the frame
# depends only on the form's layout and the kinds of its cells, and openpyxl takes about as long
# to write it as the rows of a year's register take.
_xlsx_kept_frame = functools.lru_cache(maxsize=64)(_xlsx_frame)


def render_xlsx(doc: FormDoc) -> bytes:
    """The form's sheet (``xlsx_sheet``) written as openpyxl's normal workbook writes it, but
    each row as one string (``xlsx.write_frame``): openpyxl writes the rest (``_xlsx_frame``,
    kept per layout when the form has no images), the rows' XML is made here, one style per
    kind of cell (``XlsxStyle``). The file holds what a normal workbook with the same cells
    holds, part by part (``test_render.py::test_xlsx_writer_writes_what_openpyxl_writes``)."""
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    sheet = xlsx_sheet(doc)
    page = XlsxPage.of(doc, sheet)
    ordered = sorted(sheet.cells.items())
    kinds: dict[StyleKey, None] = {}  # in the order of first use, as a normal workbook numbers them
    for _number, cells in ordered:
        for _column, (value, style) in sorted(cells.items()):
            kinds[style, value is not None and value[:1] in xlsx.FORMULA_TRIGGERS] = None
    make = _xlsx_frame if page.images else _xlsx_kept_frame
    frame, ids = make(page, tuple(kinds))

    letters = [""] + [get_column_letter(c) for c in range(1, len(sheet.widths) + 1)]
    rows: list[str] = []
    for number in sorted(sheet.cells.keys() | sheet.heights.keys()):
        height = sheet.heights.get(number)
        ht = f' ht="{xlsx.number_xml(height)}" customHeight="1"' if height else ""
        out = [f'<row r="{number}"{ht}>']
        for column, (value, style) in sorted(sheet.cells.get(number, {}).items()):
            ref = f'<c r="{letters[column]}{number}'
            if value is None:
                plain = ids[style, False]
                if plain:  # an empty cell with a style (a box, a blank's line); else not written
                    out.append(f'{ref}"{plain} t="n"></c>')
            elif value[:1] in xlsx.FORMULA_TRIGGERS:  # as ``is_risky``: quote-prefixed
                quoted = ids[style, True]
                out.append(xlsx.text_cell(ref, value, quoted, quoted))
            else:
                out.append(xlsx.text_cell(ref, value, ids[style, False], ""))
        out.append("</row>")
        rows.append("".join(out))
    merged = [f"{letters[first]}{row}:{letters[last]}{row}" for row, first, last in sheet.merged]
    core = tostring(DocumentProperties(creator=page.author, title=page.title).to_tree())
    buffer = io.BytesIO()
    xlsx.write_frame(frame, buffer, rows, merged=merged, dimension=sheet.dimension(), core=core)
    return buffer.getvalue()
