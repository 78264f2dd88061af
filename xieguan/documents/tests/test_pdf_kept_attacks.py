"""Attacks on what the PDF renderer keeps per process (``fonts.FormFont``'s fixed subsets,
``linebreak``'s kept drawings): records whose values are, or begin like, the form's wording, or
hold characters outside the fonts, control characters and direction marks, must each come out as
they do with nothing kept; and two threads rendering at once (gunicorn's threads) must each get
what one thread alone gets."""

from __future__ import annotations

import dataclasses
import re
import threading
import zlib
from typing import Any

from xieguan.documents import linebreak
from xieguan.documents.layout import FormDoc
from xieguan.documents.official import fubiao1, fubiao2
from xieguan.documents.render import render_pdf
from xieguan.documents.tests.test_render import filled

WORDING = "".join(text for _number, text in fubiao1.ITEMS)


def _streams(data: bytes) -> list[bytes]:
    """Every stream of the PDF, decompressed: the pages' operators, the fonts, the images."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def _hostile() -> list[FormDoc]:
    records: list[dict[str, Any]] = [
        {"employer_name": "有", "legal_representative": "无", "address": "合理缺项", "phone": "年月日时分"},
        {"employer_name": "职业病危害项目申报情况", "address": "用人单位名称", "legal_representative": "1"},
        {"employer_name": "职业病危害项目申报", "address": "地  址", "legal_representative": "法定代表人"},
        {"employer_name": "\u202e有\u202c", "address": "\x00\x01\x07有\x1b"},
        {"legal_representative": "\ufeff无", "phone": "\u200f有\u200e"},
        {"employer_name": "𪚥𪚥有", "address": "测" * 10_000, "legal_representative": "<b>有</b>&amp;"},
        {"employer_name": WORDING, "legal_representative": "巡查内容"},
        {"notes": [(1, "有"), (2, "职业病危害项目申报情况"), (3, "\u200f" + "无" * 3000)]},
    ]
    docs = [fubiao1.case_form(dataclasses.replace(filled(), **record)) for record in records]
    rows = [("年度", "有", "2026", "无", fubiao2.NOTE)] * 30
    docs.append(fubiao2.register(fubiao2.RegisterData(unit="有", year="年度", rows=rows)))
    return docs


def test_kept_wording_never_changes_another_record_s_pdf():
    docs = _hostile()
    alone = []
    for doc in docs:
        linebreak._DRAWN.clear()
        alone.append(_streams(render_pdf(doc)))
    for doc, expected in zip([*docs, *reversed(docs)], [*alone, *reversed(alone)], strict=True):
        assert _streams(render_pdf(doc)) == expected, doc.blocks[0]


def test_two_threads_render_what_one_renders():
    docs = _hostile()[:5]
    linebreak._DRAWN.clear()
    alone = [_streams(render_pdf(doc)) for doc in docs]
    got: dict[int, list[tuple[int, list[bytes]]]] = {0: [], 1: []}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        order = list(range(len(docs))) if n == 0 else list(reversed(range(len(docs))))
        try:
            for _round in range(2):
                for i in order:
                    got[n].append((i, _streams(render_pdf(docs[i]))))
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors
    for n in (0, 1):
        assert len(got[n]) == 2 * len(docs)
        for i, streams in got[n]:
            assert streams == alone[i], (n, i)
