"""Browser: the province compares all 88 counties (sort, ranking) at 1280 px and on a 360 px phone."""

from __future__ import annotations

import pytest

from xieguan.indicators.tests.factories import EmployerFactory, load_default_targets
from xieguan.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counties_with_data(personas):
    load_default_targets()
    # registration: 钟山区 2/2, 盘州市 1/2, 南明区 0/1 (the other counties: nothing to count)
    for county, registered in (("520201", [True, True]), ("520281", [True, False]), ("520102", [False])):
        township = Region.objects.filter(parent_id=county).values_list("code", flat=True).first()
        for flag in registered:
            EmployerFactory.create(region_id=township, registered=flag)


def test_the_province_sorts_and_ranks_every_county(
    live_server, counties_with_data, desk, phone, login_page, screenshot
):
    login_page(desk, "sheng")
    desk.goto(f"{live_server.url}/indicators/")
    desk.get_by_test_id("counties-link").click()
    assert "全部区县" in desk.get_by_test_id("counties-title").inner_text()
    table = desk.get_by_test_id("counties-table")
    assert table.locator("tr[data-kind='child']").count() == 88
    assert table.locator("tr[data-kind='subtotal']").count() == 9
    assert table.locator("tr[data-region='520281'] td.unmet").count() >= 1  # 50% < 100%
    screenshot(desk, "counties")

    desk.get_by_test_id("sort-registration").click()  # worst first, within each prefecture
    header = table.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending"
    group = table.locator("tbody[data-prefecture='5202'] tr[data-kind='child']")
    assert group.first.get_attribute("data-region") == "520281"  # 50% before 100%
    desk.get_by_test_id("sort-registration").click()  # best first
    assert table.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
    assert group.first.get_attribute("data-region") == "520201"

    ranking = desk.get_by_test_id("ranking")
    assert [ranking.locator("li[data-region]").nth(i).get_attribute("data-region") for i in range(3)] == [
        "520201",
        "520281",
        "520102",
    ]
    screenshot(desk, "counties-ranking")

    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/indicators/counties/?chart=registration")
    assert phone.get_by_test_id("counties-table").locator("tr[data-kind='child']").count() == 88
    # the page itself does not scroll sideways: only the table does
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    ranking = phone.get_by_test_id("ranking")
    assert ranking.locator("li[data-region]").count() == 3  # only counties with something to count are ranked
    assert "85" in phone.get_by_test_id("unrated").inner_text()
    screenshot(phone, "counties-phone")


def test_the_ranking_fits_a_phone_with_large_counts(live_server, personas, phone, login_page, screenshot):
    """A county with hundreds of employers ("93.2% 109/117"): the value and its counts stayed on one
    line in a fixed 6.5rem column and pushed the page 22 px past a 360 px screen."""
    load_default_targets()
    township = Region.objects.filter(parent_id="520281").values_list("code", flat=True).first()
    EmployerFactory.create_batch(109, region_id=township, registered=True)
    EmployerFactory.create_batch(8, region_id=township, registered=False)
    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/indicators/counties/?chart=registration")
    value = phone.get_by_test_id("ranking").locator("li[data-region='520281'] .ranking-value")
    assert "93.2%" in value.inner_text() and "109/117" in value.inner_text()
    box = value.locator(".small").bounding_box()  # the counts, last on the line
    assert box is not None and box["x"] + box["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "counties-ranking-phone")


def _view(page, name):
    """A screenshot of what is on the screen (not the whole page), for looking at."""
    from conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"counties-{name}.png"))


def _wait_for_scroll(page):
    """Until the page has stopped scrolling (two equal readings 100 ms apart)."""
    last = None
    for _ in range(50):
        now = page.evaluate("window.scrollY")
        if now == last:
            return
        last = now
        page.wait_for_timeout(100)


def _header_on_screen(page):
    """What is just below the menu bar above the first indicator column whose cells are on screen
    right of the county column: its header (the sticky copy), with both lefts."""
    return page.evaluate(
        """() => {
          const nav = document.querySelector("body > nav.sticky-top").getBoundingClientRect();
          const row = document.querySelector("[data-testid=counties-table] tbody tr[data-kind=child]");
          const edge = row.cells[0].getBoundingClientRect().right;
          const cell = [...row.cells].slice(1).find((c) => c.getBoundingClientRect().left >= edge - 1);
          const box = cell.getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + box.width / 2, nav.bottom + 4);
          const th = hit && hit.closest("th");
          return th ? { text: th.innerText, left: th.getBoundingClientRect().left, cellLeft: box.left,
                        column: cell.cellIndex, top: th.getBoundingClientRect().top, nav: nav.bottom } : null;
        }"""
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_the_header_stays_below_the_menu_bar_and_the_ranking_follows_the_sort(
    live_server, counties_with_data, browser, login_page, width
):
    """Mid-table (88 rows) the column headers were gone; a ranking pill landed with the heading and
    the pills under the sticky menu bar; sorting the table left the ranking on another indicator."""
    context = browser.new_context(viewport={"width": width, "height": 780}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "sheng")
    page.goto(f"{live_server.url}/indicators/counties/")
    table = page.get_by_test_id("counties-table")
    table.locator("tr[data-kind='child']").nth(44).scroll_into_view_if_needed()  # mid-table
    if width == 360:  # the table scrolls in its own box: the page scrolls the box's top under the menu bar
        page.evaluate(
            """() => {
              const nav = document.querySelector("body > nav.sticky-top").getBoundingClientRect().bottom;
              const box = document.querySelector(".counties-box").getBoundingClientRect();
              window.scrollBy(0, box.top - nav + 150);
            }"""
        )
    else:
        page.mouse.wheel(0, 200)
    page.wait_for_timeout(200)
    seen = _header_on_screen(page)
    assert seen is not None and seen["column"] == 1 and "登记" in seen["text"], seen
    assert abs(seen["top"] - seen["nav"]) <= 1 and abs(seen["left"] - seen["cellLeft"]) <= 1, seen
    _view(page, f"{width}-mid")
    # scrolled sideways, the header follows its columns, the county column stays
    page.evaluate("document.querySelector('.table-responsive').scrollLeft = 400")
    page.wait_for_timeout(200)
    seen = _header_on_screen(page)
    assert seen is not None and abs(seen["left"] - seen["cellLeft"]) <= 1, seen
    if width == 360:  # the table scrolled: another column under the same header text as its own
        assert seen["column"] > 1, seen
        own = table.locator("thead th").nth(seen["column"]).inner_text()
        assert seen["text"] == own, (seen, own)
    _view(page, f"{width}-mid-sideways")
    # at the top the table's own header shows, the copy is hidden
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    assert page.get_by_test_id("sticky-head").is_hidden()

    # sorting chooses the ranking: the header link, then the ranking's pill lands below the menu bar
    page.get_by_test_id("sort-publicity").click()
    assert "宣传" in page.locator("#ranking").inner_text()
    assert page.get_by_test_id("chart-publicity").get_attribute("aria-current") == "page"
    page.get_by_test_id("chart-registration").click()
    page.wait_for_load_state()
    assert page.url.endswith("#ranking") and "sort=registration" in page.url
    _wait_for_scroll(page)  # Bootstrap scrolls to the anchor smoothly
    assert table.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    nav = page.evaluate("document.querySelector('body > nav.sticky-top').getBoundingClientRect().bottom")
    heading = page.locator("#ranking").bounding_box()
    pills = page.get_by_test_id("chart-registration").bounding_box()
    assert heading is not None and pills is not None
    bottom = page.evaluate("window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1")
    # just below the menu bar (or lower, when the page cannot scroll further), never under it
    assert heading["y"] >= nav and (heading["y"] <= nav + 40 or bottom), (nav, heading, pills)
    assert pills["y"] > heading["y"]
    # worst first: 南明区 0/1, 盘州市 1/2, 钟山区 2/2
    ranking = page.get_by_test_id("ranking").locator("li[data-region]")
    assert [ranking.nth(i).get_attribute("data-region") for i in range(3)] == ["520102", "520281", "520201"]
    _view(page, f"{width}-ranking")
    page.get_by_test_id("order-best").click()
    page.wait_for_load_state()
    assert [ranking.nth(i).get_attribute("data-region") for i in range(3)] == ["520201", "520281", "520102"]
    assert table.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_four_digit_counts_stay_in_their_row(live_server, personas, browser, login_page, width):
    """A county with over a thousand employers ("94.8% 1109/1170"): at 1280 px the value and its
    counts overflowed their fixed 7.5rem column by some 24 px. Every value ends within its row, no
    bar runs under a value, and every bar keeps one scale (the tracks line up)."""
    from xieguan.employers.models import Employer

    load_default_targets()
    townships = list(Region.objects.filter(parent_id="520281").values_list("code", flat=True)[:2])
    big = [EmployerFactory.build(region_id=townships[0], registered=n < 1109) for n in range(1170)]
    small = [EmployerFactory.build(region_id=townships[1], registered=n < 1) for n in range(2)]
    Employer.objects.bulk_create(big)
    small_county = Region.objects.filter(parent_id="520201").values_list("code", flat=True).first()
    for employer in small:
        employer.region_id = employer.township_id = small_county
    Employer.objects.bulk_create(small)
    context = browser.new_context(viewport={"width": width, "height": 780}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "sheng")
    page.goto(f"{live_server.url}/indicators/counties/?chart=registration")
    rows = page.evaluate(
        """() => [...document.querySelectorAll("[data-testid=ranking] li[data-region]")].map((li) => {
          const box = (el) => el.getBoundingClientRect();
          const value = li.querySelector(".ranking-value");
          const parts = [value, ...value.querySelectorAll("*")].filter((el) => box(el).width > 0);
          const track = box(li.querySelector(".ranking-track"));
          return { region: li.dataset.region, text: value.innerText, row: box(li).right,
                   end: Math.max(...parts.map((el) => box(el).right)), valueLeft: box(value).left,
                   track: [track.left, track.right] };
        })"""
    )
    page.get_by_test_id("ranking").locator("li[data-region='520281']").scroll_into_view_if_needed()
    _view(page, f"{width}-four-digits")
    big_row = next(r for r in rows if r["region"] == "520281")
    assert "94.8%" in big_row["text"] and "1109/1170" in big_row["text"], rows
    for row in rows:
        assert row["end"] <= row["row"] + 0.5, row  # nothing sticks out of its row
        if width > 575:  # bar and value side by side (on a phone the bar is on its own line)
            assert row["track"][1] <= row["valueLeft"], row
    assert len({tuple(round(x) for x in r["track"]) for r in rows}) == 1, rows  # one scale
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.fixture
def every_county_counts(personas):
    """Something to count in each of the 88 counties: every county ranked, as on a real province."""
    from xieguan.employers.models import Employer
    from xieguan.regions.models import Level

    load_default_targets()
    employers = []
    for n, county in enumerate(Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True)):
        township = Region.objects.filter(parent_id=county).values_list("code", flat=True).first()
        employers += [EmployerFactory.build(region_id=township, registered=k <= n % 3) for k in range(3)]
    Employer.objects.bulk_create(employers)


def test_a_phone_scrolls_the_table_and_the_ranking_in_boxes_of_a_screen(
    live_server, every_county_counts, phone, desk, login_page, screenshot
):
    """88 counties × the indicators, then 88 ranked counties: at 360 px the page was some 17,800 px
    tall. On a phone the table and the ranking each scroll in a box about a screen high (headers
    and county column staying in view inside it, no JavaScript needed); every county is still
    there. The desktop page is as before: nothing scrolls inside it but the table sideways."""
    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/indicators/counties/?sort=registration")
    table = phone.get_by_test_id("counties-table")
    ranking = phone.get_by_test_id("ranking")
    assert table.locator("tr[data-kind='child']").count() == 88
    assert ranking.locator("li[data-region]").count() == 88
    height = phone.evaluate("document.documentElement.scrollHeight")
    screenshot(phone, "phone-page")
    assert height <= 4000, height
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # the table's box: scrolled to its last county, the header row is still at the box's top
    box = table.locator("xpath=..")
    box.scroll_into_view_if_needed()
    box.evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    last = table.locator("tr[data-kind='child']").last
    head = table.locator("thead th").nth(1)
    box_top = box.bounding_box()["y"]
    assert abs(head.bounding_box()["y"] - box_top) <= 1, (head.bounding_box(), box_top)
    assert last.is_visible() and last.bounding_box()["y"] < box_top + box.bounding_box()["height"]
    _view(phone, "phone-table-end")
    # the ranking's box: the last county reachable, the axis above it
    ranking.evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    ranking.scroll_into_view_if_needed()
    rows = ranking.locator("li[data-region]")
    end = rows.last.bounding_box()
    frame = ranking.bounding_box()
    assert end["y"] + end["height"] <= frame["y"] + frame["height"] + 1, (end, frame)
    axis = ranking.locator(".ranking-axis").bounding_box()
    assert abs(axis["y"] - frame["y"]) <= 1, (axis, frame)
    _view(phone, "phone-ranking-end")

    login_page(desk, "sheng")
    desk.goto(f"{live_server.url}/indicators/counties/?sort=registration")
    for testid in ("counties-table", "ranking"):
        scroller = desk.get_by_test_id(testid).locator("xpath=..") if testid == "counties-table" else None
        element = scroller or desk.get_by_test_id(testid)
        assert element.evaluate("(el) => el.scrollHeight <= el.clientHeight + 1"), testid
