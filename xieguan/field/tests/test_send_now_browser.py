"""The form's 提交 and the sync loop race for the same record: 保存 puts it in the outbox and asks
for a background sync, and the loop may send it before the form's own ``sendNow`` takes the lock.
The form must then open the record's page as if it had sent it (it went to the outbox page with
nothing waiting there: seen in a full run of the task journey)."""

from __future__ import annotations

from typing import Any

import pytest

from xieguan.lib.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEND_NOW = """async ([id, remembered]) => {
    const outbox = await import("/static/xieguan/field/outbox.js");
    const sync = await import("/static/xieguan/field/sync.js");
    if (remembered) {
        const sent = (await outbox.getMeta("sent")) || [];
        const at = new Date().toISOString();
        sent.unshift({id, kind: "task_answer", title: "排查", url: "/tasks/1/", at, created: true});
        await outbox.setMeta("sent", sent);
    }
    return await sync.sendNow(id);
}"""


def test_a_record_the_loop_sent_first_is_accepted_with_its_page(live_server: Any, personas: Any, phone: Any):
    phone.goto(f"{live_server.url}/login/")
    phone.fill("#id_username", "xieguan")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/", wait_until="domcontentloaded")
    phone.wait_for_selector("#xg-status")  # an assistant's page: the field app is there
    sent_by_the_loop = phone.evaluate(SEND_NOW, ["0b9f3c6e-1111-4c2a-9d7e-5a1b2c3d4e5f", True])
    assert sent_by_the_loop == {"outcome": "accepted", "data": {"url": "/tasks/1/"}}
    # a record neither waiting nor sent is still "gone" (the form then shows the outbox)
    nowhere = phone.evaluate(SEND_NOW, ["0b9f3c6e-2222-4c2a-9d7e-5a1b2c3d4e5f", False])
    assert nowhere == {"outcome": "gone", "data": None}
