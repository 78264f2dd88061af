"""Browser: the dashboard's table of child regions keeps its header row on screen (sticky-head.js)."""

from __future__ import annotations

import pytest

from xieguan.indicators.tests.factories import load_default_targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_dashboard_table_keeps_its_header_below_the_menu_bar(
    live_server, personas, browser, login_page, width
):
    """A county's dashboard lists its townships (盘州市: 27) × the indicators, taller than a screen:
    scrolled to its middle, the column headers were gone. The header row (a copy, as on 全部区县)
    now stays just below the menu bar, over its own columns, and is hidden again at the top."""
    from conftest import ARTIFACTS

    load_default_targets()
    context = browser.new_context(viewport={"width": width, "height": 780}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "panzhou")
    page.goto(f"{live_server.url}/indicators/")
    table = page.get_by_test_id("indicator-table")
    rows = table.locator("tbody tr")
    assert rows.count() >= 20
    rows.nth(rows.count() // 2).scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(300)
    seen = page.evaluate(
        """() => {
          const nav = document.querySelector("body > nav.sticky-top").getBoundingClientRect();
          const row = document.querySelector("[data-testid=indicator-table] tbody tr");
          const cell = row.cells[1].getBoundingClientRect();
          const hit = document.elementFromPoint(cell.left + cell.width / 2, nav.bottom + 4);
          const th = hit && hit.closest("th");
          if (!th) return null;
          const copy = th.closest(".sticky-head");  // null: the table's own header, not the copy
          return { text: th.innerText, left: th.getBoundingClientRect().left, cellLeft: cell.left,
                   top: copy && th.getBoundingClientRect().top, nav: nav.bottom };
        }"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}-mid.png"))
    own = table.locator("thead th").nth(1).inner_text()
    assert seen is not None and seen["text"] == own, (seen, own)
    assert seen["top"] is not None and abs(seen["top"] - seen["nav"]) <= 1, seen
    assert abs(seen["left"] - seen["cellLeft"]) <= 1, seen
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    assert page.get_by_test_id("sticky-head").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
