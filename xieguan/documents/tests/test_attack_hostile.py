"""Hostile text in 附表2 (helper atkb): every format renders, and every character comes back
(read from the file), or — where the format cannot hold it — a visible mark in its place."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from docx import Document
from openpyxl import load_workbook

from xieguan.documents.layout import FormDoc
from xieguan.documents.official import fubiao2
from xieguan.documents.render import render_docx, render_pdf_report, render_xlsx
from xieguan.documents.tests.test_render import pdf_text
from xieguan.lib import xlsx

HOSTILE = {
    "closing": "）" * 2000,
    "opening": "（" * 2000,
    "latin_word": "A" * 5000,
    "emoji_astral": "😀👨‍👩‍👧🏳️‍🌈𠀀𪚥\U0002ceb0甲",
    "rtl": "\u202e甲乙\u200f丙\u202c丁",
    "formula": "=cmd|' /C calc'!A0",
    "markup": "<b>甲</b>&amp;<br/>&lt;",
    "control": "甲\x07乙\x1b丙\x0b丁\x0c戊\x1f己\ufffe",
}


def _counts(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


def _covers(found: str, expected: str, copies: int) -> bool:
    need = _counts(expected)
    have = _counts(found)
    return all(have[ch] >= n * copies for ch, n in need.items())


def _doc(text: str) -> FormDoc:
    return fubiao2.register(
        fubiao2.RegisterData(unit="柏果镇", year="2026", rows=[(text, text, "2026-03-05", text, text)])
    )


@pytest.mark.parametrize("name", list(HOSTILE))
def test_xlsx_and_docx_keep_every_character(name: str) -> None:
    text = HOSTILE[name]
    shown = xlsx.visible(text)
    book = load_workbook(io.BytesIO(render_xlsx(_doc(text))))
    cells = [c for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert _covers("".join(str(c.value) for c in cells), shown, 3)
    assert not any(c.data_type == "f" for c in cells)  # the formula stays text
    document = Document(io.BytesIO(render_docx(_doc(text))))
    docx_text = "".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert _covers(docx_text, shown, 3)
    if name == "control":  # every control character shown as its control picture, none lost
        assert "␇" in shown and "␛" in shown and "\ufffd" in shown
        assert len(shown) == len(text)


@pytest.mark.parametrize("name", ["closing", "opening", "latin_word", "rtl", "formula", "markup"])
def test_pdf_keeps_every_character(name: str) -> None:
    text = HOSTILE[name]
    result = render_pdf_report(_doc(text))
    # the right-to-left override has no glyph in any font: printed as 〓 and reported (a trace)
    assert result.missing == ({"\u202e"} if name == "rtl" else set())
    bidi = str.maketrans("", "", "\u202e\u200f\u202c")
    assert _covers(pdf_text(result.data), text.translate(bidi), 3)


def test_pdf_marks_what_no_font_has_and_shows_control_characters() -> None:
    result = render_pdf_report(_doc(HOSTILE["emoji_astral"] + HOSTILE["control"]))
    assert result.data[:5] == b"%PDF-"
    assert {"👨", "🌈"} <= result.missing  # reported to the user, printed as 〓
    text = pdf_text(result.data)
    assert "〓" in text
    assert _covers(text, "␇␛", 3)  # control characters shown, not dropped
