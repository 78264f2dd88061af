"""Browser: an assistant records guidance from the employer's page on a 360 px phone; a county
admin names a focus industry and withdraws a publicity event on a desk screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from xieguan.employers.models import IndustryCode
from xieguan.indicators.tests.factories import EmployerFactory
from xieguan.lib.testing import TOWNSHIP
from xieguan.outreach import actions
from xieguan.outreach.models import Consultation
from xieguan.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assistant_records_guidance_from_the_employer_page(
    live_server, personas, phone, login_page, screenshot
):
    employer = EmployerFactory.create(name="柏果煤矿", region_id=TOWNSHIP + "001")
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/employers/{employer.pk}/")
    phone.get_by_test_id("employer-consultations").get_by_test_id("new-consultation").click()
    form = phone.get_by_test_id("consultation-form")
    expect(form.locator("#id_employer")).to_have_value(str(employer.pk))
    form.get_by_text("指导企业开展职业健康检查").click()
    form.get_by_label("用人单位人员").fill("张主任")
    form.get_by_label("咨询或指导内容").fill("指导安排接尘工人在岗期间职业健康检查")
    form.get_by_label("结果").fill("企业已联系体检机构，下月安排")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "consultation-form")
    form.get_by_role("button", name="保存").click()
    expect(phone.get_by_test_id("consultation-title")).to_have_text("指导企业开展职业健康检查")
    screenshot(phone, "consultation-detail")
    assert Consultation.objects.get().contact_person == "张主任"


def test_county_admin_names_a_focus_industry_and_withdraws_an_event(
    live_server, personas, desk, login_page, screenshot
):
    event = actions.record_publicity_event(
        recorded_by=personas.xieguan,
        region=Region.objects.get(code=TOWNSHIP),
        held_on=timezone.localdate() - dt.timedelta(days=2),
        kind="law",
        topic="职业病防治法宣传",
        audience=30,
    )
    IndustryCode.objects.get_or_create(code="21", defaults={"name": "家具制造业", "category": "other"})
    login_page(desk, "panzhou")
    desk.goto(f"{live_server.url}/employers/focus-industries/")
    desk.get_by_test_id("focus-add").get_by_label("添加自定行业（国民经济行业代码）").select_option("21")
    desk.get_by_test_id("focus-add").get_by_role("button", name="添加").click()
    expect(desk.get_by_test_id("focus-industries")).to_contain_text("21")
    screenshot(desk, "focus-industries")
    # removing asks first; 取消 leaves it as it was
    desk.get_by_test_id("focus-industries").get_by_role("button", name="移除").click()
    desk.get_by_test_id("confirm-dialog").get_by_test_id("confirm-cancel").click()
    expect(desk.get_by_test_id("focus-industries")).to_contain_text("21")
    desk.goto(f"{live_server.url}/outreach/{event.pk}/withdraw/")
    desk.get_by_label("撤回原因").fill("重复记录")
    desk.get_by_test_id("withdraw-form").get_by_role("button", name="撤回").click()
    dialog = desk.get_by_test_id("confirm-dialog")
    expect(dialog).to_contain_text("撤回后不再计入宣传指标")
    dialog.get_by_test_id("confirm-ok").click()
    expect(desk.get_by_test_id("withdrawn")).to_be_visible()
    screenshot(desk, "publicity-withdrawn")
