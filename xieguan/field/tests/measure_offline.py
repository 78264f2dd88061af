"""Measurements of the field app for docs/offline.md (not part of the suite: no test_ prefix).

Run: .venv/bin/python -m pytest xieguan/field/tests/measure_offline.py -s -p no:cacheprovider
Prints the precache size, the time to open the app offline, the bytes one inspection with one
photo sends, and the time 20 queued inspections with photos take to sync under Chrome DevTools'
"Slow 3G" profile (CDP Network.emulateNetworkConditions), and saves 360 px screenshots.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.signals import request_started

from xieguan.field.tests.journey import (
    controlled,
    outbox_count,
    photo_file,
    prepare_offline,
    queue_inspection_offline,
)
from xieguan.field.views import SHELL
from xieguan.inspections.models import Inspection, InspectionPhoto
from xieguan.inspections.tests.factories import load_templates
from xieguan.lib.testing import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chrome DevTools' "Slow 3G" preset: 400 ms x 5 latency, 500 kbit/s x 0.8 each way.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
N = 20


def shell_bytes() -> tuple[int, int]:
    raw = packed = 0
    for name in SHELL:
        found = finders.find(name)
        assert isinstance(found, str), name
        data = Path(found).read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, 6))
    return raw, packed


def precache_in_browser(page: Any) -> dict[str, int]:
    result: dict[str, int] = page.evaluate(
        """async () => {
            const out = {};
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                let bytes = 0;
                for (const request of await cache.keys()) {
                    bytes += (await (await cache.match(request)).blob()).size;
                }
                out[name] = bytes;
            }
            return out;
        }"""
    )
    return result


def test_measure(live_server, personas, phone, login_page, tmp_path, screenshot):
    load_templates()
    employers = [EmployerFactory.create(name=f"贵州盘州测量厂{i:02d}") for i in range(10)]
    base = live_server.url
    context = phone.context
    photo = photo_file(tmp_path)
    report: dict[str, Any] = {}

    raw, packed = shell_bytes()
    report["precache_files"] = len(SHELL) + 1
    report["precache_bytes_raw"] = raw
    report["precache_bytes_gzip"] = packed

    login_page(phone, "xieguan")
    controlled(phone)
    started = time.perf_counter()
    report["prepare_text"] = prepare_offline(phone, base)
    report["prepare_seconds"] = round(time.perf_counter() - started, 2)
    report["caches_in_browser"] = precache_in_browser(phone)

    # Time to open the app offline at the work list (a fresh page, the network off).
    phone.close()
    context.set_offline(True)
    opens = []
    for _ in range(5):
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/")
        page.get_by_test_id("sync-status").wait_for()
        timing = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
        )
        opens.append(timing)
        page.close()
    report["offline_open_ms_load_median"] = round(statistics.median(o["load"] for o in opens))
    report["offline_open_ms_dcl_median"] = round(statistics.median(o["dcl"] for o in opens))

    # One inspection with one photo: what it sends.
    page = context.new_page()
    page.set_default_timeout(20_000)
    queue_inspection_offline(page, base, employers[0], photo)
    screenshot(page, "offline-queued")
    report["photo_original_bytes"] = photo.stat().st_size
    report["photo_on_phone"] = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("xieguan-field");
            open.onsuccess = () => {
                const req = open.result.transaction("photos").objectStore("photos").getAll();
                req.onsuccess = () =>
                    resolve(req.result.map((p) => ({ photo: p.blob.size, thumb: p.thumb.size })));
            };
        })"""
    )
    sizes: list[dict[str, Any]] = []
    bodies: list[tuple[str, int]] = []

    def on_finished(request: Any) -> None:
        # The draft (PUT), the photo (multipart) and the submission (docs/offline.md).
        if "/api/v1/inspections/" in request.url:
            step = request.url.rsplit("/", 1)[-1]
            sizes.append({"request": f"{request.method} …/{step}", **request.sizes()})

    def on_request(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        # The body as the server receives it (the browser reports 0 for a multipart of a blob).
        if "/api/v1/inspections/" in environ.get("PATH_INFO", ""):
            bodies.append((environ["PATH_INFO"].rsplit("/", 1)[-1], int(environ.get("CONTENT_LENGTH") or 0)))

    request_started.connect(on_request)

    page.on("requestfinished", on_finished)
    context.set_offline(False)
    page.get_by_test_id("outbox-empty").wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(500)
    context.set_offline(False)
    page.remove_listener("requestfinished", on_finished)
    request_started.disconnect(on_request)
    report["one_inspection_requests"] = sizes
    report["one_inspection_bodies_received_by_server"] = bodies
    sent = sum(n for _, n in bodies) + sum(r["requestHeadersSize"] for r in sizes)
    report["one_inspection_bytes_sent"] = sent
    report["one_inspection_bytes_received"] = sum(
        r["responseBodySize"] + r["responseHeadersSize"] for r in sizes
    )
    stored = InspectionPhoto.objects.get()
    report["photo_stored_on_server_bytes"] = stored.image.size

    # 20 inspections with a photo each, queued offline, synced under Slow 3G. One CDP session
    # does both (Playwright's set_offline is a second emulation that would stay in force).
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "offline": True})
    page.wait_for_timeout(300)
    for i in range(N):
        queue_inspection_offline(page, base, employers[i % len(employers)], photo, companion=f"陪同{i}")
    assert outbox_count(page) == N
    screenshot(page, "offline-20-queued")
    started = time.perf_counter()
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)  # the network returns, slowly
    for _ in range(1200):
        if outbox_count(page) == 0:
            break
        page.wait_for_timeout(500)
    report["sync_20_slow3g_seconds"] = round(time.perf_counter() - started, 1)
    report["inspections_on_server"] = Inspection.objects.count()
    report["photos_on_server"] = InspectionPhoto.objects.count()
    cdp.send(
        "Network.emulateNetworkConditions",
        {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    screenshot(page, "synced")
    print("\nMEASURE " + json.dumps(report, ensure_ascii=False, indent=1))
