"""全部区县: every county of the province or a prefecture side by side (issue 16 item 1)."""

from __future__ import annotations

from io import BytesIO
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.indicators import dashboard, exports
from xieguan.indicators.periods import parse_period
from xieguan.indicators.registry import all_indicators, indicator
from xieguan.indicators.tests.factories import EmployerFactory
from xieguan.indicators.tests.scenario import COUNTY, EXPECTED
from xieguan.regions.models import Level, Region

pytestmark = pytest.mark.django_db
URL = reverse("indicators:counties")
XLSX_URL = reverse("indicators:counties_xlsx")
PREFECTURE = "5202"  # 六盘水市: 盘州市 (the scenario), 六枝特区 and two more


def _township(county):
    """A township of the county (employers are registered at townships and villages)."""
    return Region.objects.filter(parent_id=county).values_list("code", flat=True).first()


def _cells(row):
    return {cell.indicator.key: cell for cell in row.cells}


def test_the_province_sees_every_county_grouped_by_prefecture(client_for, scenario):
    response = client_for("sheng").get(URL, {"period": "2025"})
    assert response.status_code == 200
    table = response.context["table"]
    prefectures = Region.objects.filter(level=Level.PREFECTURE, code__startswith="52")
    counties = Region.objects.filter(level=Level.COUNTY, code__startswith="52")
    assert [g.subtotal.code for g in table.groups] == sorted(p.code for p in prefectures)
    assert table.county_count == counties.count() == 88
    for group in table.groups:  # every county under its own prefecture
        assert all(row.code.startswith(group.subtotal.code) for row in group.rows)
    panzhou = next(row for g in table.groups for row in g.rows if row.code == COUNTY)
    for key, expected in EXPECTED.items():
        counts = _cells(panzhou)[key].counts
        assert (counts.numerator, counts.denominator) == expected[COUNTY], key
    body = response.content.decode()
    assert 'data-kind="subtotal"' in body and "unmet" in body
    ranking = response.context["ranking"]
    assert len(ranking.bars) + len(ranking.unrated) == 88


def test_a_subtotal_is_the_indicator_over_the_prefecture_not_an_average(client_for, scenario):
    """Each subtotal and the total equal the indicator computed for that region on its own."""
    EmployerFactory(region_id=_township("520203"), registered=False)  # 六枝特区: unregistered
    EmployerFactory(region_id=PREFECTURE, registered=True)  # registered at the prefecture itself
    table = client_for("sheng").get(URL, {"period": "2025"}).context["table"]
    period = parse_period("2025")
    group = next(g for g in table.groups if g.subtotal.code == PREFECTURE)
    for ind in all_indicators():
        total = ind.total(PREFECTURE, period)
        sub = _cells(group.subtotal)[ind.key].counts
        assert (sub.numerator, sub.denominator) == (total.numerator, total.denominator), ind.key
        whole = ind.total("52", period)
        got = _cells(table.total)[ind.key].counts
        assert (got.numerator, got.denominator) == (whole.numerator, whole.denominator), ind.key
    # the prefecture's own employer has a row of its own in the group
    own = next(row for row in group.rows if row.kind == "self")
    assert _cells(own)["registration"].counts.denominator == 1
    registration = _cells(group.subtotal)["registration"]
    # 盘州市 4/5, 六枝特区 1/2 (the scenario's X1 and this one), 六盘水市 itself 1/1:
    # 6/8 = 75.0%, not the mean of 80%, 50% and 100% (76.7%)
    assert (registration.counts.numerator, registration.counts.denominator) == (6, 8)
    assert registration.rate_text == "75.0%"


def test_sorting_by_an_indicator_sorts_counties_within_each_prefecture(client_for, scenario):
    EmployerFactory(region_id=_township("520203"), registered=False)  # 六枝特区 1/2 (with X1)
    EmployerFactory(region_id=_township("520201"), registered=True)  # 钟山区 1/1
    client = client_for("sheng")
    table = client.get(URL, {"period": "2025", "sort": "registration"}).context["table"]
    group = next(g for g in table.groups if g.subtotal.code == PREFECTURE)
    order = [row.code for row in group.rows]
    assert order == ["520203", COUNTY, "520201", "520204"]  # 50%, 80%, 100%, then "—" (水城区)
    table = client.get(URL, {"period": "2025", "sort": "registration", "dir": "desc"}).context["table"]
    group = next(g for g in table.groups if g.subtotal.code == PREFECTURE)
    assert [row.code for row in group.rows] == ["520201", COUNTY, "520203", "520204"]
    # prefectures follow their subtotals: 六盘水市 is the only one with a rate
    assert table.groups[0].subtotal.code == PREFECTURE
    assert table.sort == "registration" and table.descending


def test_the_ranking_lists_counties_worst_first_or_best_first(client_for, scenario):
    """A supervisor looks for the counties that lag: the ranking lists them worst first (the best
    first is one click away); the rank stays the place by rate (1 = highest)."""
    EmployerFactory(region_id=_township("520203"), registered=False)  # 六枝特区 1/2 (with X1)
    EmployerFactory(region_id=_township("520102"), registered=True)  # 南明区, 贵阳市
    client = client_for("sheng")
    response = client.get(URL, {"period": "2025", "sort": "registration"})
    ranking = response.context["ranking"]
    assert [bar.row.code for bar in ranking.bars] == ["520203", COUNTY, "520102"]
    assert [bar.rank for bar in ranking.bars] == [3, 2, 1]
    assert ranking.bars[1].cell.met is False and ranking.bars[2].cell.met is True
    assert len(ranking.bars) == 3  # only the counties with something to count are ranked
    assert len(ranking.unrated) == 85 and all(row.cells[0].counts.rate is None for row in ranking.unrated)
    assert response.context["chart"].key == "registration"
    body = response.content.decode()
    assert body.index('data-region="520203" data-kind') < body.index('data-region="520102" data-kind')

    response = client.get(URL, {"period": "2025", "sort": "registration", "dir": "desc"})
    ranking = response.context["ranking"]
    assert [bar.row.code for bar in ranking.bars] == ["520102", COUNTY, "520203"]
    assert [bar.rank for bar in ranking.bars] == [1, 2, 3]
    assert ranking.descending
    # ties: worst first is best first upside down, the ranks counting down without a jump
    EmployerFactory(region_id=_township("520201"), registered=True)  # 钟山区 1/1, as 南明区
    ranking = client.get(URL, {"period": "2025", "sort": "registration"}).context["ranking"]
    assert [bar.rank for bar in ranking.bars] == [4, 3, 2, 1]
    assert [bar.row.code for bar in ranking.bars][2:] == ["520201", "520102"]


def test_the_ranking_axis_starts_near_the_lowest_rate_with_the_target_marked(client_for, scenario):
    """Rates of 84-98 % drawn from 0 looked alike: the bars start at the lowest rate (or the
    target) rounded down to ten, and the target is a mark on the track."""
    for county, registered, total in (("520203", 17, 20), ("520102", 49, 50)):  # 85 %, 98 %
        EmployerFactory.create_batch(registered, region_id=_township(county), registered=True)
        EmployerFactory.create_batch(total - registered, region_id=_township(county), registered=False)
    response = client_for("sheng").get(URL, {"period": "2025", "sort": "registration"})
    ranking = response.context["ranking"]
    rates = sorted(float(bar.cell.counts.rate) for bar in ranking.bars)
    assert rates[0] >= 80 and ranking.floor == 80  # 六枝特区 17/21 (X1 too) = 81 %, 盘州市 80 %
    widths = {bar.row.code: float(bar.width.rstrip("%")) for bar in ranking.bars}
    assert widths[COUNTY] == 0.0  # 80 % sits at the axis' start
    assert widths["520102"] == pytest.approx(90.0)  # 98 % is 18 of the 20 points
    assert ranking.target is not None and ranking.target_at == "100.0%"
    body = response.content.decode()
    assert 'data-floor="80"' in body and "--goal: 100.0%" in body and "条形从 80% 起画" in body
    # rates all over the place: the axis starts at 0
    assert dashboard.axis_floor([3.0, 95.0], 100.0) == 0
    assert dashboard.axis_floor([100.0, 100.0], 100.0) == 90  # ten points at least
    assert dashboard.axis_floor([96.0], 90.0) == 90  # the target on the axis


def test_sorting_the_table_chooses_the_ranking(client_for, scenario):
    """One state: the indicator the table is sorted by is the one ranked, in the same order; a
    ranking's pill sorts the table by its indicator; the header links carry no separate chart."""
    client = client_for("sheng")
    response = client.get(URL, {"period": "2025", "sort": "key_coverage", "dir": "desc"})
    assert response.context["chart"].key == "key_coverage" and response.context["ranking"].descending
    body = response.content.decode()
    assert "chart=" not in body
    assert "?region=52&amp;period=2025&amp;sort=publicity&amp;dir=desc#ranking" in body  # a pill
    assert "?region=52&amp;period=2025&amp;sort=key_coverage&amp;dir=asc#ranking" in body  # worst first
    # nothing sorted: the first indicator, worst first
    response = client.get(URL, {"period": "2025"})
    assert response.context["chart"].key == all_indicators()[0].key
    assert not response.context["ranking"].descending
    # a link made before (?chart=) ranks and sorts by that indicator
    response = client.get(URL, {"period": "2025", "chart": "publicity"})
    assert response.context["chart"].key == "publicity" == response.context["table"].sort


def test_the_note_matches_the_scope(client_for, scenario):
    """A prefecture's page has no prefecture groups and no subtotals: its note does not speak of them."""
    province = client_for("sheng").get(URL, {"period": "2025"}).content.decode()
    note = province.split('data-testid="counties-note">')[1].split("</p>")[0]
    assert "市(州)" in note and "小计" in note
    body = client_for("lps").get(URL, {"period": "2025"}).content.decode()
    note = body.split('data-testid="counties-note">')[1].split("</p>")[0]
    assert "市(州)" not in note and "小计" not in note
    # nor does its ranking repeat the prefecture's name under each county
    ranking = body.split('data-testid="ranking"')[1].split("</ol>")[0]
    assert "六盘水市" not in ranking


def test_a_prefecture_viewer_sees_only_their_counties(client_for, scenario):
    client = client_for("lps")
    table = client.get(URL, {"period": "2025"}).context["table"]
    assert [g.subtotal.code for g in table.groups] == [PREFECTURE]
    assert {row.code for row in table.groups[0].rows} == set(
        Region.objects.filter(parent_id=PREFECTURE).values_list("code", flat=True)
    )
    body = client.get(URL).content.decode()
    assert "盘州市" in body
    # one prefecture: its subtotal would repeat 合计, on the page and in the export
    assert 'data-kind="subtotal"' not in body and 'data-kind="total"' in body
    sheet = load_workbook(BytesIO(client.get(XLSX_URL).getvalue())).active
    names = [str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0]]
    assert not any("小计" in name for name in names) and "合计" in names


@pytest.mark.parametrize(
    ("persona", "region", "status"),
    [
        ("lps", "5201", 404),  # another prefecture
        ("lps", "52", 404),  # above the viewer
        ("lps", COUNTY, 404),  # a county has no all-counties table
        ("sheng", COUNTY, 404),
        ("sheng", "5201", 200),
        ("lps", PREFECTURE, 200),
        ("panzhou", "", 403),  # county admin: one county only
        ("panzhou", COUNTY, 403),
        ("jiandu", "", 403),
        ("xieguan", "", 403),  # assistant
        ("xieguan", "52", 403),
    ],
)
def test_who_may_see_all_counties(client_for, scenario, persona, region, status):
    client = client_for(persona)
    params = {"region": region} if region else {}
    for url in (URL, XLSX_URL):
        assert client.get(url, params).status_code == status, url


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302
    assert client.get(XLSX_URL).status_code == 302


def test_the_dashboard_offers_all_counties_only_where_it_exists(client_for, scenario):
    assert (
        'data-testid="counties-link"'
        in client_for("sheng").get(reverse("indicators:dashboard")).content.decode()
    )
    lps = client_for("lps")
    assert 'data-testid="counties-link"' in lps.get(reverse("indicators:dashboard")).content.decode()
    body = lps.get(reverse("indicators:dashboard"), {"region": COUNTY}).content.decode()
    assert 'data-testid="counties-link"' not in body
    body = client_for("panzhou").get(reverse("indicators:dashboard")).content.decode()
    assert 'data-testid="counties-link"' not in body


def test_the_export_has_the_same_grouping(client_for, scenario):
    response = client_for("sheng").get(XLSX_URL, {"period": "2025", "sort": "registration"})
    assert response.status_code == 200
    assert "indicators-counties-52-2025.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "贵州省 全部区县主要工作指标（2025年）"
    names = [row[0].value for row in sheet.iter_rows(min_row=5)]
    # 六盘水市 first: the only prefecture with a rate (prefectures follow their subtotals)
    assert names[0] == "六盘水市 小计" and names[-1] == "合计"
    assert names[1:3] == ["盘州市", "六枝特区"]  # sorted by registration: 80% (4/5), then 100% (X1)
    assert sheet.cell(row=5, column=1).font.b and not sheet.cell(row=6, column=1).font.b
    assert sheet.cell(row=6, column=1).alignment.indent == 1
    values = [c.value for c in sheet[6]]
    assert values[1:4] == [0.8, 4, 5]  # registration of 盘州市, unmet: red fill
    assert sheet.cell(row=6, column=2).fill.fgColor.rgb.endswith("F8D7DA")
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows == "$3:$4"
    # "—" (nothing to count) sits on the right like a rate, never against the previous number
    dashes = [c for row in sheet.iter_rows(min_row=5) for c in row if c.value == "—"]
    assert dashes and all(c.alignment.horizontal == "right" for c in dashes)


def _queries(client, region):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"region": region, "period": "2025"}).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_number_of_counties(client_for, scenario):
    client = client_for("sheng")
    few = _queries(client, PREFECTURE)  # 4 counties (two with data: 盘州市, 六枝特区)
    counties = Region.objects.filter(level=Level.COUNTY, code__startswith="52")
    for county in counties:  # every one of the 88 counties gets data
        EmployerFactory(region_id=_township(county.code) or county.code)
    many = _queries(client, "52")  # 88 counties in nine prefectures
    assert many <= few, (few, many)
    # one grouped query per indicator (+3 for records' three kinds and its policy) and a few
    # for the page (session, user, regions, targets, navigation)
    assert many <= 9 + len(all_indicators()) + 3


def test_indicator_counts_by_prefix_keep_rows_above_county_level_apart(scenario):
    EmployerFactory(region_id=PREFECTURE)
    counts = indicator("registration").counts_by_prefix("52", parse_period("2025"), 6)
    assert counts[PREFECTURE].denominator == 1
    assert counts[COUNTY].denominator == 5


def test_the_export_region_column_fits_the_longest_name(client_for, scenario):
    """The province's 88 counties: a fixed 22-unit column cut "黔东南苗族侗族自治州 小计" (25 units)
    and the indented "威宁彝族回族苗族自治县" when printed."""
    response = client_for("sheng").get(XLSX_URL, {"period": "2025"})
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=5)]
    assert "黔东南苗族侗族自治州 小计" in names and "威宁彝族回族苗族自治县" in names
    assert sheet.column_dimensions["A"].width >= 2 * 11 + 3  # 11 CJK characters, indented
    assert sheet.column_dimensions["A"].width >= 2 * 12 + 1 + 1  # 12 CJK, a space, bold subtotal


def _groups(sheet):
    """The export's groups: ``[(subtotal row, last row of its counties)]`` (sheet row numbers)."""
    starts = [r for r in range(5, sheet.max_row + 1) if str(sheet.cell(r, 1).value).endswith(" 小计")]
    ends = [*(s - 1 for s in starts[1:]), sheet.max_row - 1]  # the last group ends before 合计
    return list(zip(starts, ends, strict=True))


def test_the_export_keeps_each_prefecture_on_one_printed_page(client_for, scenario):
    """Printed, a prefecture's subtotal (its group's header) came at the foot of a page with its
    counties on the next, or its counties cut over two pages. The export breaks the page before a
    group that would not fit in what is left of the page (``exports.page_breaks``), never right
    after a subtotal; the header rows repeat on every page (print titles); across, the pages
    break between indicators, so that no indicator's heading and columns are cut."""
    response = client_for("sheng").get(XLSX_URL, {"period": "2025"})
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.print_title_rows == "$3:$4" and sheet.print_title_cols == "$A:$A"
    breaks = [b.id for b in sheet.row_breaks.brk]  # a break after that row
    groups = _groups(sheet)
    assert len(groups) == 9 and breaks
    starts = {start for start, _end in groups}
    for row in breaks:
        assert row + 1 in starts, (row, sheet.cell(row + 1, 1).value)  # only right before a group
    # each page holds whole groups: no break inside a group (the groups are smaller than a page)
    for start, end in groups:
        assert not [b for b in breaks if start <= b < end], (sheet.cell(start, 1).value, breaks)
    # and no page holds more rows than it can: its rows at the estimated scale fit the paper
    capacity = exports.rows_per_page(sheet)
    edges = [4, *breaks, sheet.max_row]
    assert all(b - a <= capacity for a, b in pairwise(edges)), (capacity, edges)
    columns = [b.id for b in sheet.col_breaks.brk]
    # after an indicator's last column: each indicator's heading is merged over its columns
    ends = {r.max_col for r in sheet.merged_cells.ranges if r.min_row == 3 and r.min_col > 1}
    assert columns and set(columns) <= ends, (columns, ends)
    # fitted to the page width, Excel and LibreOffice ignore manual breaks: a fixed scale instead
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.scale) == exports.printed_scale(sheet) < 100


def test_the_page_stays_light_with_every_county_counted(client_for, scenario):
    """The province's page was 621 KB of HTML on the review's data (52 KB at nginx's gzip level
    1, over issue 16's 150 KB first load with the static files; 282 KB and 30 KB now): each cell
    had three links (rate, numerator, denominator), more for the extras, and a title on each. A
    cell now links its rate only (to what is missing, whose tabs lead to the other lists) and
    says the rest as plain numbers."""
    import re

    for county in Region.objects.filter(level=Level.COUNTY, code__startswith="52"):
        EmployerFactory(region_id=_township(county.code) or county.code)
    body = client_for("sheng").get(URL, {"period": "2025"}).content.decode()
    table = body[body.index('data-testid="counties-table"') : body.index("</table>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table)
    counted = [cell for cell in cells if "/" in cell and "<a " in cell]
    assert len(counted) >= 88 + 9 + 1  # registration at least, in every county, subtotal and total
    assert all(cell.count("<a ") == 1 and "title=" not in cell for cell in counted)
    assert "/indicators/registration/?region=520102&amp;period=2025&amp;show=missing" in table
    per_cell = len(table.encode()) / len(cells)
    assert per_cell < 200, per_cell  # 275 bytes a cell before, 158 now, with this data


def test_the_export_has_the_sub_counts_and_its_title_on_every_page(client_for, scenario):
    """The page shows 按时报告/逾期 under the reporting rate and the late records under the records
    rate; the export left them out. Printed on two pages across, the title merged over every
    column was cut on the second ("贵州省 全部区县主要工作"): it is the page header now, whole on
    every page, and the sheet's first two rows are left off the paper."""
    response = client_for("sheng").get(XLSX_URL, {"period": "2025"})
    sheet = load_workbook(BytesIO(response.content)).active
    header = [c.value for c in sheet[4]]
    for ind in all_indicators():
        start = header.index(str(ind.numerator_label)) - 1
        labels = [str(label) for label in ind.extra_labels.values()]
        assert header[start : start + 3 + len(labels)][3:] == labels, ind.key
    assert "按时报告" in header and "逾期" in header and "逾期报告的线索" in header
    total = next(row for row in sheet.iter_rows(min_row=5) if row[0].value == "合计")
    reporting = indicator("reporting")
    counts = reporting.total("52", parse_period("2025"))
    at = header.index("按时报告")
    assert [total[at].value, total[at + 1].value] == [counts.extras["on_time"], counts.extras["overdue"]]
    assert len(sheet.col_breaks.brk) >= 1  # printed on pages across
    assert sheet.oddHeader.center.text.startswith("贵州省 全部区县主要工作指标（2025年）")
    assert "!$A$3:" in sheet.print_area
    assert sheet["A1"].value == "贵州省 全部区县主要工作指标（2025年）"
    assert not [r for r in sheet.merged_cells.ranges if r.min_row == 1]  # A1, left-aligned, runs over
