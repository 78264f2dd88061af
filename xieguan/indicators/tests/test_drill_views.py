"""Drill-down pages: the employers, assistants, inspections, leads and townships behind a number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieguan.indicators.tests.scenario import COUNTY, T1

pytestmark = pytest.mark.django_db


def drill(client, key, **params):
    params.setdefault("period", "2025")
    return client.get(reverse("indicators:drill", args=[key]), params)


def names(response, attr="name"):
    return [getattr(row, attr) for row in response.context["page"].object_list]


def test_uncovered_key_employers(client_for, scenario):
    response = drill(client_for("panzhou"), "key_coverage", region=COUNTY)
    assert response.status_code == 200
    assert names(response) == ["民主化工厂", "云中水泥厂"]  # ordered by township code, then name
    body = response.content.decode()
    assert "未巡查的重点单位" in body and "云中水泥厂" in body
    assert reverse("employers:detail", args=[scenario.employers["E2"].pk]) in body  # where the work is


def test_employers_not_inspected_each_half_year_show_the_halves(client_for, scenario):
    response = drill(client_for("panzhou"), "employer_patrol", region=T1)
    assert set(names(response)) == {"云中水泥厂", "柏果机修厂"}
    machine_shop = next(r for r in response.context["page"].object_list if r.name == "柏果机修厂")
    assert machine_shop.half_counts == [(0, True), (1, True)]


def test_unregistered_employers(client_for, scenario):
    assert names(drill(client_for("panzhou"), "registration", region=COUNTY)) == ["云中水泥厂"]
    shown = names(drill(client_for("panzhou"), "registration", region=COUNTY, show="ok"))
    assert set(shown) == {"柏果煤矿", "柏果机修厂", "民主新厂", "民主化工厂"}


def test_silent_assistants(client_for, scenario):
    response = drill(client_for("panzhou"), "assistant_patrol", region=COUNTY)
    assert set(names(response)) == {"柏果二号", "民主在岗"}
    a2 = next(r for r in response.context["page"].object_list if r.name == "柏果二号")
    assert a2.half_counts == [(0, True), (1, True)]
    assert "柏果二号" in response.content.decode()
    # A4's term ended in May: shown below with the dates, H1 not counted against them
    partly = response.context["partly"]
    assert [r.name for r in partly] == ["民主期满"]
    assert partly[0].half_counts == [(0, False), (0, False)]
    assert "2025-05-31" in response.content.decode()


def test_townships_without_publicity(client_for, scenario):
    response = drill(client_for("panzhou"), "publicity", region=COUNTY)
    assert names(response) == ["民主镇"]


def test_late_records(client_for, scenario):
    """The records drill-down lists the late records of the three kinds, oldest first."""
    response = drill(client_for("panzhou"), "records", region=COUNTY)
    rows = response.context["page"].object_list
    # L3 reported late (June), C2 recorded two days late (July), I3 submitted five days late
    # (September), I5 a draft past its deadline (October), L4 unreported past due (November)
    assert [row["r_kind"] for row in rows] == ["lead", "complaint", "inspection", "inspection", "lead"]
    assert [row["r_employer"] for row in rows if row["r_kind"] == "inspection"] == [
        "柏果机修厂",
        "民主化工厂",
    ]
    content = response.content.decode()
    assert reverse("inspections:detail", args=[scenario.inspections["I3"].pk]) in content
    assert reverse("leads:detail", args=[scenario.leads["L4"].pk]) in content
    tabs = {value: count for value, _label, count in response.context["tabs"]}
    assert tabs == {
        "missing": 5,
        "ok": 5,
        "all": 10,
        "late_inspection": 2,
        "late_complaint": 1,
        "late_lead": 2,
    }
    complaints = drill(client_for("panzhou"), "records", region=COUNTY, show="late_complaint")
    assert [row["r_who"] for row in complaints.context["page"].object_list] == ["民主在岗"]


def test_leads_behind_the_reporting_rate(client_for, scenario):
    response = drill(client_for("panzhou"), "reporting", region=COUNTY, show="overdue")
    assert len(response.context["page"].object_list) == 2
    assert reverse("leads:detail", args=[scenario.leads["L4"].pk]) in response.content.decode()


def test_tabs_count_missing_ok_and_all(client_for, scenario):
    tabs = drill(client_for("panzhou"), "key_coverage", region=COUNTY).context["tabs"]
    assert [count for _, _, count in tabs] == [2, 1, 3]


def test_nothing_missing_is_said(client_for, scenario):
    response = drill(client_for("panzhou"), "publicity", region=T1)
    assert 'data-testid="drill-empty"' in response.content.decode()


def test_unknown_indicator_is_404(client_for, scenario):
    assert drill(client_for("panzhou"), "nonsense").status_code == 404


@pytest.mark.parametrize(
    "key",
    [
        "registration",
        "reporting",
        "assistant_patrol",
        "key_coverage",
        "employer_patrol",
        "records",
        "publicity",
    ],
)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("liuzhi", 404), ("xieguan2", 404), ("jiandu2", 404), ("panzhou", 200), ("xieguan", 200)],
)
def test_drill_down_is_scoped(client_for, scenario, key, persona, status):
    assert drill(client_for(persona), key, region=T1).status_code == status


def test_assistant_cannot_drill_above_the_township(client_for, scenario):
    assert drill(client_for("xieguan"), "registration", region=COUNTY).status_code == 404


def test_drill_query_count_does_not_grow_with_rows(client_for, scenario, django_assert_max_num_queries):
    client = client_for("panzhou")
    for key in ("key_coverage", "assistant_patrol", "records", "publicity", "reporting"):
        # records: three more (its three kinds of record counted apart) and its RecordingPolicy
        with django_assert_max_num_queries(12 if key != "records" else 15):
            assert drill(client, key, region=COUNTY, show="all").status_code == 200


def test_the_page_count_is_the_indicator_count(scenario):
    """The drill-down's paginator is told its length by the indicator's counts; they must
    agree with counting the listed rows, for every indicator, tab and period."""
    from xieguan.indicators.periods import parse_period
    from xieguan.indicators.registry import Show, all_indicators
    from xieguan.indicators.views import _shown_count

    for key in ("2025", "2025H1", "2025-03-01~2025-09-30"):
        period = parse_period(key)
        for ind in all_indicators():
            total = ind.total(COUNTY, period)
            for show in (Show.MISSING, Show.OK, Show.ALL, *ind.extra_labels):
                assert _shown_count(total, show) == ind.rows(COUNTY, period, show).count(), (
                    key,
                    ind.key,
                    show,
                )


def test_missing_registration_items_are_named_in_chinese(client_for, scenario):
    unregistered = scenario.employers["E2"]
    unregistered.missing_fields = ["address", "legal_representative"]
    unregistered.save()
    content = drill(client_for("panzhou"), "registration", region=COUNTY).content.decode()
    assert "缺：地址、法定代表人" in content and "address" not in content


def test_the_region_and_its_breadcrumbs_are_one_statement_inside_the_scope(client_for, scenario):
    """The requested region and its ancestors inside the user's scope come in one statement;
    the breadcrumbs name only those (a county admin sees no province or prefecture link)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for persona, crumbs in (("sheng", ["贵州省", "六盘水市", "盘州市"]), ("lps", ["六盘水市", "盘州市"])):
        with CaptureQueriesContext(connection) as ctx:
            response = drill(client_for(persona), "registration", region=T1)
        assert [name for name, _url in response.context["breadcrumbs"]] == crumbs
        assert response.context["region"].code == T1
        regions = [q["sql"] for q in ctx.captured_queries if 'FROM "regions_region"' in q["sql"]]
        assert len(regions) == 1, regions
    response = drill(client_for("panzhou"), "registration", region=T1)
    assert [name for name, _url in response.context["breadcrumbs"]] == ["盘州市"]
    assert drill(client_for("panzhou"), "registration", region=COUNTY).context["breadcrumbs"] == []
    assert drill(client_for("panzhou"), "registration", region="520281999").status_code == 404
    assert drill(client_for("liuzhi"), "registration", region=T1).status_code == 404


def test_the_numbers_of_a_region_s_own_row_list_its_own_rows(client_for):
    """A township's dashboard has a row "（本级）" for what is registered at the township itself
    (4,558 of the 29,998 employers of the Guizhou-scale data). Its numbers linked to the lists of
    the whole township: 2 unregistered employers on the row, 3 on the list it opened."""
    import re
    from html import unescape

    from django.utils import timezone

    from xieguan.lib.testing import TOWNSHIP, VILLAGE, EmployerFactory

    EmployerFactory.create(name="镇本级甲厂", region_id=TOWNSHIP, registered=False)
    EmployerFactory.create(name="镇本级乙厂", region_id=TOWNSHIP, registered=False)
    EmployerFactory.create(name="镇本级丙厂", region_id=TOWNSHIP)
    EmployerFactory.create(name="村里的厂", region_id=VILLAGE, registered=False)
    client = client_for("panzhou")
    year = str(timezone.localdate().year)  # the employers are registered today
    body = client.get(reverse("indicators:dashboard"), {"region": TOWNSHIP, "period": year}).content
    own_row = next(r for r in re.findall(r"<tr.*?</tr>", body.decode(), re.S) if "（本级）" in r)
    links = {
        text: unescape(href)
        for href, text in re.findall(
            r'<a[^>]*href="(/indicators/registration/[^"]+)"[^>]*>([^<]+)</a>', own_row
        )
    }
    assert set(links) == {"33.3%", "1", "3"}  # 1 registered of 3
    missing = client.get(links["33.3%"])
    assert names(missing) == ["镇本级乙厂", "镇本级甲厂"]
    assert (missing.context["total"].numerator, missing.context["total"].denominator) == (1, 3)
    assert "（本级）" in missing.content.decode()
    assert names(client.get(links["3"])) == ["镇本级丙厂", "镇本级乙厂", "镇本级甲厂"]
    # the township's own number (the total row) still lists everything
    whole = drill(client, "registration", region=TOWNSHIP, period=year)
    assert names(whole) == ["村里的厂", "镇本级乙厂", "镇本级甲厂"]


@pytest.mark.parametrize(
    ("key", "show"),
    [
        ("registration", "all"),  # employers
        ("assistant_patrol", "all"),  # assistants
        ("records", "all"),  # inspections, complaints and leads in one list
        ("key_coverage", "ok"),
    ],
)
def test_a_list_over_several_counties_names_each_row_s_county(client_for, scenario, key, show):
    """The province's drill-down (6,860 employers over 138 pages) showed the township only: which
    county is 城关镇? A list over several counties (the province's, a prefecture's) has a 县(区)
    column (one query for the page); a county's own list, one county, has none."""
    response = drill(client_for("sheng"), key, region="52", show=show)
    rows = response.context["page"].object_list
    assert rows and response.context["show_county"]
    counties = {row["county_name"] if isinstance(row, dict) else row.county_name for row in rows}
    assert "盘州市" in counties and "" not in counties, counties
    body = response.content.decode()
    assert ">县(区)</th>" in body and ">盘州市</td>" in body
    prefecture = drill(client_for("lps"), key, region="5202", show=show)
    assert ">县(区)</th>" in prefecture.content.decode()
    county = drill(client_for("panzhou"), key, region=COUNTY, show=show)
    assert not county.context["show_county"] and ">县(区)</th>" not in county.content.decode()
