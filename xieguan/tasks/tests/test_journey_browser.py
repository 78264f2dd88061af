"""Browser journey: a county admin assigns a task to a township, the assistant completes it on a
phone (360 px), and the county sees it done."""

import datetime as dt

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from xieguan.tasks.models import AssignmentStatus, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_county_assigns_assistant_completes_on_phone(
    live_server, personas, phone, desk, login_page, screenshot, tmp_path
):
    due = timezone.localdate() + dt.timedelta(days=7)

    # The county admin assigns a task to 柏果镇 at the desk.
    login_page(desk, "panzhou")
    desk.get_by_role("link", name="交办任务").first.click()
    desk.get_by_test_id("new-task").click()
    desk.get_by_label("任务名称").fill("排查辖区内新开工建设项目")
    desk.get_by_label("任务要求").fill("请逐一核实新开工项目是否开展职业病危害预评价，拍照上传。")
    desk.get_by_label("完成期限").fill(due.isoformat())
    desk.get_by_role("checkbox", name="柏果镇", exact=True).check()  # (the assistants' group is 柏果镇 too)
    screenshot(desk, "county-assigns")
    desk.get_by_role("button", name="交办", exact=True).click()
    desk.wait_for_url("**/tasks/*/")
    assert "任务已交办给 1 名协管员" in desk.content()
    assert desk.get_by_test_id("n-open").inner_text() == "1"
    task = Task.objects.get()

    # The assistant sees it on the phone's work list and completes it with a photo.
    login_page(phone, "xieguan")
    entry = phone.get_by_role("link", name="排查辖区内新开工建设项目")
    assert "天后到期" in entry.inner_text()
    screenshot(phone, "assistant-worklist")
    entry.click()
    assert phone.get_by_test_id("task-title").inner_text() == "排查辖区内新开工建设项目"
    assert no_horizontal_scroll(phone)
    image = tmp_path / "现场照片.jpg"
    canvas = Image.new("RGB", (800, 600), (70, 120, 90))
    ImageDraw.Draw(canvas).rectangle((100, 100, 700, 500), outline=(255, 255, 255), width=8)
    canvas.save(image, "JPEG")
    phone.get_by_label("完成情况").fill("已排查 2 个新开工项目，均已完成预评价。")
    phone.get_by_label("照片或文件").first.set_input_files(str(image))
    screenshot(phone, "assistant-answer-form")
    phone.get_by_role("button", name="提交完成情况").click()
    phone.wait_for_selector("[data-testid=answer-note]")
    assert phone.get_by_test_id("assignment-status").inner_text() == "已完成"
    assert phone.locator("[data-testid=answer-files] img").count() == 1
    # the photo loads after the page: wait for it (a loaded image has naturalWidth > 0)
    phone.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=answer-files] img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert phone.evaluate("document.querySelector('[data-testid=answer-files] img').naturalWidth") == 800
    assert no_horizontal_scroll(phone)
    screenshot(phone, "assistant-done")
    assert task.assignments.get().status == AssignmentStatus.DONE

    # The county sees it done.
    desk.reload()
    assert desk.get_by_test_id("n-done").inner_text() == "1"
    assert desk.get_by_test_id("n-open").inner_text() == "0"
    assert "已排查 2 个新开工项目" in desk.get_by_test_id("assignees").inner_text()
    screenshot(desk, "county-sees-done")


def test_funding_table_on_a_phone_does_not_scroll_the_page(
    live_server, personas, phone, login_page, screenshot
):
    login_page(phone, "lps")
    phone.goto(f"{live_server.url}/funding/")
    assert phone.get_by_test_id("funding-table").is_visible()
    assert no_horizontal_scroll(phone)
    screenshot(phone, "prefecture-funding")
