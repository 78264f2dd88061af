"""Browser: the county admin opens a complaint, then finds that view in the access log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xieguan.leads.tests.factories import complaint, lead_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_admin_sees_their_own_view_in_the_log(live_server, personas, desk, login_page, screenshot):
    lead = lead_of(complaint(personas, complainant_name="王秘密"))
    login_page(desk, "panzhou")
    desk.goto(f"{live_server.url}/leads/{lead.pk}/")
    expect(desk.get_by_test_id("complainant-name")).to_have_text("王秘密")
    desk.get_by_role("button", name="更多").click()  # the menu's 更多 dropdown (lib/nav.py)
    desk.get_by_role("link", name="个人信息访问记录").first.click()
    rows = desk.get_by_test_id("audit-rows")
    expect(rows).to_contain_text("panzhou")
    expect(rows).to_contain_text("查看举报人身份")
    expect(rows).to_contain_text(f"线索 #{lead.pk} 的举报人")
    screenshot(desk, "audit-log")
    desk.get_by_label("类别").select_option(label="导出个人信息")
    desk.get_by_role("button", name="筛选").click()
    expect(desk.get_by_text("没有符合条件的记录。")).to_be_visible()
