"""The documents engine: one description, three renderers (PDF, .docx, .xlsx)."""

import dataclasses
import io
import os
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from openpyxl import Workbook, load_workbook
from PIL import Image, ImageDraw

from xieguan.documents.layout import Column, FormDoc, Line, Note, Segment, Table
from xieguan.documents.official import BLANK_FORMS, fubiao1, fubiao2
from xieguan.documents.render import (
    XlsxPage,
    render,
    render_docx,
    render_pdf,
    render_xlsx,
    xlsx_frame,
    xlsx_sheet,
    xlsx_style_cell,
)
from xieguan.lib import xlsx


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} (poppler-utils) is needed"
    return path


def pdf_text(data: bytes) -> str:
    out = subprocess.run(
        [poppler("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return out.stdout.decode()


def compact(text: str) -> str:
    return "".join(text.split())


def signature_png() -> bytes:
    img = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(10, 120), (150, 20), (390, 130)], fill=(0, 0, 0, 255), width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


ANSWERS = ["有", "合理缺项", "无", "有", "有", "无", "有"]


def filled() -> fubiao1.CaseFormData:
    return fubiao1.CaseFormData(
        employer_name="贵州盘州测试煤矿有限公司",
        address="盘州市柏果镇测试路1号",
        legal_representative="张三",
        phone="13800000000",
        items=[(n, w, a) for (n, w), a in zip(fubiao1.ITEMS, ANSWERS, strict=True)],
        companion_signature=signature_png(),
        assistant_signature=signature_png(),
        inspected_at="2026年3月5日 14时30分",
    )


def long_register(rows: int = 80) -> FormDoc:
    return FormDoc(
        title="测试登记表",
        blocks=(
            Line(
                (
                    Segment("单位：", "柏果镇", underline=True, width=0.6),
                    Segment("", "2026年度", align="right"),
                )
            ),
            Table(
                columns=(Column("序号", 0.1), Column("内容", 0.7, "left"), Column("备注", 0.2)),
                rows=tuple((str(i), f"第{i}行内容", "") for i in range(1, rows + 1)),
            ),
            Note("注：测试说明。"),
        ),
        page_numbers=True,
    )


def test_fubiao1_pdf_embeds_the_font_and_has_every_wording():
    data = render_pdf(fubiao1.case_form(filled()))
    assert data.startswith(b"%PDF")
    fonts = subprocess.run(
        [poppler("pdffonts"), "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all(" yes yes " in line for line in font_lines), fonts
    text = compact(pdf_text(data))
    for word in ("附表1", "职业健康监督协管巡查个案信息表", "用人单位名称", "法定代表人", "联系电话"):
        assert word in text
    for _number, wording in fubiao1.ITEMS:
        assert compact(wording)[:12] in text
    assert "用人单位陪同人员签字：" in text and "协管员签字：" in text
    assert "巡查时间：2026年3月5日14时30分" in text
    assert "合理缺项" in text and "贵州盘州测试煤矿有限公司" in text


def test_fubiao1_docx_cells():
    document = Document(io.BytesIO(render_docx(fubiao1.case_form(filled()))))
    grid, table = document.tables
    assert [c.text for c in grid.rows[0].cells] == [
        "用人单位名称",
        "贵州盘州测试煤矿有限公司",
        "地  址",
        "盘州市柏果镇测试路1号",
    ]
    assert [c.text for c in grid.rows[1].cells] == ["法定代表人", "张三", "联系电话", "13800000000"]
    assert [c.text for c in table.rows[0].cells] == ["序号", "巡查内容", "有/无"]
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert body == [[str(n), w, a] for (n, w), a in zip(fubiao1.ITEMS, ANSWERS, strict=True)]
    tr_pr = table.rows[0]._tr.trPr
    assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "用人单位陪同人员签字：" in text
        and "协管员签字：" in text
        and "巡查时间：2026年3月5日 14时30分" in text
    )
    assert len(document.inline_shapes) == 2  # both signatures
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_fubiao1_xlsx_has_print_titles_and_images():
    wb = load_workbook(io.BytesIO(render_xlsx(fubiao1.case_form(filled()))))
    ws = wb.active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "职业健康监督协管巡查个案信息表" in values and "有/无" in values
    for _n, wording in fubiao1.ITEMS:
        assert wording in values
    header_row = next(r for r in ws.iter_rows() if any(c.value == "有/无" for c in r))[0].row
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert len(ws._images) == 2


def test_blank_fubiao1_has_empty_answers():
    doc = BLANK_FORMS["fubiao1"].build()
    document = Document(io.BytesIO(render_docx(doc)))
    _grid, table = document.tables
    assert [row.cells[2].text for row in table.rows[1:]] == [""] * 7
    assert "职业病危害项目申报情况" in compact(pdf_text(render_pdf(doc)))


def test_long_table_repeats_its_header_on_every_pdf_page():
    data = render_pdf(long_register(80))
    pages = pdf_text(data).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "序号" in page and "备注" in page
        assert f"第{number}页" in compact(page)


def test_paper_rows_are_padded():
    doc = FormDoc(title="t", blocks=(Table(columns=(Column("a", 0.5), Column("b", 0.5)), min_rows=5),))
    document = Document(io.BytesIO(render_docx(doc)))
    assert len(document.tables[0].rows) == 6


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_every_format_renders_a_long_register(fmt):
    assert len(render(long_register(30), fmt)) > 1000


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render(long_register(1), "odt")


# --- documents that never fail and lose no character (issue 15) -----------------------------

RARE = "王䶮 𠀀𪚥 \U0002a700 \U0002b740 \U0002b820 \U0002ceb0 䶵"  # Extensions A, B, B, C, D, E, F, A
NOTE_MAX = 2000  # the inspection form's longest 情况说明 per item


def test_a_row_longer_than_a_page_splits_instead_of_failing():
    from xieguan.documents.official import fubiao2

    finding = "；".join(
        f"第{i}项：" + "粉尘浓度超标，未设置防护设施。" * (NOTE_MAX // 16) for i in range(1, 8)
    )
    data = fubiao2.RegisterData(
        unit="柏果镇",
        year="2026",
        rows=[("贵州测试煤矿 附表1", finding, "2026-03-05", "张三", "已报告")] * 2,
    )
    doc = fubiao2.register(data)
    pdf = render_pdf(doc)
    pages = [compact(p) for p in pdf_text(pdf).split("\f") if p.strip()]
    assert len(pages) >= 5
    for page in pages:  # every page: the header, and a row that says which inspection it continues
        # (the narrow 序号 cell prints "1" and "（续）" on two lines: a "（" never ends a line)
        assert "巡查地点与内容" in page and ("（续）" in page or "贵州测试煤矿" in page), page[:80]
        assert page.count("巡查地点与内容") == 1  # no page of repeated headers alone
    assert "第7项" in "".join(pages)
    assert render_docx(doc)[:2] == b"PK" and render_xlsx(doc)[:2] == b"PK"


def test_rare_characters_are_embedded_from_the_fallback_fonts_and_read_back():
    from xieguan.documents import fonts
    from xieguan.documents.render import render_pdf_report

    if len(fonts.chain().names) < 3:
        message = "fonts-hanazono is not installed (apt-get install fonts-hanazono)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + ": CI installs it (.ci/run) and may not skip this test")
        pytest.skip(message)
    doc = FormDoc(title="生僻字测试", blocks=(Note(RARE),))
    result = render_pdf_report(doc)
    assert result.missing == set()
    assert compact(RARE) in compact(pdf_text(result.data))
    fonts_used = subprocess.run(
        [poppler("pdffonts"), "-"], input=result.data, capture_output=True, check=True
    )
    listing = fonts_used.stdout.decode()
    assert "HanaMinA" in listing and "HanaMinB" in listing


def test_what_the_primary_font_lists_with_an_empty_glyph_is_drawn_by_another_font():
    """WenQuanYi Micro Hei maps ℃, ℉, Ⅴ and the pinyin ǎ to empty glyphs: they printed as a blank
    with no warning (高温作业 35℃ read "35 "). Now the fallback font draws them (or, without one,
    they print as 〓 and are reported); spaces keep their empty glyphs."""
    from reportlab.pdfbase import pdfmetrics

    from xieguan.documents import fonts
    from xieguan.documents.render import render_pdf_report

    chain = fonts.chain()
    drawn = fonts._drawn(pdfmetrics.getFont(chain.names[0]).face)
    assert {ord(c) for c in "温度作业m³※"} <= drawn and {ord(c) for c in " \u3000\u200b"} <= drawn
    assert not {ord(c) for c in "℃℉Ⅴǎǜ"} & drawn
    for char in "℃℉Ⅴǎ":
        assert chain.font_for(char) != chain.names[0], char
    result = render_pdf_report(FormDoc(title="测试", blocks=(Note("高温作业 35℃，97℉，Ⅴ类，nǎ"),)))
    if len(chain.names) > 1:  # Debian's fonts-hanazono (CI installs it): HanaMinA draws them
        assert result.missing == set()
        assert "35℃，97℉，Ⅴ类，nǎ" in compact(pdf_text(result.data))
        listing = subprocess.run(
            [poppler("pdffonts"), "-"], input=result.data, capture_output=True, check=True
        )
        assert "HanaMinA" in listing.stdout.decode()
    else:
        assert result.missing == set("℃℉Ⅴǎ")


def test_a_character_no_font_has_is_marked_and_reported(settings):
    from xieguan.documents import fonts
    from xieguan.documents.render import render_pdf_report

    result = render_pdf_report(FormDoc(title="测试", blocks=(Note("甲\U00031350乙"),)))  # Extension G
    assert result.missing == {"\U00031350"}
    assert "甲〓乙" in compact(pdf_text(result.data))
    assert fonts.MISSING_MARK == "〓"


def test_blank_paper_rows_are_a_handwritten_line_high():
    """Measured from the PDF: the 12 empty rows between the header and the note are each ≥ 9 mm."""
    import re

    from xieguan.documents.official import fubiao2

    pdf = render_pdf(fubiao2.blank())
    out = subprocess.run(
        [poppler("pdftotext"), "-bbox", "-f", "1", "-l", "1", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    words = {
        m.group(5): (float(m.group(2)), float(m.group(4)))
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', out
        )
    }
    header_bottom = words["序号"][1]
    note_top = next(y_min for text, (y_min, _) in words.items() if text.startswith("注："))
    mm = (note_top - header_bottom) * 25.4 / 72
    assert mm >= fubiao2.BLANK_ROWS * 9, mm
    assert "______年度" in "".join(words)


def test_docx_lets_only_long_rows_split():
    from xieguan.documents.official import fubiao2

    long_finding = "粉尘浓度超标，未设置防护设施。" * 200
    doc = fubiao2.register(
        fubiao2.RegisterData(
            rows=[("地点", "短", "2026-03-05", "张三", ""), ("地点", long_finding, "2026-03-06", "张三", "")]
        )
    )
    table = Document(io.BytesIO(render_docx(doc))).tables[-1]
    cant = [row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows]
    assert cant[:2] == [True, True] and len(cant) > 3  # the long row continues in rows that fit a page
    assert table.rows[3].cells[0].text == "2（续）"


@pytest.mark.parametrize("text", ["甲" * 14000, "甲乙\n" * 3000, ("很长的一段话" * 50 + "\n\n") * 40])
def test_no_text_length_fails_any_format(text):
    from xieguan.documents.official import fubiao2

    doc = fubiao2.register(fubiao2.RegisterData(rows=[(text, text, text, text, text)]))
    assert render_pdf(doc)[:5] == b"%PDF-"
    assert render_docx(doc)[:2] == b"PK" and render_xlsx(doc)[:2] == b"PK"


def _kinsoku_text(prefix: int) -> str:
    return "甲" * prefix + "（乙丙）。丁戊，己庚“辛壬”癸、子丑：寅卯；辰巳！午未？申酉（戌亥）"


def test_closing_marks_never_start_a_line_and_nothing_hangs():
    """Every offset of the marks against the line end: reportlab alone starts lines with "）" or
    hangs them past the box; the paragraph of ``linebreak`` does neither and loses nothing."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as RLParagraph

    from xieguan.documents import fonts
    from xieguan.documents.linebreak import NO_LINE_END, NO_LINE_START, Paragraph

    style = ParagraphStyle("t", fontName=fonts.chain().names[0], fontSize=10, leading=14, wordWrap="CJK")
    box = 101.0
    reportlab_faults = 0
    for prefix in range(12):
        text = _kinsoku_text(prefix)
        ours = Paragraph(fonts.markup(text), style)
        ours.wrap(box, 1000)
        lines = ["".join(f.text for f in line.words) for line in ours.blPara.lines]
        assert "".join(lines) == text
        for line, laid in zip(lines, ours.blPara.lines, strict=True):
            assert line[0] not in NO_LINE_START and line[-1] not in NO_LINE_END, lines
            assert laid.currentWidth <= box + 0.01, lines
        theirs = RLParagraph(fonts.markup(text), style)
        theirs.wrap(box, 1000)
        for extra_space, (words,) in theirs.blPara.lines:  # one font: reportlab's (space, [text]) lines
            if words[0] in NO_LINE_START or words[-1] in NO_LINE_END or extra_space < -0.01:
                reportlab_faults += 1
    assert reportlab_faults  # the text really puts marks at line ends


def test_a_paragraph_wrapped_again_at_the_same_width_keeps_its_lines(monkeypatch):
    """A table wraps each cell twice at one width: the second wrap gives the kept lines; another
    width breaks the paragraph again, with the lines of that width."""
    from reportlab.lib.styles import ParagraphStyle

    from xieguan.documents import fonts, linebreak

    calls: list[int] = []
    split_lines = linebreak.split_lines

    def counted(*args):
        calls.append(1)
        return split_lines(*args)

    monkeypatch.setattr(linebreak, "split_lines", counted)
    style = ParagraphStyle("t", fontName=fonts.chain().names[0], fontSize=10, leading=14, wordWrap="CJK")
    text = _kinsoku_text(5)
    para = linebreak.Paragraph(fonts.markup(text), style)
    assert para.wrap(101.0, 1000) == para.wrap(101.0, 1000)
    assert len(calls) == 1
    _, narrow = para.wrap(60.0, 1000)
    fresh = linebreak.Paragraph(fonts.markup(text), style)
    assert len(calls) == 2 and fresh.wrap(60.0, 1000)[1] == narrow
    shown = ["".join(f.text for f in line.words) for line in para.blPara.lines]
    assert shown == ["".join(f.text for f in line.words) for line in fresh.blPara.lines]


def test_a_form_printed_again_parses_and_breaks_no_paragraph_again(monkeypatch):
    """A paragraph's markup is parsed once per process per text and style, and its lines kept
    per width (``linebreak._parsed``): a second copy of the same 附表1 parses and breaks
    nothing; a new text (another employer) is parsed and broken, the fixed wordings are not."""
    from reportlab.platypus.paraparser import ParaParser

    from xieguan.documents import linebreak

    counts = {"parse": 0, "break": 0}
    split_lines, parse = linebreak.split_lines, ParaParser.parse

    def counted_split(*args):
        counts["break"] += 1
        return split_lines(*args)

    def counted_parse(self, *args):
        counts["parse"] += 1
        return parse(self, *args)

    monkeypatch.setattr(linebreak, "split_lines", counted_split)
    monkeypatch.setattr(ParaParser, "parse", counted_parse)
    linebreak._parsed.cache_clear()
    form = filled()
    render_pdf(fubiao1.case_form(form))
    first = dict(counts)
    assert first["parse"] > 20 and first["break"] > 20
    render_pdf(fubiao1.case_form(form))
    assert counts == first
    other = dataclasses.replace(form, employer_name="另一家测试公司")
    render_pdf(fubiao1.case_form(other))
    assert 0 < counts["parse"] - first["parse"] <= 2 and 0 < counts["break"] - first["break"] <= 2


def test_closing_marks_never_start_a_line_in_the_pdf():
    """Read back from the PDF: a one-column table of narrow cells, one printed line per text line."""
    from xieguan.documents.linebreak import NO_LINE_END, NO_LINE_START

    texts = [_kinsoku_text(prefix) for prefix in range(12)]
    doc = FormDoc(
        title="禁则",
        blocks=(Table(columns=(Column("内容", 0.2, "left"),), rows=tuple((t,) for t in texts)),),
    )
    lines = [line.strip() for line in pdf_text(render_pdf(doc)).splitlines() if line.strip()]
    body = [line for line in lines if line not in ("禁则", "内容")]
    assert len(body) > 3 * len(texts)
    for line in body:
        assert line[0] not in NO_LINE_START and line[-1] not in NO_LINE_END, line
    assert compact("".join(body)) == compact("".join(texts))


def test_docx_asks_for_chinese_line_breaking_without_hanging_marks():
    document = Document(io.BytesIO(render_docx(long_register(3))))
    ppr = document.styles["Normal"].element.pPr
    assert ppr.find(qn("w:kinsoku")).get(qn("w:val")) == "1"
    assert ppr.find(qn("w:overflowPunct")).get(qn("w:val")) == "0"


def _normal_workbook_xlsx(doc: FormDoc) -> bytes:
    """``doc``'s sheet (``xlsx_sheet``) through openpyxl's normal workbook, cell by cell, as the
    renderer wrote it before it wrote the rows' XML itself: merged first, then each cell
    styled in the rows' order (a merged range's other cells keep the style given here)."""
    sheet = xlsx_sheet(doc)
    book = Workbook()
    ws = book.active
    xlsx_frame(ws, XlsxPage.of(doc, sheet))
    for row, first, last in sheet.merged:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    for row, cells in sorted(sheet.cells.items()):
        for column, (value, style) in sorted(cells.items()):
            xlsx_style_cell(ws.cell(row=row, column=column, value=value), style)
    for row, height in sheet.heights.items():
        ws.row_dimensions[row].height = height
    return xlsx.to_bytes(book)


def _xlsx_parts(content: bytes) -> dict[str, str]:
    """Every part of an .xlsx as canonical XML; merged ranges sorted (openpyxl keeps them in a
    set, so their order is arbitrary) and the file's times left out (the time it was made)."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if not name.endswith((".xml", ".rels")):
                parts[name] = data.hex()
                continue
            root = etree.fromstring(data)
            for ranges in root.iter("{*}mergeCells"):
                ranges[:] = sorted(ranges, key=lambda merged: merged.get("ref"))
            for stamp in [*root.iter("{*}created"), *root.iter("{*}modified")]:
                stamp.getparent().remove(stamp)
            parts[name] = etree.tostring(root, method="c14n2").decode()
    return parts


HOSTILE_ROWS = [
    ('=HYPERLINK("http://x")', "＋1 & <b> \r\n 两行\n  缩进", "2025-01-01", " 张三 ", "@x\x07y"),
    ("长" * 2000, "-5", "", "", "备注\ufffe"),
    ("", "", "", "", ""),
]


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(fubiao1.case_form(filled()), id="fubiao1-signed"),
        pytest.param(long_register(), id="long-register"),
        pytest.param(
            fubiao2.register(
                fubiao2.RegisterData(unit="=cmd|' /C calc'!A0", year="2025", rows=HOSTILE_ROWS, min_rows=5)
            ),
            id="fubiao2-hostile",
        ),
        *(pytest.param(form.build(), id=f"blank-{slug}") for slug, form in BLANK_FORMS.items()),
    ],
)
def test_xlsx_writer_writes_what_openpyxl_writes(doc):
    """``render_xlsx`` writes the rows' XML itself (``xlsx.save_sheet``): every part of its file
    is the XML openpyxl's normal workbook writes for the same cells, styles, merged ranges,
    heights, widths, images, page setup and print titles (style ids and the styles' order
    included), so the printed form cannot drift from what openpyxl would print."""
    expected = _xlsx_parts(_normal_workbook_xlsx(doc))
    assert _xlsx_parts(render_xlsx(doc)) == expected
    assert _xlsx_parts(render_xlsx(doc)) == expected  # again, from the frame kept for its layout


def _pngs(data: bytes, tmp_path, name: str) -> list[bytes]:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run([poppler("pdftoppm"), "-png", "-r", "60", str(pdf), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]


FIXED_FORMS = {
    "fubiao1": lambda: fubiao1.case_form(filled()),
    "fubiao2": lambda: fubiao2.register(
        fubiao2.RegisterData(
            unit="柏果镇", year="2026", rows=[("测试煤矿，粉尘", "未检测", "2026-03-05", "李四", "报告")] * 40
        )
    ),
    "blank1": BLANK_FORMS["fubiao1"].build,
}


@pytest.mark.parametrize("name", FIXED_FORMS)
def test_the_form_s_wording_in_kept_subsets_prints_the_same_page(name, tmp_path, monkeypatch):
    """The form's wording embedded from font subsets made once per process (fonts.FormFont)
    draws the same pages, pixel for pixel, and reads back the same text, as reportlab's own
    embedding of one subset per 256 characters in the order they are drawn."""
    from xieguan.documents import fonts

    doc = FIXED_FORMS[name]()
    render_pdf(doc)  # the kept subsets are made
    kept = render_pdf(doc)
    monkeypatch.setattr(fonts, "fix_wording", lambda _doc, _text: None)
    plain = render_pdf(doc)
    # the wording in subsets of its own, the record's characters in others (a blank has none)
    assert kept.count(b"/FontFile2") == plain.count(b"/FontFile2") + (name != "blank1")
    assert _pngs(kept, tmp_path, "kept") == _pngs(plain, tmp_path, "plain")
    assert pdf_text(kept) == pdf_text(plain)


def test_a_form_printed_again_subsets_only_the_record_s_own_characters(monkeypatch):
    """A second copy of 附表1 makes no font subset of the form's wording again: reportlab's
    subsetting (a TrueType file per subset, then compressed) runs only for the characters of the
    record (its employer, address, names) that the wording does not have."""
    from reportlab.pdfbase import pdfmetrics

    from xieguan.documents import fonts
    from xieguan.documents.layout import wording

    face = pdfmetrics.getFont(fonts.chain().names[0]).face
    doc = fubiao1.case_form(filled())
    render_pdf(doc)
    made: list[list[int]] = []
    make_subset = face.makeSubset

    def counted(subset: list[int]) -> bytes:
        made.append(subset)
        return make_subset(subset)

    monkeypatch.setattr(face, "makeSubset", counted)
    render_pdf(doc)
    own = set(map(ord, "".join(wording(doc)))) | set(range(128))
    assert len(made) == 1 and made[0][1:] and not own & set(made[0][1:])
    assert set(map(ord, "贵州盘张三")) <= set(made[0])


def test_the_kept_subsets_hold_no_record_s_values():
    """What is kept between documents (the fixed subsets' CMaps, programs and widths) is made
    from the forms' wording only: no character of a record's values that the wording lacks."""
    import zlib

    from reportlab.pdfbase import pdfmetrics

    from xieguan.documents import fonts

    values = "甄嬛樊篱蔺鑫"  # none of them in any form's wording
    form = dataclasses.replace(filled(), employer_name=values[:3], legal_representative=values[3:])
    data = render_pdf(fubiao1.case_form(form))
    text = compact(pdf_text(data))
    assert values[:3] in text and values[3:] in text
    font = pdfmetrics.getFont(fonts.chain().names[0])
    assert font._kept
    for (_n, subset, _compressed), parts in font._kept.items():
        assert not set(map(ord, values)) & set(subset)
        cmap = zlib.decompress(parts.cmap) if parts.compressed else parts.cmap
        for char in values:
            assert f"<{ord(char):04X}>".encode() not in cmap


def test_a_form_printed_again_draws_its_wording_from_kept_operators(monkeypatch):
    """The paragraphs of the form's own wording (labels, the check-list, the answers' words) are
    drawn by reportlab once per process; a second copy draws only the record's own texts."""
    from reportlab.platypus.paragraph import Paragraph as RLParagraph

    from xieguan.documents import linebreak

    drawn: list[str] = []
    draw_para = RLParagraph.drawPara

    def counted(self, *args):
        drawn.append(self.text)
        return draw_para(self, *args)

    monkeypatch.setattr(RLParagraph, "drawPara", counted)
    linebreak._DRAWN.clear()
    form = filled()
    render_pdf(fubiao1.case_form(form))
    first = list(drawn)
    assert "职业病危害项目申报情况" in first and "用人单位名称" in first
    drawn.clear()
    render_pdf(fubiao1.case_form(form))
    assert "职业病危害项目申报情况" not in drawn and "用人单位名称" not in drawn
    assert "贵州盘州测试煤矿有限公司" in drawn and "张三" in drawn
    assert 0 < len(drawn) < len(first) / 3


def test_the_kept_drawings_hold_only_the_form_s_wording():
    """What is kept drawn between documents is the form's wording alone: no record's value,
    even one made only of the wording's characters (its codes are the same, it is still the
    record's). A value that is a whole text of the wording (a legal representative called 有)
    draws as that text does: the kept operators are the wording's."""
    from xieguan.documents import fonts, linebreak
    from xieguan.documents.layout import wording

    linebreak._DRAWN.clear()
    form = dataclasses.replace(filled(), employer_name="工作场所", legal_representative="有")
    doc = fubiao1.case_form(form)
    data = render_pdf(doc)
    assert "工作场所" in compact(pdf_text(data))
    own = {fonts.markup(text) for text in wording(doc)}
    assert linebreak._DRAWN
    assert {key[0] for key in linebreak._DRAWN} <= own
    assert "工作场所" not in {key[0] for key in linebreak._DRAWN}
