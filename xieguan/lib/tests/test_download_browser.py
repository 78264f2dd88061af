"""An export link says 正在生成文件，请稍候… and cannot be clicked again until its file starts to
download (static/xieguan/app.js, lib/downloads.py); the province's lead register takes about 10 s
before its first byte. To look at the waiting link, the export's request is dropped by a
Playwright route (net::ERR_ABORTED: the page stays and no answer ever comes, as while a file is
being made); then the export runs for real."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from xieguan.leads.tests.factories import make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUSY = "正在生成文件，请稍候…"


@pytest.mark.parametrize("width", [1280, 360])
def test_an_export_link_waits_for_its_file_and_cannot_be_clicked_twice(
    live_server, personas, browser, login_page, screenshot, width
):
    make_lead(personas)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "panzhou")
    page.goto(f"{live_server.url}/leads/")
    link = page.get_by_test_id("export")
    href = link.get_attribute("href")
    expect(link).to_have_text("导出登记表")

    # The file is being made (its answer never comes): the link waits, and says so.
    asked: list[str] = []

    def hold(route: Any) -> None:
        asked.append(route.request.url)
        route.abort("aborted")

    page.route("**/leads/export*", hold)
    link.click()
    expect(link).to_have_text(BUSY)
    expect(link).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#xg-download-status")).to_have_text(BUSY)  # read out (role=status)
    expect(link).to_be_focused()
    screenshot(page, f"busy-{width}")
    link.dispatch_event("click")  # a second click (the pointer passes through it while disabled)
    page.keyboard.press("Enter")  # and the keyboard, on the focused link
    page.wait_for_timeout(600)
    assert len(asked) == 1, asked
    assert re.search(r"[?&]xg_download=[0-9a-f]{24}$", asked[0]), asked[0]
    expect(link).to_have_text(BUSY)
    assert page.url == f"{live_server.url}/leads/"

    # For real: the link is given back when the download starts, the cookie is cleared.
    page.unroute("**/leads/export*")
    page.reload()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    expect(link).to_have_text("导出登记表")
    expect(link).not_to_have_attribute("aria-disabled", "true")
    expect(page.locator("#xg-download-status")).to_have_text("文件已开始下载。")
    page.wait_for_function("() => !document.cookie.includes('xg_dl_')")  # the page cleared it
    assert link.get_attribute("href") == href  # a plain link (what a page without JavaScript has)
    assert page.url == f"{live_server.url}/leads/"  # the list stayed
    screenshot(page, f"done-{width}")
    context.close()
