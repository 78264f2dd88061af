"""Browser journey: a county admin creates an assistant, records pre-job training, appoints,
assesses and prints the assessment; the new assistant then logs in on a phone."""

import re

import pytest

from xieguan.documents.tests.test_render import compact, pdf_text
from xieguan.personnel.models import Assistant, AssistantStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "520203199002141235"


def test_county_admin_runs_the_life_of_an_assistant(
    live_server, personas, desk, phone, login_page, screenshot
):
    from stdnum.cn import ric

    body = ID_NUMBER[:-1]
    id_number = body + ric.calc_check_digit(body + "0")
    desk.on("dialog", lambda dialog: dialog.accept())
    login_page(desk, "panzhou")

    # 1. Register the person
    desk.get_by_role("button", name="协管员").click()  # the menu's 协管员 dropdown (lib/nav.py)
    desk.get_by_role("link", name="协管员", exact=True).click()
    desk.get_by_role("link", name="登记协管员").click()
    desk.get_by_label("姓名").fill("张丽")
    desk.get_by_label("性别").select_option(label="女")
    desk.get_by_label("身份证号").fill(id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
    desk.get_by_label("联系电话").fill("13908581111")
    desk.get_by_label("文化程度").select_option(label="大专")
    desk.get_by_label("人员来源").select_option(label="村医")
    desk.get_by_label("所在乡(镇、街道)").select_option(label="柏果镇")
    desk.get_by_role("button", name="保存").click()
    assert "身份证号校验位不对" in desk.content()
    screenshot(desk, "01-bad-id-number")
    desk.get_by_label("身份证号").fill(id_number)
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(re.compile(r"/personnel/\d+/$"))
    missing = desk.get_by_test_id("missing").inner_text()
    assert "尚未通过岗前培训" in missing and "遵纪守法、廉洁奉公" in missing
    assert desk.get_by_test_id("id-number").inner_text() == id_number  # the managing county admin
    screenshot(desk, "02-candidate")
    detail_url = desk.url

    # 2. The four conditions, with evidence
    desk.get_by_role("link", name="确认条件").click()
    for field in ("law_abiding", "fit_for_duty", "qualified", "knowledgeable"):
        desk.locator(f"input[name={field}]").check()
        desk.locator(f"input[name={field}_evidence]").fill("本人书面声明及证明材料")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(detail_url)

    # 3. A login account (works only once appointed)
    desk.get_by_role("link", name="开通登录账号").click()
    desk.get_by_label("用户名").fill("zhangli")
    desk.get_by_label("初始密码").fill("Xg-2026-secret")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(detail_url)
    assert "已停用" in desk.get_by_test_id("account").inner_text()

    # 4. Pre-job training: a session, the invitation, attendance and the exam
    desk.get_by_role("button", name="协管员").click()
    desk.get_by_role("link", name="培训", exact=True).click()
    desk.get_by_role("link", name="新建培训").click()
    desk.get_by_label("培训类别").select_option(label="岗前培训")
    desk.get_by_label("培训日期").fill(desk.evaluate("new Date().toISOString().slice(0, 10)"))
    desk.get_by_label("培训主题").fill("2026年协管员岗前培训")
    desk.get_by_label("张丽（柏果镇·待聘）").check()
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(re.compile(r"/personnel/training/\d+/$"))
    desk.get_by_label("参加 张丽").check()
    desk.get_by_label("成绩 张丽").fill("86")
    desk.get_by_role("button", name="保存参训和考核结果").click()
    assert desk.get_by_test_id("participation").inner_text() == "100.0%"
    assert desk.get_by_test_id("pass-rate").inner_text() == "100.0%"
    screenshot(desk, "03-training")

    # 5. Appointment
    desk.goto(detail_url)
    desk.get_by_role("link", name="聘任", exact=True).click()
    desk.get_by_label("聘任文号").fill("盘卫健聘〔2026〕12号")
    desk.get_by_role("button", name="聘任").click()
    desk.wait_for_url(detail_url)
    assert desk.get_by_test_id("status").inner_text() == "在聘"
    assert "可登录" in desk.get_by_test_id("account").inner_text()
    screenshot(desk, "04-appointed")

    # 6. Annual assessment, signed off, then printed
    desk.get_by_role("button", name="年度考核").click()
    desk.wait_for_url(re.compile(r"/assessments/\d+/edit/$"))
    screenshot(desk, "05-assessment-form")
    desk.get_by_label("评分（满分 40）").first.fill("36")
    desk.locator("input[name=service_score]").fill("35")
    desk.locator("input[name=discipline_score]").fill("18")
    desk.get_by_label("考核意见").fill("按要求参加岗前培训，履职认真。")
    desk.get_by_role("button", name="确认考核（锁定）").click()
    desk.get_by_test_id("confirm-ok").click()  # the sign-off locks the result: it asks first
    desk.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assert desk.get_by_test_id("grade").inner_text() == "合格"
    assert desk.get_by_test_id("locked").is_visible()
    screenshot(desk, "06-assessment-signed")
    href = desk.get_by_test_id("print").get_attribute("href")
    pdf = desk.request.get(f"{live_server.url}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = compact(pdf_text(pdf.body()))
    assert "职业健康监督协管员年度考核表" in text and "张丽" in text and id_number in text
    desk.goto(f"{live_server.url}{href}")
    screenshot(desk, "07-assessment-pdf")

    assistant = Assistant.objects.get(name="张丽")
    assert assistant.status == AssistantStatus.APPOINTED

    # 7. The assistant logs in on a phone; their own record shows the ID number masked
    login_page(phone, "zhangli", "Xg-2026-secret")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.goto(f"{live_server.url}/personnel/me/")
    assert phone.get_by_test_id("id-number").inner_text() == id_number[:4] + "*" * 10 + id_number[-4:]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "08-assistant-own-record")

    # 8. The county's pages at 360 px
    desk.set_viewport_size({"width": 360, "height": 780})
    for url, step in ((f"{live_server.url}/personnel/", "09-list-phone"), (detail_url, "10-detail-phone")):
        desk.goto(url)
        assert desk.evaluate("document.documentElement.scrollWidth") <= 360, url
        screenshot(desk, step)
