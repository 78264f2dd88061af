"""A new deployment while records wait on the phone (360 px, Debian's Chromium): the new service
worker takes control of the reopened app, and every queued record then reaches the database once.

Deterministic: the deployment is a new XIEGUAN_RELEASE, so the bytes of /sw.js change; the page
asks for the update itself (registration.update()) and the test waits for the event that says the
new worker controls the page (controllerchange, then the worker's own version message), not for a
fixed time. See docs/offline.md ("Updates")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xieguan.field.tests.journey import (
    controlled,
    outbox_count,
    photo_file,
    prepare_offline,
    queue_inspection_offline,
    worker_version,
)
from xieguan.inspections.models import Inspection, InspectionPhoto
from xieguan.leads.models import Complaint, Lead
from xieguan.lib.testing import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Resolves with the version of the worker that controls the page once it is not `first`: asks for
# the update, then waits for controllerchange (or sees the new controller already there).
WAIT_FOR_NEW_WORKER = """async (first) => {
    const sw = navigator.serviceWorker;
    const version = (worker) => new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        worker.postMessage({ type: "xieguan-version" }, [channel.port2]);
        setTimeout(() => resolve(null), 2000);  // a worker made redundant meanwhile never answers
    });
    const reg = await sw.getRegistration("/");
    await reg.update();
    for (;;) {
        if (sw.controller) {
            const v = await version(sw.controller);
            if (v && v !== first) return v;
        }
        await new Promise((resolve) => {
            sw.addEventListener("controllerchange", resolve, { once: true });
            setTimeout(resolve, 1000);
        });
    }
}"""


def test_a_new_version_of_the_app_takes_over_and_sends_what_waits_once(
    field_phone, live_server, settings, tmp_path, screenshot
):
    base = live_server.url
    employer = EmployerFactory.create(name="贵州盘州升级测试厂")
    prepare_offline(field_phone, base)
    context = field_phone.context
    page = field_phone
    first = worker_version(page)

    # Offline: an inspection with a photo and a complaint wait in the outbox; the app is closed.
    context.set_offline(True)
    queue_inspection_offline(page, base, employer, photo_file(tmp_path))
    page.goto(f"{base}/leads/complaints/new/")
    page.select_option("[name=channel]", "phone")
    page.fill("[name=content]", "升级期间排队的投诉")
    page.fill("[name=place]", "柏果镇")
    page.click("[data-testid=entry-form] [type=submit]")
    page.wait_for_url("**/field/outbox/#queued")
    assert outbox_count(page) == 2
    page.close()

    # A deployment: a new release, so a new /sw.js. The app is reopened with signal, but the API
    # cannot be reached yet, so nothing is sent before the new worker is in control.
    settings.XIEGUAN_RELEASE = "next-deployment"
    context.route("**/api/v1/**", lambda route: route.abort("internetdisconnected"))
    context.set_offline(False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/field/outbox/")
    controlled(page)
    new = page.evaluate(WAIT_FOR_NEW_WORKER, first)
    assert new and new != first
    assert worker_version(page) == new
    expect(page.get_by_test_id("outbox-item")).to_have_count(2)
    assert outbox_count(page) == 2
    assert Inspection.objects.count() == 0 and Complaint.objects.count() == 0
    screenshot(page, "updated-with-queue")

    # The API is back: the new version sends both, each once.
    context.unroute("**/api/v1/**")
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30_000)
    assert outbox_count(page) == 0
    assert Inspection.objects.count() == 1 and InspectionPhoto.objects.count() == 1
    assert Complaint.objects.count() == 1
    assert Lead.objects.filter(inspection__isnull=False).count() == 2
