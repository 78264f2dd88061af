"""Browser: 巡查记录's filter row, where two filters (区划, 协管员) are searchable pickers."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTROLS = (
    "id_date_from", "id_date_to", "id_region", "id_q",
    "id_assistant", "id_template", "id_findings", "id_status",
)  # fmt: skip


def _boxes(page):
    """Each filter's label and control boxes (the pickers' search box beside their select)."""
    return page.evaluate(
        """(ids) => ids.map((id) => {
          const control = document.getElementById(id);
          const label = document.querySelector(`label[for=${id}]`).getBoundingClientRect();
          const box = control.getBoundingClientRect();
          const picker = control.closest("[data-picker]");
          const search = picker && picker.querySelector(".picker-search").getBoundingClientRect();
          const column = control.closest("[class*=col-]").getBoundingClientRect();
          return { id, label: label.top, labelBottom: label.bottom, top: box.top, bottom: box.bottom,
                   left: box.left, right: box.right, column: column.left,
                   search: search && { top: search.top, bottom: search.bottom, right: search.right } };
        })""",
        list(CONTROLS),
    )


def test_the_filters_line_up_at_1280_and_stack_sensibly_at_360(
    live_server, personas, desk, phone, login_page, screenshot
):
    """At 1280 px the two searchable filters put their search box above their select: their labels
    sat a line higher than the other filters'. Now every filter in a row has its label on one line
    and its control on one line (a picker's search box beside its select); on a phone each
    picker's search box stays above its select, and nothing is wider than the screen."""
    login_page(desk, "sheng")
    desk.goto(f"{live_server.url}/inspections/")
    form = desk.get_by_test_id("filters")
    form.locator(".picker-search").first.wait_for()
    screenshot(desk, "filters-1280")
    boxes = _boxes(desk)
    rows: list[list[dict]] = []
    for box in boxes:  # the filters in the order of the form; a row wraps where a column starts left again
        if not rows or box["column"] < rows[-1][-1]["column"]:
            rows.append([])
        rows[-1].append(box)
    assert len(rows) >= 2, boxes  # more filters than one row holds
    for row in rows:
        assert max(b["label"] for b in row) - min(b["label"] for b in row) <= 1, row
        assert max(b["top"] for b in row) - min(b["top"] for b in row) <= 1, row
        assert max(b["bottom"] for b in row) - min(b["bottom"] for b in row) <= 1, row
    for box in boxes:
        if box["search"]:  # beside its select, on the same line
            assert abs(box["search"]["top"] - box["top"]) <= 1 and box["search"]["right"] <= box["left"], box
    # the buttons sit on the line of the controls of their row, as high as they are
    button = form.get_by_role("button", name="筛选").bounding_box()
    status = next(b for b in boxes if b["id"] == "id_status")
    assert button is not None and button["x"] > status["right"], (button, status)
    assert abs(button["y"] - status["top"]) <= 1, (button, status)
    assert abs(button["y"] + button["height"] - status["bottom"]) <= 1, (button, status)
    # typing in a picker says how many match without moving the other filters
    before = _boxes(desk)
    form.locator("[data-testid=picker-assistant] .picker-search").fill("盘州")
    desk.wait_for_timeout(100)
    after = _boxes(desk)
    assert "匹配" in form.locator("[data-testid=picker-assistant] .picker-status").inner_text()
    moved = [(b, a) for b, a in zip(before, after, strict=True) if abs(b["label"] - a["label"]) > 1]
    assert not moved, moved
    screenshot(desk, "filters-1280-typed")

    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/inspections/")
    phone.get_by_test_id("filters").locator(".picker-search").first.wait_for()
    screenshot(phone, "filters-360")
    for box in _boxes(phone):
        assert box["right"] <= 360, box
        if box["search"]:  # a phone's picker: the search box above its select, both full width
            assert box["search"]["bottom"] <= box["top"], box
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
