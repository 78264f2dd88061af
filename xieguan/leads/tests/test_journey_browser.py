"""Browser journey: an inspection finding becomes a lead; the assistant reports it on a phone, the
officer requests 协查 at a desk, the assistant records it, the officer closes it."""

import datetime as dt

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from xieguan.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    ItemKind,
)
from xieguan.leads import actions
from xieguan.leads.models import Lead, LeadSource, LeadStatus, LeadType
from xieguan.leads.tests.factories import employer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def inspection_finding(personas):
    """A submitted 附表1 whose item 6 (工作场所异常情况) was answered 有: the finding becomes a lead.

    Made with the models and discover_lead, as the inspections helper does on submission.
    """
    place = employer(name="柏果镇红旗煤矿")
    template = ChecklistTemplate.objects.create(
        code="fb1", version=1, name="附表1", builtin=True, is_active=True
    )
    item = ChecklistItem.objects.create(
        template=template,
        number=6,
        wording="工作场所异常情况",
        kind=ItemKind.LEAD,
        lead_type=LeadType.ABNORMAL,
    )
    inspection = Inspection.objects.create(
        template=template,
        employer=place,
        region_id=place.region_id,
        assistant=personas.xieguan,
        employer_name=place.name,
        inspected_at=timezone.now() - dt.timedelta(minutes=30),
        status=InspectionStatus.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(minutes=20),
        findings_count=1,
    )
    answer = InspectionAnswer.objects.create(
        inspection=inspection, item=item, answer=Answer.YES, note="井口粉尘弥漫，未洒水降尘", is_finding=True
    )
    return actions.discover_lead(
        region=place.region,
        lead_type=LeadType.ABNORMAL,
        abnormal_kind="dust",
        source=LeadSource.INSPECTION,
        description=f"{item.wording}：{answer.note}",
        discovered_by=personas.xieguan,
        discovered_at=inspection.inspected_at,
        employer=place,
        inspection=inspection,
        inspection_answer=answer,
    )


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_finding_to_closed_lead(live_server, personas, phone, desk, login_page, screenshot, tmp_path):
    lead = inspection_finding(personas)
    photo = tmp_path / "assist.png"
    Image.new("RGB", (64, 48), "gray").save(photo)

    # The assistant sees the finding on the work list and reports it.
    login_page(phone, "xieguan")
    assert "待报告的线索" in phone.locator(".worklist").inner_text()
    screenshot(phone, "0-assistant-home")
    phone.get_by_text("工作场所异常 · 柏果镇红旗煤矿").click()
    assert "已发现、未报告" in phone.get_by_test_id("lead-state").inner_text()
    no_sideways_scroll(phone)
    screenshot(phone, "1-lead-discovered")
    phone.get_by_role("link", name="报告监督机构").click()
    phone.select_option("#id_method", label="电话")
    no_sideways_scroll(phone)
    screenshot(phone, "2-report-form")
    phone.get_by_role("button", name="确定").click()
    assert "已报告" in phone.get_by_test_id("lead-status").inner_text()
    assert "盘州市卫生健康综合监督执法大队" in phone.get_by_test_id("reported").inner_text()
    screenshot(phone, "3-reported")

    # The officer finds it in the inbox, signs for it and asks the assistant to assist.
    login_page(desk, "jiandu")
    desk.goto(f"{live_server.url}/leads/inbox/")
    screenshot(desk, "4-officer-inbox")
    desk.get_by_test_id("lead-row").first.click()
    desk.get_by_role("button", name="签收").click()
    assert "已签收" in desk.get_by_test_id("lead-state").inner_text()
    desk.get_by_role("link", name="发起协查").click()
    desk.select_option("#id_assistant", label="xieguan")
    desk.fill("#id_note", "请协助核实降尘措施，拍照留存。")
    desk.get_by_role("button", name="确定").click()
    assert "处理中" in desk.get_by_test_id("lead-status").inner_text()
    screenshot(desk, "5-assist-requested")

    # The assistant records the 协查 with a photo.
    phone.goto(f"{live_server.url}/")
    phone.get_by_text("协查：柏果镇红旗煤矿").click()
    phone.fill("#id_what_done", "陪同执法人员现场查看井口，核对降尘台账。")
    phone.fill("#id_outcome", "情况属实，企业已当场开始洒水降尘。")
    phone.set_input_files("#id_photos", str(photo))
    no_sideways_scroll(phone)
    screenshot(phone, "6-assist-form")
    phone.get_by_role("button", name="保存协查情况").click()  # through the outbox, then back here
    expect(phone.get_by_test_id("assist-status")).to_have_text("已协查")
    assert phone.locator("img[alt=照片]").count() == 1
    screenshot(phone, "7-assist-recorded")

    # The officer closes the lead with its outcome.
    desk.reload()
    desk.get_by_role("link", name="办结").click()
    desk.fill("#id_outcome", "经协查属实，已责令整改并复查合格。")
    desk.get_by_role("button", name="确定").click()
    assert "已办结" in desk.get_by_test_id("lead-status").inner_text()
    timeline = desk.get_by_test_id("timeline").inner_text()
    for step in ["发现", "报告", "签收", "发起协查", "协查完成", "办结"]:
        assert step in timeline
    screenshot(desk, "8-closed")

    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED and lead.report_method == "phone"
    assert lead.inspection_answer is not None and Lead.objects.count() == 1


def test_complaint_intake_and_list_on_a_phone(live_server, personas, phone, login_page, screenshot):
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/leads/complaints/new/")
    phone.select_option("#id_channel", label="电话")
    phone.fill("#id_content", "村民来电：石料厂夜间粉尘很大。")
    phone.fill("#id_place", "大寨村石料厂")
    phone.fill("#id_complainant_name", "赵某")
    phone.fill("#id_complainant_contact", "13800001234")
    no_sideways_scroll(phone)
    screenshot(phone, "complaint-form")
    phone.get_by_role("button", name="保存").click()
    assert phone.get_by_test_id("complainant-name").inner_text() == "赵某"
    screenshot(phone, "complaint-lead")
    phone.goto(f"{live_server.url}/leads/")
    assert phone.get_by_test_id("lead-row").count() == 1
    assert "赵某" not in phone.content()
    no_sideways_scroll(phone)
    screenshot(phone, "lead-list")
