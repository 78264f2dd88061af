"""The lead register (信息报告登记表) .xlsx for a region and period."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.leads.models import Importance
from xieguan.leads.tests.factories import make_lead, report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
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
    table = rows(response)
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
    sheet = load_workbook(io.BytesIO(response.content)).active
    for cell in (sheet["B4"], sheet["E4"]):
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm", cell.coordinate
        assert cell.border.left.style == "thin" and cell.alignment.vertical == "top"
        assert sheet.column_dimensions[cell.column_letter].width >= len("2025-06-30 23:30") + 2
    assert "导出时间：2025-07-02 09:00" in table[1][0]  # the subtitle's text


def test_export_is_scoped(personas, client_for):
    make_lead(personas)
    assert len(rows(client_for("liuzhi").get(reverse("leads:export")))) == 3  # only the header rows
    assert len(rows(client_for("xieguan").get(reverse("leads:export")))) == 4
