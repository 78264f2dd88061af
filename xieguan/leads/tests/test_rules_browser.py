"""Browser journey: the assistant regrades and withdraws leads on a phone (each with its reason and
a confirmation page); the county reassigns a dismissed assistant's 协查 from the dismissal page; the
officer closes the lead once the new assistant has recorded it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from xieguan.accounts.models import Role
from xieguan.leads import actions
from xieguan.leads.actions import State
from xieguan.leads.models import AssistRequest, AssistStatus, Importance, Lead, LeadStatus
from xieguan.leads.tests.factories import assist_for, make_lead
from xieguan.lib.testing import TOWNSHIP, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regrade_and_withdraw_on_a_phone(personas, live_server, phone, login_page, screenshot):
    lead = make_lead(personas, description="破碎车间粉尘弥漫")
    wrong = make_lead(personas, description="重复录入的线索")
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/leads/{lead.pk}/")
    phone.get_by_test_id("regrade").click()
    expect(phone.get_by_test_id("step-warning")).to_contain_text("报告时限按发现时间")
    phone.fill("textarea[name=reason]", "两名工人出现呼吸困难，已送医")
    screenshot(phone, "regrade-form")
    phone.get_by_test_id("step-form").get_by_role("button", name="确定").click()
    expect(phone.get_by_test_id("timeline")).to_contain_text("由“一般”调整为“重要”")
    screenshot(phone, "regraded")
    assert Lead.objects.get(pk=lead.pk).importance == Importance.IMPORTANT

    phone.goto(f"{live_server.url}/leads/{wrong.pk}/")
    phone.get_by_test_id("withdraw").click()
    expect(phone.get_by_test_id("step-warning")).to_contain_text("不再计入信息报告率")
    phone.get_by_role("button", name="确认撤回").click()  # asks first; 取消 leaves everything as it was
    expect(phone.get_by_test_id("confirm-dialog")).to_contain_text("不能恢复")
    phone.get_by_test_id("confirm-cancel").click()
    assert Lead.objects.get(pk=wrong.pk).status == LeadStatus.DISCOVERED
    phone.get_by_role("button", name="确认撤回").click()  # no reason: refused, nothing changed
    phone.get_by_test_id("confirm-ok").click()
    expect(phone.get_by_test_id("step-form")).to_be_visible()
    assert Lead.objects.get(pk=wrong.pk).status == LeadStatus.DISCOVERED
    phone.fill("textarea[name=reason]", "与上一条重复录入")
    phone.get_by_role("button", name="确认撤回").click()
    screenshot(phone, "withdraw-confirm")
    phone.get_by_test_id("confirm-ok").click()
    expect(phone.get_by_test_id("withdrawn")).to_contain_text("与上一条重复录入")
    screenshot(phone, "withdrawn")
    assert Lead.objects.get(pk=wrong.pk).status == LeadStatus.WITHDRAWN


def test_the_county_reassigns_a_dismissed_assistants_assist(
    personas, live_server, desk, login_page, screenshot
):
    successor = UserFactory.create(
        username="zhaoxin", full_name="赵新", role=Role.ASSISTANT, region_id=TOWNSHIP
    )
    assist = assist_for(personas)
    lead = assist.lead
    assert lead is not None and lead.status == LeadStatus.HANDLING
    personas.xieguan.is_active = False  # dismissed
    personas.xieguan.save(update_fields=["is_active"])
    login_page(desk, "panzhou")
    desk.goto(f"{live_server.url}/leads/assists/{assist.pk}/")
    expect(desk.get_by_test_id("assist-manage")).to_be_visible()
    desk.get_by_role("link", name="改派给其他协管员").click()
    desk.select_option("select[name=assistant]", str(successor.pk))
    desk.fill("textarea[name=reason]", "原协管员已解聘")
    screenshot(desk, "reassign-form")
    desk.get_by_role("button", name="改派").click()
    # the new request, for the new assistant, linked to the one it replaces
    new = AssistRequest.objects.get(reassigned_from=assist)
    desk.wait_for_url(f"{live_server.url}/leads/assists/{new.pk}/")
    expect(desk.get_by_test_id("assist-status")).to_have_text("待协查")
    screenshot(desk, "reassigned")
    desk.get_by_role("link", name=f"#{assist.pk}").last.click()
    expect(desk.get_by_test_id("assist-cancelled")).to_contain_text("改派给 赵新")
    actions.record_assist(
        new, by=successor, done_on=timezone.localdate(), what_done="现场核实", outcome="属实"
    )
    desk.goto(f"{live_server.url}/leads/{lead.pk}/")
    expect(desk.get_by_test_id("timeline")).to_contain_text("协查由 xieguan 改派给 赵新")
    screenshot(desk, "lead-timeline")
    assert AssistRequest.objects.get(pk=assist.pk).status == AssistStatus.CANCELLED


def test_the_officer_sees_no_buttons_on_anothers_lead(personas, live_server, desk, login_page, screenshot):
    from xieguan.leads.tests.factories import lead_in

    lead = lead_in(State.REPORTED, personas)
    other = UserFactory.create(
        username="jiandu_b", full_name="jiandu_b", role=Role.OFFICER, region_id="520281", agency=None
    )
    assert not lead.is_assigned_to(other)
    login_page(desk, "jiandu_b")
    desk.goto(f"{live_server.url}/leads/{lead.pk}/")
    expect(desk.get_by_test_id("timeline")).to_be_visible()
    assert desk.get_by_test_id("steps").count() == 0
    response = desk.goto(f"{live_server.url}/leads/{lead.pk}/close/")
    assert response is not None and response.status == 404
