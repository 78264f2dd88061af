"""The dashboard, its export and chart data: content, scoping and query counts."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.indicators.registry import all_indicators
from xieguan.indicators.tests.factories import EmployerFactory
from xieguan.indicators.tests.scenario import COUNTY, T1, T2, T3

pytestmark = pytest.mark.django_db
URL = reverse("indicators:dashboard")


def test_county_admin_sees_townships_with_met_and_unmet(client_for, scenario):
    response = client_for("panzhou").get(URL, {"period": "2025"})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.node.code == COUNTY
    by_code = {row.code: row for row in table.rows}
    assert {T1, T2, T3} <= set(by_code)
    t1 = {cell.indicator.key: cell for cell in by_code[T1].cells}
    assert t1["registration"].rate_text == "66.7%" and t1["registration"].met is False
    assert t1["publicity"].rate_text == "100.0%" and t1["publicity"].met is True
    t3 = {cell.indicator.key: cell for cell in by_code[T3].cells}
    assert t3["registration"].rate_text == "—" and t3["registration"].met is None
    totals = {cell.indicator.key: cell for cell in table.total.cells}
    assert (totals["registration"].counts.numerator, totals["registration"].counts.denominator) == (4, 5)
    body = response.content.decode()
    assert "unmet" in body and "met" in body
    assert f"region={T1}" in body  # the township's row drills down
    assert "<script>" not in body  # CSP: no inline script


def test_every_number_links_to_its_list(client_for, scenario):
    body = client_for("panzhou").get(URL, {"period": "2025"}).content.decode()
    drill = reverse("indicators:drill", args=["key_coverage"])
    assert f"{drill}?region={T1}&amp;period=2025&amp;show=missing" in body
    assert f"{drill}?region={T1}&amp;period=2025&amp;show=ok" in body
    assert f"{drill}?region={T1}&amp;period=2025&amp;show=all" in body
    # the reporting rate links to the leads list with its filters
    assert (
        "/leads/?discovered_from=2025-01-01&amp;discovered_to=2025-12-31"
        f"&amp;region={T2}&amp;counted=1&amp;reported=no" in body
    )
    assert (
        "/leads/?discovered_from=2025-01-01&amp;discovered_to=2025-12-31"
        f"&amp;region={T2}&amp;counted=1&amp;overdue=1" in body
    )


def test_a_township_dashboard_shows_villages_and_its_own_level(client_for, scenario):
    table = client_for("panzhou").get(URL, {"region": T1, "period": "2025"}).context["table"]
    kinds = {row.kind for row in table.rows}
    assert kinds == {"child", "self"}
    self_row = next(row for row in table.rows if row.kind == "self")
    cells = {cell.indicator.key: cell for cell in self_row.cells}
    assert cells["assistant_patrol"].counts.denominator == 2  # assistants belong to the township


def test_period_selector_half_year_and_custom_range(client_for, scenario):
    client = client_for("panzhou")
    assert client.get(URL, {"period": "2025H2"}).context["period"].key == "2025H2"
    response = client.get(URL, {"period": "custom", "from": "2025-03-01", "to": "2025-05-31"})
    assert response.context["period"].key == "2025-03-01~2025-05-31"
    assert response.context["period_custom"] is True


def test_a_bad_period_is_said_in_chinese_and_the_year_shown(client_for, scenario):
    response = client_for("panzhou").get(URL, {"period": "custom", "from": "2025-06-01", "to": "2025-01-01"})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert response.context["period"].key == "2025"


def test_default_region_is_the_users_own(client_for, scenario):
    assert client_for("xieguan").get(URL).context["region"].code == T1
    assert client_for("lps").get(URL).context["region"].code == "5202"


@pytest.mark.parametrize(
    ("persona", "region", "status"),
    [
        ("liuzhi", COUNTY, 404),  # another county
        ("xieguan2", T1, 404),
        ("jiandu2", T1, 404),
        ("xieguan", COUNTY, 404),  # above the assistant's township
        ("xieguan", T1, 200),
        ("jiandu", T1, 200),
        ("lps", COUNTY, 200),
        ("sheng", COUNTY, 200),
    ],
)
def test_dashboard_export_and_series_are_scoped(client_for, scenario, persona, region, status):
    client = client_for(persona)
    for name in ("indicators:dashboard", "indicators:dashboard_xlsx", "indicators:series"):
        assert client.get(reverse(name), {"region": region}).status_code == status, name


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


def test_xlsx_export_has_the_table(client_for, scenario):
    response = client_for("panzhou").get(reverse("indicators:dashboard_xlsx"), {"period": "2025"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "indicators-520281-2025.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "盘州市 主要工作指标（2025年）"
    names = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert "柏果镇" in names and names[-1] == "合计"
    total = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "合计")
    assert total[1:4] == (0.8, 4, 5)  # registration: 80%, 4 of 5
    dashed = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "大山镇")
    assert dashed[1] == "—"


def test_series_json_has_every_indicator_over_six_half_years(client_for, scenario):
    data = client_for("panzhou").get(reverse("indicators:series"), {"region": COUNTY}).json()
    assert data["periods"][-1] == "2025年下半年" and len(data["periods"]) == 6
    assert data["short_periods"][:2] == ["2023上", "2023下"]
    registration = next(i for i in data["indicators"] if i["key"] == "registration")
    assert registration["target"] == 100.0
    assert registration["denominators"][-1] == 5
    reporting = next(i for i in data["indicators"] if i["key"] == "reporting")
    assert reporting["rates"][0] is None  # nothing discovered: no rate, not 0%


def _queries(client, region):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"region": region, "period": "2025"}).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_constant_in_the_number_of_children(
    client_for, scenario, django_assert_max_num_queries
):
    client = client_for("sheng")
    for code in ("520281117001", "520281117002", "520281104001"):
        EmployerFactory(region_id=code)
    # 柏果镇 has 53 villages, 盘州市 27 townships, 六盘水市 4 counties (each region comes with its
    # breadcrumbs' ancestors in one statement)
    counts = {code: _queries(client, code) for code in ("520281117", COUNTY, "5202")}
    assert len(set(counts.values())) == 1, counts
    # one grouped query per indicator (other apps register theirs: personnel's training ones);
    # records counts its three kinds of record and reads its RecordingPolicy: three more
    with django_assert_max_num_queries(9 + len(all_indicators()) + 3):
        client.get(URL, {"region": COUNTY, "period": "2025"})


def test_the_leads_list_behind_the_reporting_rate_has_the_same_counts(client_for, scenario):
    """The leads list (leads app) is the drill-down of the reporting rate: same numbers."""
    client = client_for("panzhou")
    table = client.get(URL, {"period": "2025"}).context["table"]
    for row in [*table.rows, table.total]:
        cell = next(c for c in row.cells if c.indicator.key == "reporting")
        expected = {
            cell.missing_url: cell.counts.missing,
            cell.ok_url: cell.counts.numerator,
            cell.all_url: cell.counts.denominator,
            cell.url("overdue"): cell.counts.extras.get("overdue", 0),
            cell.url("on_time"): cell.counts.extras.get("on_time", 0),
        }
        if not cell.counts.denominator:
            continue
        for url, count in expected.items():
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.context["page"].paginator.count == count, (row.name, url)


def test_the_dashboard_builds_the_same_links_as_the_indicators(client_for, scenario):
    """The table builds its ~1,500 links from pieces; they must equal Indicator.list_url's."""
    from xieguan.indicators.dashboard import Column
    from xieguan.indicators.periods import parse_period
    from xieguan.indicators.registry import Show, all_indicators

    for key in ("2025", "2025H2", "2025-03-01~2025-05-31"):
        period = parse_period(key)
        for ind in all_indicators():
            column = Column(ind, None, period)
            for show in (Show.MISSING, Show.OK, Show.ALL, *ind.extra_labels):
                assert column.url(T1, show) == ind.list_url(T1, period, show)
