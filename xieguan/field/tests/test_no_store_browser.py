"""The service worker keeps pages for offline use, but never one the server marked
``Cache-Control: no-store`` (helper atka's review): the enrolment page with the TOTP secret,
private photos opened in a tab, personal-data exports. Before, it stored every 200 page it saw,
so the secret of the second factor (or a roster) stayed in the phone's Cache Storage."""

from __future__ import annotations

import pytest

from xieguan.field.tests.journey import controlled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED_URLS = """async () => {
  const cache = await caches.open("xieguan-pages");
  return (await cache.keys()).map((r) => new URL(r.url).pathname);
}"""


def test_a_no_store_page_is_never_kept_by_the_service_worker(live_server, personas, phone, login_page):
    base = live_server.url
    login_page(phone, "xieguan")
    controlled(phone)
    phone.goto(f"{base}/")
    phone.goto(f"{base}/account/two-factor/")
    secret_page = phone.get_by_test_id("otp-secret")
    assert secret_page.inner_text().strip()  # the secret is on the page (no-store)
    phone.goto(f"{base}/field/outbox/")
    phone.wait_for_function(
        """async () => {
          const cache = await caches.open("xieguan-pages");
          return (await cache.keys()).some((r) => new URL(r.url).pathname === "/field/outbox/");
        }""",
        timeout=15_000,
    )
    cached = phone.evaluate(CACHED_URLS)
    assert "/" in cached  # ordinary pages are kept for offline use
    assert "/account/two-factor/" not in cached, cached
