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
