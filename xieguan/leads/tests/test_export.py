"""The lead register (信息报告登记表) .xlsx for a region and period."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.leads.models import AbnormalKind, Importance, Lead, LeadType
from xieguan.leads.tests.factories import complaint, make_lead, report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def rows(response):
    content = response if isinstance(response, bytes) else b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_register_columns_and_period(personas, client_for, django_assert_max_num_queries):
    with time_machine.travel(dt.datetime(2025, 6, 30, 23, 30, tzinfo=SH), tick=False):
        h1 = make_lead(personas, importance=Importance.IMPORTANT, description="粉尘超标")
    with time_machine.travel(dt.datetime(2025, 7, 1, 1, 45, tzinfo=SH), tick=False):
        report(h1, personas)
        make_lead(personas, description="七月的线索")
    client = client_for("panzhou")
    with (
        time_machine.travel(dt.datetime(2025, 7, 2, 9, 0, tzinfo=SH), tick=False),
        django_assert_max_num_queries(10),
    ):
        response = client.get(reverse("leads:export"), {"region": "520281117", "period": "2025H1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    # written to a temporary file and sent in blocks with its length (as the ledger is)
    content = b"".join(response.streaming_content)
    assert response.streaming and int(response["Content-Length"]) == len(content)
    table = rows(content)
    assert table[0][0] == "信息报告登记表"
    assert "盘州市柏果镇" in table[1][0] and "2025-01-01 至 2025-06-30" in table[1][0]
    assert table[2][:7] == ["序号", "发现时间", "信息类别", "信息内容", "报告时间", "报告人", "机构"]
    assert len(table) == 4  # title, subtitle, header, one lead: the July one is H2
    row = table[3]
    assert row[:3] == [1, dt.datetime(2025, 6, 30, 23, 30), "违法相关信息"] and row[3] == "粉尘超标"
    assert row[4] == dt.datetime(2025, 7, 1, 1, 45) and row[5] == "xieguan"
    assert row[6] == "盘州市卫生健康综合监督执法大队" and row[8] == "重要" and row[9] == "逾期报告"
    # 发现时间 and 报告时间: spreadsheet dates in local time (sortable and filterable as dates),
    # shown as date and minute, boxed like the rest of the row, in columns wide enough for them
    sheet = load_workbook(io.BytesIO(content)).active
    for cell in (sheet["B4"], sheet["E4"]):
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm", cell.coordinate
        assert cell.border.left.style == "thin" and cell.alignment.vertical == "top"
        assert sheet.column_dimensions[cell.column_letter].width >= len("2025-06-30 23:30") + 2
    assert "导出时间：2025-07-02 09:00" in table[1][0]  # the subtitle's text


def test_export_is_scoped(personas, client_for):
    make_lead(personas)
    assert len(rows(client_for("liuzhi").get(reverse("leads:export")))) == 3  # only the header rows
    assert len(rows(client_for("xieguan").get(reverse("leads:export")))) == 4


def test_every_timeliness_and_who_the_lead_went_to(personas, client_for, monkeypatch):
    """The register reads plain values (no Lead built per row) and still says, for each lead, 报告是否及时,
    the agency and officer, and the employer or the place."""
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, tzinfo=SH), tick=False):
        on_time = make_lead(
            personas, lead_type=LeadType.ABNORMAL, abnormal_kind=AbnormalKind.NOISE, description="噪声"
        )
        report(on_time, personas, officer=personas.jiandu)
        make_lead(personas, place="大寨村石料厂", description="逾期未报")
    with time_machine.travel(dt.datetime(2025, 3, 9, 9, 0, tzinfo=SH), tick=False):
        make_lead(personas, description="刚发现")
    client = client_for("panzhou")

    def no_instances(*args, **kwargs):
        raise AssertionError("a Lead built for a row")

    monkeypatch.setattr(Lead, "from_db", classmethod(no_instances))
    with time_machine.travel(dt.datetime(2025, 3, 9, 10, 0, tzinfo=SH), tick=False):
        table = rows(client.get(reverse("leads:export"), {"region": "520281117"}))
    assert [row[3] for row in table[3:]] == ["（噪声）噪声", "逾期未报", "刚发现"]
    assert [row[9] for row in table[3:]] == ["按时", "逾期未报告", "未报告"]
    assert table[3][5] == "xieguan" and table[3][6] == f"{personas.jiandu.agency} {personas.jiandu}"
    assert table[4][7] == "大寨村石料厂" and table[4][4] is None and table[4][5] is None
    assert on_time.employer is not None and table[3][7] == on_time.employer.name


def test_the_register_takes_as_many_statements_for_many_leads(personas, client_for):
    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("leads:export"))
        return len(queries)

    make_lead(personas)
    client = client_for("panzhou")
    one = statements()
    for _ in range(4):
        report(make_lead(personas), personas, officer=personas.jiandu)
    complaint(personas)
    assert statements() == one
