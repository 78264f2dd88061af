"""附表1 of one inspection, as PDF and .docx: every wording, every answer, both signatures."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from docx import Document

from xieguan.documents.official import fubiao1 as fubiao1_form
from xieguan.inspections import actions
from xieguan.inspections.tests.factories import ANSWERS, payload

pytestmark = pytest.mark.django_db
LABELS = {"yes": "有", "no": "无", "na": "合理缺项"}


def compact(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def inspection(personas, fubiao1, employer):
    return actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection


def test_pdf_has_every_item_and_answer(client_for, inspection):
    response = client_for("panzhou").get(reverse("inspections:print", args=[inspection.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    tool = shutil.which("pdftotext")
    assert tool
    text = subprocess.run(
        [tool, "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = compact(text)
    for _number, wording in fubiao1_form.ITEMS:
        assert compact(wording) in flat or compact(wording)[:20] in flat
    # each row: number, wording (maybe wrapped), then the answer on the row's first line
    rows = [line for line in text.splitlines() if line.strip()[:1].isdigit()]
    answers = [LABELS[ANSWERS[n]] for n in range(1, 8)]
    assert [row.split()[-1] for row in rows[-7:]] == answers
    assert "贵州盘州测试煤矿有限公司" in flat and "巡查时间：" in flat and "协管员签字：" in flat
    # the assistant's notes on items, which the official form has no column for: under the table
    noted = [n for n in range(1, 8) if ANSWERS[n] == "no"]
    assert noted
    assert "情况说明：" + "；".join(f"第{n}项，说明{n}" for n in noted) + "。" in flat
    assert flat.index("情况说明") < flat.index("协管员签字")
    images = subprocess.run(
        [shutil.which("pdfimages") or "pdfimages", "-list", "-"], input=response.content, capture_output=True
    )
    if images.returncode == 0:
        assert len([line for line in images.stdout.decode().splitlines()[2:] if line.strip()]) >= 2


def _pdf_text(content: bytes) -> str:
    tool = shutil.which("pdftotext")
    assert tool
    return compact(
        subprocess.run([tool, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    )


def test_two_records_printed_in_turn_each_show_their_own_values(client_for, personas, fubiao1, employer):
    """The form's wording is embedded from font subsets kept per process (documents.fonts.FormFont):
    two inspections printed one after the other each show the form's wording and their own
    values, none of the other's."""
    from xieguan.lib.testing import EmployerFactory

    other = EmployerFactory(
        name="遵义鑫垚化工厂",
        address="盘州市柏果镇翡翠路8号",
        legal_representative="欧阳婕",
        phone="13911112222",
    )
    client = client_for("panzhou")
    texts = []
    for record in (employer, other, employer):
        printed = actions.submit_inspection(personas.xieguan, payload(record, fubiao1)).inspection
        response = client.get(reverse("inspections:print", args=[printed.pk, "pdf"]))
        assert response.status_code == 200
        texts.append(_pdf_text(response.content))
    mine = ("贵州盘州测试煤矿有限公司", "盘州市柏果镇测试路1号", "张三", "13800000000")
    theirs = ("遵义鑫垚化工厂", "盘州市柏果镇翡翠路8号", "欧阳婕", "13911112222")
    for text, (own, foreign) in zip(texts, ((mine, theirs), (theirs, mine), (mine, theirs)), strict=True):
        assert fubiao1_form.TITLE in text and "用人单位名称" in text and "巡查时间：" in text
        assert all(value in text for value in own)
        assert not any(value in text for value in foreign)


def test_the_pdf_reads_the_check_list_and_answers_in_one_statement(client_for, inspection):
    """The print view: the session, the user, the inspection, then the template's items with the
    inspection's answers and notes in one statement (printing.checklist_rows); an item without an
    answer prints an empty 有/无 cell."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspection.answers.filter(item__number=4).delete()
    client = client_for("panzhou")
    url = reverse("inspections:print", args=[inspection.pk, "pdf"])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries.captured_queries) == 4, [q["sql"][:80] for q in queries.captured_queries]
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    rows = [line.split() for line in text.splitlines() if line.strip()[:1].isdigit()][-7:]
    assert [row[0] for row in rows] == [str(n) for n in range(1, 8)]
    assert [row[-1] for row in rows] == [LABELS[ANSWERS[n]] if n != 4 else rows[3][-1] for n in range(1, 8)]
    assert rows[3][-1] not in LABELS.values()  # item 4: the wording ends the row, no answer


def test_docx_cells_are_right(client_for, inspection):
    response = client_for("xieguan").get(reverse("inspections:print", args=[inspection.pk, "docx"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    document = Document(io.BytesIO(response.content))
    grid, table = document.tables
    assert [c.text for c in grid.rows[0].cells] == [
        "用人单位名称",
        "贵州盘州测试煤矿有限公司",
        "地  址",
        "盘州市柏果镇测试路1号",
    ]
    assert [c.text for c in grid.rows[1].cells] == ["法定代表人", "张三", "联系电话", "13800000000"]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["序号", "巡查内容", "有/无"],
        *[[str(n), w, LABELS[ANSWERS[n]]] for n, w in fubiao1_form.ITEMS],
    ]
    assert len(document.inline_shapes) == 2
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "情况说明：第" in paragraphs
    assert (
        "附表1" in paragraphs
        and "职业健康监督协管巡查个案信息表" in paragraphs
        and "巡查时间：" in paragraphs
    )


def test_unknown_format_is_404(client_for, inspection):
    assert (
        client_for("xieguan").get(reverse("inspections:print", args=[inspection.pk, "xlsx"])).status_code
        == 404
    )
