"""Steps shared by the field app's browser journeys (Playwright on Debian's Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from xieguan.inspections.tests.test_journey_browser import ANSWERS, sign

__all__ = ["ANSWERS", "controlled", "fill_inspection", "photo_file", "prepare_offline", "sign"]


def photo_file(tmp_path: Path, name: str = "scene.jpg", size: tuple[int, int] = (4000, 3000)) -> Path:
    """A camera-sized photo with some detail (noise keeps the JPEG honest about its size)."""
    img = Image.merge("RGB", [Image.effect_noise(size, 14)] * 3)
    draw = ImageDraw.Draw(img)
    draw.rectangle([(size[0] // 5, size[1] // 5), (size[0] // 2, size[1] // 2)], fill=(60, 90, 60))
    path = tmp_path / name
    img.save(path, "JPEG", quality=92)
    return path


def controlled(page: Any) -> None:
    """Wait until the service worker is active and controls the page."""
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20_000
    )


def prepare_offline(page: Any, base: str) -> str:
    """Open the outbox page, tap 离线准备, wait for it; returns what the page says."""
    page.goto(f"{base}/field/outbox/")
    controlled(page)
    page.get_by_test_id("prepare").click()
    page.wait_for_function(
        "() => document.getElementById('prepare-progress').textContent.startsWith('完成')", timeout=60_000
    )
    return page.get_by_test_id("prepared-info").inner_text()


def fill_inspection(page: Any, photo: Path | None, companion: str = "李四") -> None:
    """Answer every item (two findings), write notes, the companion, sign twice, add a photo."""
    page.wait_for_selector("#inspection-form")
    for number, answer in ANSWERS.items():
        page.click(f"label[for=a{number}-{answer}]")
    page.fill("textarea[name=note_3]", "未见检测报告")
    page.fill("textarea[name=note_6]", "粉碎车间粉尘较大")
    page.fill("#f-accompanying_person", companion)
    sign(page, "sign-companion")
    sign(page, "sign-assistant")
    if photo is not None:
        before = page.locator("[data-testid=photos] img").count()
        page.set_input_files("[data-testid=photo-choose]", str(photo))
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-testid=photos] img').length > {before}", timeout=20_000
        )


def queue_inspection_offline(
    page: Any, base: str, employer: Any, photo: Path | None, companion: str = "李四"
) -> None:
    """With the network off: open the employer's 附表1 from the cache, fill it, submit (queued)."""
    page.goto(f"{base}/inspections/new/{employer.pk}/")
    fill_inspection(page, photo, companion=companion)
    page.click("[data-testid=submit]")
    page.wait_for_url("**/field/outbox/#queued")


def outbox_count(page: Any) -> int:
    """Records in this phone's outbox (read from IndexedDB)."""
    count: int = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("xieguan-field");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const req = open.result.transaction("outbox").objectStore("outbox").count();
                req.onsuccess = () => resolve(req.result);
            };
        })"""
    )
    return count


def worker_version(page: Any) -> str:
    version: str = page.evaluate(
        """() => new Promise((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = (event) => resolve(event.data);
            navigator.serviceWorker.controller.postMessage({ type: "xieguan-version" }, [channel.port2]);
        })"""
    )
    return version
