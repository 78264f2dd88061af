"""The field app's offline code is loaded only where it is used (docs/offline.md, "Weight"):
an assistant's page imports it (status.js -> status-bar.js, the outbox on IndexedDB, the sync
loop) and works offline as before; an office page loads status.js alone; the login page still
empties the previous account's offline pages on a shared phone and leaves its outbox waiting."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from xieguan.field.tests.journey import controlled, outbox_count
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.models import Complaint
from xieguan.lib.testing import PASSWORD, EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What an office page must not fetch: the field app past its entry, and the IndexedDB wrapper.
OFFLINE_CODE = {
    "/static/xieguan/field/status-bar.js",
    "/static/xieguan/field/outbox.js",
    "/static/xieguan/field/sync.js",
    "/static/xieguan/field/prepare.js",
    "/static/xieguan/field/relogin.js",
    "/static/xieguan/field/photo.js",
    "/static/vendor/idb/idb.js",
}
ENTRY = "/static/xieguan/field/status.js"

PAGES_CACHED = "() => caches.has('xieguan-pages')"
PREPARED = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("xieguan-field");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const req = open.result.transaction("meta").objectStore("meta").get("prepared");
        req.onsuccess = () => resolve(req.result || null);
    };
})"""


def scripts(requested: list[str]) -> set[str]:
    return {path for path in requested if path.endswith(".js")}


def log_in(page: Any, base: str, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.wait_for_load_state("networkidle")


def log_out(page: Any, base: str) -> None:
    page.evaluate("document.querySelector(\"form[action='/logout/']\").requestSubmit()")
    page.wait_for_url(f"{base}/login/")


def test_an_office_page_loads_no_offline_code_and_the_assistant_works_offline_as_before(
    live_server, personas, phone, screenshot
):
    load_templates()
    employer = EmployerFactory.create(name="贵州盘州按需加载测试厂")
    base = live_server.url
    context = phone.context
    requested: list[str] = []
    context.on("request", lambda request: requested.append(urlparse(request.url).path))

    # The assistant, online once: the field app is imported, the worker takes control.
    phone.goto(f"{base}/login/")
    log_in(phone, base, "xieguan")
    controlled(phone)
    expect(phone.get_by_test_id("sync-status")).to_contain_text("已同步")
    assert scripts(requested) >= OFFLINE_CODE, OFFLINE_CODE - scripts(requested)
    for path in ("/", "/leads/complaints/new/"):  # opened online with the worker: kept for offline
        phone.goto(f"{base}{path}")
        expect(phone.get_by_test_id("sync-status")).to_contain_text("已同步")

    # Offline: a complaint goes to the outbox and every page's status bar counts it, the field
    # app imported from the worker's precache.
    context.set_offline(True)
    phone.goto(f"{base}/leads/complaints/new/")
    phone.select_option("[name=channel]", "visit")
    phone.fill("[name=content]", "群众反映喷漆车间无通风")
    phone.select_option("[name=employer]", str(employer.pk))
    phone.click("[data-testid=entry-form] [type=submit]")
    phone.wait_for_url("**/field/outbox/#queued")
    phone.goto(f"{base}/")
    expect(phone.get_by_test_id("sync-status")).to_contain_text("离线 · 待上传 1 项")
    screenshot(phone, "1-assistant-offline")

    # Back online but the API unreachable (the record keeps waiting), the assistant logs out:
    # the login page empties the offline pages; the outbox stays, the assistant's.
    context.route("**/api/**", lambda route: route.abort())
    context.set_offline(False)
    phone.goto(f"{base}/")
    expect(phone.get_by_test_id("sync-status")).to_contain_text("待上传 1 项")
    assert phone.evaluate(PAGES_CACHED)
    log_out(phone, base)
    phone.wait_for_function(f"async () => !(await ({PAGES_CACHED})())")
    assert phone.evaluate(PREPARED) is None
    assert outbox_count(phone) == 1

    # A county admin logs in on the same phone: status.js only, no status bar, nothing sent.
    requested.clear()
    log_in(phone, base, "panzhou")
    phone.goto(f"{base}/inspections/")
    phone.wait_for_load_state("networkidle")
    assert ENTRY in requested
    assert not OFFLINE_CODE & scripts(requested), OFFLINE_CODE & scripts(requested)
    expect(phone.get_by_test_id("sync-status")).to_have_count(0)
    screenshot(phone, "2-county-admin")
    phone.set_viewport_size({"width": 1280, "height": 900})
    screenshot(phone, "3-county-admin-1280")
    phone.set_viewport_size({"width": 360, "height": 780})
    assert Complaint.objects.count() == 0

    # The assistant again: the waiting complaint is sent, once.
    log_out(phone, base)
    context.unroute("**/api/**")
    log_in(phone, base, "xieguan")
    expect(phone.get_by_test_id("sync-status")).to_contain_text("已同步", timeout=20_000)
    phone.set_viewport_size({"width": 1280, "height": 900})
    screenshot(phone, "4-assistant-synced-1280")
    assert outbox_count(phone) == 0
    complaint = Complaint.objects.get()
    assert complaint.employer_id == employer.pk
