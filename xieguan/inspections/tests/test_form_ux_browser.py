"""The inspection form on a 360 px phone: opening it leaves no draft behind; each destructive action
(清除重签, deleting a photo, deleting the draft) asks first, 取消 keeps the record and the confirm
button carries the action out; messages appear by the action (photo status, sticky action bar)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from xieguan.inspections import actions
from xieguan.inspections.models import Inspection, InspectionPhoto
from xieguan.inspections.tests.factories import jpeg, load_templates, payload
from xieguan.lib.testing import EmployerFactory


def viewshot(page, name: str) -> None:
    """What the phone's screen shows (the dialog and the sticky bar live in the viewport)."""
    from conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fieldux-{name}.png"))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def draft_with_photo(personas):
    template = load_templates()["fubiao1"]
    employer = EmployerFactory.create(name="盘州测试水泥厂")
    data = payload(employer, template)
    inspection = actions.save_draft(personas.xieguan, data)
    actions.add_photo(inspection, personas.xieguan, actions.PhotoData(image=jpeg()))
    return inspection


def cancel_then_confirm(page, trigger: str, expected: str) -> None:
    """Tap the trigger, read the question, 取消; the caller checks nothing happened, then confirm()."""
    page.click(trigger)
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(expected)
    assert page.evaluate("document.activeElement.dataset.testid") == "confirm-cancel"  # safe default
    page.get_by_test_id("confirm-cancel").click()
    expect(dialog).to_be_hidden()


def confirm(page, trigger: str) -> None:
    page.click(trigger)
    expect(page.get_by_test_id("confirm-dialog")).to_be_visible()
    page.get_by_test_id("confirm-ok").click()


def test_opening_the_form_and_leaving_creates_no_draft(live_server, personas, phone, login_page, screenshot):
    load_templates()
    employer = EmployerFactory.create(name="盘州测试砖厂")
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 25.71, "longitude": 104.61, "accuracy": 20})
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/inspections/new/{employer.pk}/")
    expect(phone.get_by_test_id("geo-status")).to_have_text(re.compile("^已定位"))
    phone.wait_for_timeout(2500)  # longer than the form's 1.2 s save delay: any save would have gone
    screenshot(phone, "opened")
    assert not Inspection.objects.exists()
    assert (
        phone.evaluate(
            "Object.keys(localStorage).filter(k => /^xg-inspection-[0-9a-f-]{36}$/.test(k)).length"
        )
        == 0
    )
    phone.goto(f"{live_server.url}/")
    assert not Inspection.objects.exists()

    # The first real change makes the draft, with the position that arrived before it.
    phone.goto(f"{live_server.url}/inspections/new/{employer.pk}/")
    expect(phone.get_by_test_id("geo-status")).to_have_text(re.compile("^已定位"))
    phone.click("label[for=a1-yes]")
    expect(phone.get_by_test_id("save-status")).to_have_text(re.compile("^草稿已保存"))
    draft = Inspection.objects.get()
    assert draft.employer == employer and draft.latitude is not None
    # The message is in the action bar by the submit button, on screen while the user is at item 1.
    bar = phone.get_by_test_id("actionbar")
    assert bar.get_by_test_id("save-status").is_visible() and bar.get_by_test_id("submit").is_visible()
    assert phone.get_by_test_id("submit").bounding_box()["y"] < 780
    viewshot(phone, "form-first-change")


def test_clearing_a_signature_asks_first(live_server, personas, phone, login_page, screenshot):
    inspection = draft_with_photo(personas)
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/inspections/{inspection.pk}/edit/")
    phone.wait_for_selector("[data-testid=photos] img")

    cancel_then_confirm(phone, "[data-clear=companion]", "擦掉用人单位陪同人员已写的签字")
    assert "缺少用人单位陪同人员签字。" not in phone.get_by_test_id("problems").inner_text()
    inspection.refresh_from_db()
    assert inspection.companion_signature

    phone.click("[data-clear=companion]")
    viewshot(phone, "confirm-clear-signature")
    phone.get_by_test_id("confirm-ok").click()
    expect(phone.get_by_test_id("problems")).to_contain_text("缺少用人单位陪同人员签字。")
    expect(phone.get_by_test_id("save-status")).to_have_text(re.compile("^草稿已保存"))
    inspection.refresh_from_db()
    assert not inspection.companion_signature and inspection.assistant_signature


def test_deleting_a_photo_asks_first(live_server, personas, phone, login_page, screenshot):
    inspection = draft_with_photo(personas)
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/inspections/{inspection.pk}/edit/")
    phone.wait_for_selector("[data-testid=photos] img")
    remove = "[data-testid=photos] button"

    cancel_then_confirm(phone, remove, "删除这张现场照片")
    assert phone.locator("[data-testid=photos] img").count() == 1
    assert InspectionPhoto.objects.filter(inspection=inspection).count() == 1

    confirm(phone, remove)
    expect(phone.get_by_test_id("photo-status")).to_have_text("照片已删除")
    assert phone.locator("[data-testid=photos] img").count() == 0
    assert not InspectionPhoto.objects.filter(inspection=inspection).exists()
    viewshot(phone, "photo-deleted")


def test_discarding_the_draft_asks_first(live_server, personas, phone, login_page):
    inspection = draft_with_photo(personas)
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/inspections/{inspection.pk}/edit/")
    discard = "[data-testid=discard] button"

    cancel_then_confirm(phone, discard, "删除对“盘州测试水泥厂”的这份巡查草稿")
    assert Inspection.objects.filter(pk=inspection.pk).exists()
    assert "/edit/" in phone.url

    confirm(phone, discard)
    phone.wait_for_url(f"{live_server.url}/inspections/start/")
    assert not Inspection.objects.filter(pk=inspection.pk).exists()


def test_no_network_is_said_calmly(live_server, personas, browser, login_page):
    """With no network the draft is kept on the phone: the bar by 提交巡查 says so in green, not in
    the red of an error (an older user reads red as "something is lost")."""
    load_templates()
    employer = EmployerFactory.create()
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="zh-CN", service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, "xieguan")
        page.goto(f"{live_server.url}/inspections/new/{employer.pk}/")
        page.wait_for_selector("#inspection-form")
        page.route("**/api/v1/inspections/**", lambda route: route.abort("internetdisconnected"))
        page.click("label[for=a1-yes]")
        status = page.get_by_test_id("save-status")
        expect(status).to_have_text("没有网络：草稿已保存在本机，联网后自动上传")
        assert "text-success" in (status.get_attribute("class") or "")
        assert not Inspection.objects.exists()
    finally:
        context.close()
