"""Browser journey on a 360 px phone: open an employer, answer all items, sign twice, attach a
photo, survive a reload, submit, print."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from xieguan.inspections.models import Inspection
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.models import Lead
from xieguan.lib.testing import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {1: "yes", 2: "na", 3: "no", 4: "yes", 5: "yes", 6: "yes", 7: "no"}


def sign(page, testid: str) -> None:
    canvas = page.get_by_test_id(testid)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 20, y + h * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + 20 + i * (w - 40) / 11, y + h * (0.3 if i % 2 else 0.75), steps=3)
    page.mouse.up()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_whole_inspection_on_a_phone(live_server, personas, phone, login_page, screenshot, tmp_path):
    load_templates()
    employer = EmployerFactory.create(name="贵州盘州测试煤矿有限公司", address="盘州市柏果镇测试路1号")
    photo = tmp_path / "scene.jpg"
    img = Image.new("RGB", (1600, 1200), (120, 150, 110))
    ImageDraw.Draw(img).rectangle([(200, 200), (900, 800)], fill=(60, 60, 60))
    img.save(photo, "JPEG")
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 25.712345, "longitude": 104.612345, "accuracy": 18})

    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}{employer.get_absolute_url()}")
    screenshot(phone, "1-employer")
    phone.get_by_test_id("employer-inspections").get_by_role("link", name="开始巡查").click()
    phone.wait_for_selector("#inspection-form")
    assert phone.input_value("#f-employer_name") == "贵州盘州测试煤矿有限公司"
    expect(phone.get_by_test_id("geo-status")).to_have_text(re.compile("^已定位"))
    no_sideways_scroll(phone)
    screenshot(phone, "2-form-empty")

    for number, answer in ANSWERS.items():
        phone.click(f"label[for=a{number}-{answer}]")
    phone.fill("textarea[name=note_3]", "未见检测报告")
    phone.fill("textarea[name=note_6]", "粉碎车间粉尘较大")
    assert phone.is_visible("#item-3 .finding-hint") and phone.is_visible("#item-6 .finding-hint")
    assert not phone.is_visible("#item-1 .finding-hint")
    phone.fill("#f-accompanying_person", "李四")
    sign(phone, "sign-companion")
    sign(phone, "sign-assistant")
    expect(phone.get_by_test_id("save-status")).to_have_text(re.compile("^草稿已保存"))
    assert "/edit/" in phone.url  # the draft is on the server and the address says so
    phone.set_input_files("[data-testid=photo-choose]", str(photo))
    phone.wait_for_selector("[data-testid=photos] img")
    expect(phone.get_by_test_id("photo-status")).to_have_text(re.compile("^照片已保存在手机上"))
    assert phone.locator("[data-testid=problems] li").count() == 0
    screenshot(phone, "3-form-filled")

    # A reload (or a dropped connection) keeps everything.
    phone.reload()
    phone.wait_for_selector("#inspection-form")
    for number, answer in ANSWERS.items():
        assert phone.is_checked(f"#a{number}-{answer}"), number
    assert phone.input_value("textarea[name=note_6]") == "粉碎车间粉尘较大"
    assert phone.locator("[data-testid=photos] img").count() == 1
    assert phone.locator("[data-testid=problems] li").count() == 0

    # The self-check speaks when something is missing.
    phone.click("[data-clear=assistant]")
    phone.get_by_test_id("confirm-ok").click()  # 清除重签 asks first
    phone.click("[data-testid=submit]")
    assert phone.locator("[data-testid=problems] li").all_inner_texts() == ["缺少协管员签字。"]
    screenshot(phone, "4-self-check")
    sign(phone, "sign-assistant")

    phone.click("[data-testid=submit]")
    phone.wait_for_url("**/inspections/*/")
    assert "巡查已提交。发现问题 2 项" in phone.content()
    no_sideways_scroll(phone)
    screenshot(phone, "5-submitted")

    inspection = Inspection.objects.get()
    assert inspection.is_submitted and inspection.complete and inspection.findings_count == 2
    assert inspection.accompanying_person == "李四" and inspection.photos.count() == 1
    assert (
        inspection.latitude is not None
        and float(inspection.latitude) == pytest.approx(25.712345)
        and inspection.accuracy_m == 18
    )
    assert Lead.objects.filter(inspection=inspection).count() == 2
    employer.refresh_from_db()
    assert employer.last_inspected_on is not None

    response = phone.request.get(f"{live_server.url}/inspections/{inspection.pk}/print.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "fubiao1.pdf"
    pdf.write_bytes(response.body())
    artifacts = Path(__file__).resolve().parents[3] / "var" / "test-artifacts"
    tool = shutil.which("pdftoppm")
    assert tool
    subprocess.run(
        [tool, "-png", "-r", "70", "-singlefile", str(pdf), str(artifacts / "journey-fubiao1")], check=True
    )
    assert Image.open(io.BytesIO((artifacts / "journey-fubiao1.png").read_bytes())).size[0] > 500
    docx = phone.request.get(f"{live_server.url}/inspections/{inspection.pk}/print.docx")
    assert docx.status == 200 and docx.body()[:2] == b"PK"

    phone.goto(f"{live_server.url}/inspections/")
    assert phone.get_by_test_id("inspection-list").get_by_text("贵州盘州测试煤矿有限公司").is_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "6-list")
