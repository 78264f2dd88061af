"""附表2: generated from the submitted case forms; rows equal the inspections; three formats."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from xieguan.accounts.models import Agency, Role
from xieguan.indicators.tests.factories import (
    EmployerFactory,
    InspectionFactory,
    LeadFactory,
    UserFactory,
    answer_all,
    at,
    fubiao1_template,
)
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.leads.models import AssistRequest, AssistStatus, LeadStatus, OfficerAction
from xieguan.lib.testing import OTHER_TOWNSHIP, TOWNSHIP

pytestmark = pytest.mark.django_db
PAGE = reverse("indicators:register")


@pytest.fixture
def register_data(personas):
    template = fubiao1_template()
    xieguan = personas.xieguan
    a2 = UserFactory.create(username="a2", full_name="柏果二号", region_id=TOWNSHIP, role=Role.ASSISTANT)
    mine = EmployerFactory.create(name="柏果煤矿", address="柏果镇煤矿路1号", region_id=TOWNSHIP + "001")
    shop = EmployerFactory.create(name="柏果机修厂", address="柏果镇街上", region_id=TOWNSHIP)

    def inspect(employer, who, when, **kw):
        return InspectionFactory.create(
            template=template, employer=employer, assistant=who, inspected_at=when, **kw
        )

    i1 = inspect(mine, xieguan, at(2025, 3, 5))
    answer_all(i1, findings={3: "未开展年度检测"}, na=(2,))
    i2 = inspect(shop, xieguan, at(2025, 9, 9))
    answer_all(i2)
    i3 = inspect(mine, a2, at(2025, 10, 1))
    answer_all(i3, findings={6: "粉碎车间粉尘大"})
    answer_all(inspect(shop, xieguan, at(2025, 11, 1), status=InspectionStatus.DRAFT))
    answer_all(inspect(shop, xieguan, at(2024, 11, 1)))
    other = EmployerFactory.create(name="岩脚煤矿", region_id=OTHER_TOWNSHIP + "001")
    answer_all(inspect(other, personas.xieguan2, at(2025, 4, 1)))

    agency = Agency.objects.get(name="盘州市卫生健康综合监督执法大队")
    lead = LeadFactory.create(
        region_id=mine.region_id,
        employer=mine,
        inspection=i1,
        discovered_by=xieguan,
        discovered_at=at(2025, 3, 5, 11),
        reported_at=at(2025, 3, 6),
        reported_to_agency=agency,
        status=LeadStatus.CLOSED,
        officer_action=OfficerAction.RECTIFY,
        closed_at=at(2025, 4, 1),
    )
    AssistRequest.objects.create(
        region_id=mine.region_id,
        lead=lead,
        employer=mine,
        requested_by=personas.jiandu,
        assistant=xieguan,
        status=AssistStatus.DONE,
        done_on=at(2025, 3, 20).date(),
    )
    LeadFactory.create(
        region_id=mine.region_id,
        employer=mine,
        inspection=i3,
        discovered_by=a2,
        discovered_at=at(2025, 10, 1, 11),
    )
    return {"i1": i1, "i2": i2, "i3": i3, "a2": a2}


def rows_of(response):
    return response.context["rows"]


def test_rows_equal_the_assistants_submitted_inspections_of_the_year(client_for, personas, register_data):
    response = client_for("panzhou").get(PAGE, {"assistant": personas.xieguan.pk, "year": 2025})
    rows = rows_of(response)
    expected = Inspection.objects.filter(
        assistant=personas.xieguan, status=InspectionStatus.SUBMITTED, inspected_at__year=2025
    ).order_by("inspected_at")
    assert [r.inspection_id for r in rows] == [str(i.pk) for i in expected]
    assert [r.inspection_id for r in rows] == [str(register_data["i1"].pk), str(register_data["i2"].pk)]
    assert response.context["unit"] == "盘州市柏果镇 协管员 xieguan"
    assert reverse("inspections:detail", args=[register_data["i1"].pk]) in response.content.decode()


def test_row_contents_come_from_the_case_form_and_the_leads(client_for, personas, register_data):
    first, second = rows_of(client_for("panzhou").get(PAGE, {"assistant": personas.xieguan.pk, "year": 2025}))
    # one line: the place, the check-list's short name, the items found wanting
    assert first.place_and_content == "柏果煤矿（柏果镇）：附表1；发现问题：危害因素检测与评价"
    assert "\n" not in first.place_and_content
    assert first.findings == "危害因素检测与评价：无（未开展年度检测）"
    assert first.date == "2025-03-05"
    assert first.inspector == "xieguan"
    # the lead was made by hand (no answer): 备注 names its kind, then the disposition
    assert first.remarks.split("；") == [
        "工作场所异常：已报告盘州市卫生健康综合监督执法大队（03-06）",
        "协查（03-20）",
        "责令整改",
        "已办结（04-01）",
    ]
    assert second.findings == "未发现问题" and second.remarks == ""
    assert second.place_and_content == "柏果机修厂（柏果镇）：附表1"


def test_remarks_leave_out_the_year_of_an_inspection_made_on_new_years_night(client_for, personas):
    """备注's dates in the inspection's year are written without it: that year is the local one
    (Asia/Shanghai), not UTC's, which is still the year before until 08:00 on 1 January."""
    inspection = InspectionFactory.create(
        template=fubiao1_template(),
        employer=EmployerFactory.create(name="柏果煤矿", region_id=TOWNSHIP + "001"),
        assistant=personas.xieguan,
        inspected_at=at(2026, 1, 1, 0),
    )
    answer_all(inspection)
    LeadFactory.create(
        region_id=inspection.region_id,
        employer=inspection.employer,
        inspection=inspection,
        discovered_by=personas.xieguan,
        discovered_at=at(2026, 1, 1, 1),
        reported_at=at(2026, 1, 2),
        reported_to_agency=Agency.objects.get(name="盘州市卫生健康综合监督执法大队"),
        status=LeadStatus.CLOSED,
        officer_action=OfficerAction.RECTIFY,
        closed_at=at(2026, 1, 3),
    )
    [row] = rows_of(client_for("panzhou").get(PAGE, {"assistant": personas.xieguan.pk, "year": 2026}))
    assert row.date == "2026-01-01"
    assert "已报告盘州市卫生健康综合监督执法大队（01-02）" in row.remarks and "已办结（01-03）" in row.remarks


def test_township_register_has_every_assistants_inspections(client_for, personas, register_data):
    rows = rows_of(client_for("panzhou").get(PAGE, {"township": TOWNSHIP, "year": 2025}))
    assert [r.inspection_id for r in rows] == [str(register_data[k].pk) for k in ("i1", "i2", "i3")]
    assert rows[2].findings == "工作场所异常：有（粉碎车间粉尘大）"
    assert rows[2].remarks == "工作场所异常［状态：尚未报告］"  # a status, not a disposition
    assert rows[2].inspector == "柏果二号"


def test_an_assistant_gets_their_own_register_by_default(client_for, personas, register_data):
    response = client_for("xieguan").get(PAGE, {"year": 2025})
    assert response.context["assistant"] == personas.xieguan
    assert len(rows_of(response)) == 2


def test_a_year_without_inspections_is_said(client_for, personas, register_data):
    response = client_for("xieguan").get(PAGE, {"year": 2023})
    assert rows_of(response) == [] and "该年度没有已提交的巡查" in response.content.decode()


def pdf_text(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed"
    return subprocess.run(
        [tool, "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_exports_in_three_formats_from_one_description(client_for, personas, register_data):
    client = client_for("panzhou")
    params = {"assistant": personas.xieguan.pk, "year": 2025}
    pdf = client.get(reverse("indicators:register_file", args=["pdf"]), params)
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(pdf.content).split())
    for words in (
        "附表2",
        "职业健康监督协管巡查工作登记表",
        "2025年度",
        "巡查地点与内容",
        "发现的主要问题",
        "柏果煤矿",
        "注：此表为协管巡查工作登记表",
    ):
        assert words in text, words

    docx = client.get(reverse("indicators:register_file", args=["docx"]), params)
    document = Document(io.BytesIO(docx.content))
    table = max(document.tables, key=lambda t: len(t.rows))
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "巡查地点与内容",
        "发现的主要问题",
        "巡查日期",
        "巡查人",
        "备注",
    ]
    assert len(table.rows) == 1 + 2
    assert table.rows[1].cells[3].text == "2025-03-05"
    assert table.rows[0]._tr.xml.count("tblHeader") == 1  # repeated on every page

    xlsx = client.get(reverse("indicators:register_file", args=["xlsx"]), params)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "职业健康监督协管巡查工作登记表" in values and "柏果二号" not in values
    assert any(str(v).startswith("柏果煤矿") for v in values)
    assert sheet.print_title_rows  # the header row repeats on printed pages


def test_a_year_without_inspections_says_so_in_every_format(client_for, personas, register_data):
    """An empty year's 附表2 prints the page's words in its table (an empty table said nothing:
    a blank form or a lost page?); the blank paper form stays the official form alone."""
    from xieguan.documents.official import fubiao2
    from xieguan.documents.render import render

    client = client_for("panzhou")
    params = {"assistant": personas.xieguan.pk, "year": 2023}
    said = "该年度没有已提交的巡查。"
    pdf = client.get(reverse("indicators:register_file", args=["pdf"]), params)
    assert said in "".join(pdf_text(pdf.content).split())
    docx = client.get(reverse("indicators:register_file", args=["docx"]), params)
    table = max(Document(io.BytesIO(docx.content)).tables, key=lambda t: len(t.rows))
    assert len(table.rows) == 2 and said in [c.text for c in table.rows[1].cells]
    assert table.rows[1].cells[0].text == ""  # no 序号: not an inspection
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("indicators:register_file", args=["xlsx"]), params).content)
    ).active
    assert said in [v for row in sheet.iter_rows(values_only=True) for v in row]
    blank = fubiao2.blank()
    assert said not in "".join(pdf_text(render(blank, "pdf")).split())
    assert said not in [c.text for t in Document(io.BytesIO(render(blank, "docx"))).tables for c in t._cells]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("liuzhi", 404), ("xieguan2", 404), ("jiandu2", 404), ("jiandu", 200), ("lps", 200)],
)
def test_register_and_exports_are_scoped(client_for, personas, register_data, persona, status):
    client = client_for(persona)
    for params in ({"assistant": personas.xieguan.pk}, {"township": TOWNSHIP}):
        assert client.get(PAGE, params).status_code == status
        assert client.get(reverse("indicators:register_file", args=["xlsx"]), params).status_code == status


def test_only_assistants_and_townships_make_a_register(client_for, personas, register_data):
    client = client_for("panzhou")
    assert client.get(PAGE, {"assistant": personas.jiandu.pk}).status_code == 404  # not an assistant
    assert client.get(PAGE, {"township": "520281"}).status_code == 404  # a county, not a township
    assert (
        client.get(reverse("indicators:register_file", args=["exe"]), {"township": TOWNSHIP}).status_code
        == 404
    )
    assert client.get(reverse("indicators:register_file", args=["pdf"])).status_code == 404  # nothing chosen


def test_register_query_count_does_not_grow_with_rows(
    client_for, personas, register_data, django_assert_max_num_queries
):
    client = client_for("panzhou")
    with django_assert_max_num_queries(14):
        client.get(PAGE, {"township": TOWNSHIP, "year": 2025})


def test_a_townships_register_has_one_region_condition(client_for, personas, register_data):
    """附表2 of a township reads the inspections through ``visible_within`` (one LIKE on the
    region, docs/scoping.md), not ``visible_to(user)`` then ``within(township)``: no statement
    compares the region twice; the rows are the same; another county's township is still 404."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("panzhou")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(PAGE, {"township": TOWNSHIP, "year": 2025})
    assert page.status_code == 200 and len(rows_of(page)) == 3
    reads = [q["sql"] for q in queries.captured_queries if "inspections_inspection" in q["sql"]]
    assert reads
    for sql in reads:
        assert len(re.findall(r'"region_id"(::text)? LIKE', sql)) <= 1, sql
    for persona in ("panzhou", "jiandu", "xieguan"):
        assert client_for(persona).get(PAGE, {"township": OTHER_TOWNSHIP}).status_code == 404
        assert (
            client_for(persona)
            .get(reverse("indicators:register_file", args=["xlsx"]), {"township": OTHER_TOWNSHIP})
            .status_code
            == 404
        )


def a_year_of_inspections(personas, count: int = 30) -> None:
    """``count`` inspections of one assistant in 2025, every third with two findings (a note each)
    and a lead reported, assisted and closed, every fifth's lead not reported yet."""
    template = fubiao1_template()
    who = personas.xieguan
    agency = Agency.objects.get(name="盘州市卫生健康综合监督执法大队")
    employers = [
        EmployerFactory.create(
            name=f"盘州市柏果第{n}煤业有限公司", address=f"柏果镇第{n}村", region_id=TOWNSHIP + "001"
        )
        for n in range(1, 6)
    ]
    for n in range(count):
        employer = employers[n % len(employers)]
        when = at(2025, 1 + n * 11 // count, 1 + n % 27)
        inspection = InspectionFactory.create(
            template=template, employer=employer, assistant=who, inspected_at=when
        )
        if n % 3:
            answer_all(inspection, na=(2,))
            continue
        answer_all(
            inspection,
            findings={3: "未开展本年度检测，检测报告过期", 6: "粉碎车间粉尘大，未佩戴防尘口罩"},
            na=(2,),
        )
        lead = LeadFactory.create(
            region_id=employer.region_id,
            employer=employer,
            inspection=inspection,
            inspection_answer=inspection.answers.get(item__number=6),
            discovered_by=who,
            discovered_at=when,
        )
        if n % 5:
            Lead = type(lead)
            Lead.objects.filter(pk=lead.pk).update(
                reported_at=when,
                reported_to_agency=agency,
                status=LeadStatus.CLOSED,
                officer_action=OfficerAction.RECTIFY,
                closed_at=when,
            )
            AssistRequest.objects.create(
                region_id=employer.region_id,
                lead=lead,
                employer=employer,
                requested_by=personas.jiandu,
                assistant=who,
                status=AssistStatus.DONE,
                done_on=when.date(),
            )


def pdf_pages(data: bytes) -> int:
    return len([p for p in pdf_text(data).split("\f") if p.strip()])


def test_a_year_of_thirty_inspections_prints_on_few_pages(client_for, personas):
    a_year_of_inspections(personas)
    params = {"assistant": personas.xieguan.pk, "year": 2025}
    pdf = client_for("panzhou").get(reverse("indicators:register_file", args=["pdf"]), params)
    assert pdf_pages(pdf.content) <= 4  # nine pages before the rows were made readable (issue 15)
    rows = rows_of(client_for("panzhou").get(PAGE, params))
    assert len(rows) == 30
    # 备注 says which finding each lead refers to (item 6), reported or not
    assert rows[0].remarks == "工作场所异常［状态：尚未报告］"
    assert rows[3].remarks.startswith("工作场所异常：已报告盘州市卫生健康综合监督执法大队")
    assert "协查（" in rows[3].remarks and "尚未报告" not in rows[3].remarks
