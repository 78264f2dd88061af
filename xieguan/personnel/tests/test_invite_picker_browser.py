"""Browser: the province's training invitations (issue 16; regions/pickers.py, picker.js).

A reviewer filtered the province's 2,490 assistants for 城关镇 (匹配 2 项), pressed 全选本市州 and
saved: all 361 people of the prefecture were invited, the hidden ones too, and nothing on the page
said how many were ticked. Now a select-all button acts on the people the filter shows (and says
so: 全选显示的 2 项), the picker and the save button show 已选 N 人, and the people are grouped by
prefecture and county, found by either name."""

import re

import pytest

from xieguan.personnel.models import TrainingSession
from xieguan.personnel.tests.factories import AssistantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHENGGUAN = "522623100"  # 黔东南州 施秉县 城关镇
OTHER_QDN = "522601001"  # 黔东南州 凯里市, another county of the same prefecture


@pytest.fixture
def invitable(personas):
    people = {
        "chengguan": [AssistantFactory.create(name=f"城关{i}", township_id=CHENGGUAN) for i in range(2)],
        "kaili": [AssistantFactory.create(name=f"凯里{i}", township_id=OTHER_QDN) for i in range(3)],
        "baiguo": [AssistantFactory.create(name=f"柏果{i}") for i in range(2)],
        "nanming": [AssistantFactory.create(name="南明甲", township_id="520102016")],
    }
    return people


def shown_boxes(picker):
    return picker.locator(".form-check:visible input[type=checkbox]")


def test_select_all_under_a_filter_ticks_only_the_people_shown(
    live_server, personas, invitable, desk, login_page, screenshot
):
    login_page(desk, "sheng")
    desk.goto(f"{live_server.url}/personnel/training/new/")
    desk.get_by_label("培训类别").select_option(index=1)
    desk.get_by_label("培训日期").fill(desk.evaluate("new Date().toISOString().slice(0, 10)"))
    desk.get_by_label("培训主题").fill("全省协管员业务培训")
    picker = desk.get_by_test_id("picker-invited")
    assert picker.locator("input[type=checkbox]").count() == 8
    # grouped by prefecture, then county
    assert picker.locator("[data-picker-group='5226'] [data-picker-group='522623']").count() == 1
    count = picker.locator("[data-picker-count]")
    assert count.inner_text() == "已选 0 人"

    search = picker.get_by_role("searchbox")
    search.fill("城关镇")
    assert shown_boxes(picker).count() == 2
    prefecture = picker.locator("[data-picker-group='5226']")
    button = prefecture.locator(":scope > .picker-group-head [data-select-all]")
    assert button.inner_text() == "全选显示的 2 项"
    button.click()
    # only the two people shown, not the three of 凯里市 hidden by the filter
    assert picker.locator("input:checked").count() == 2
    assert count.inner_text() == "已选 2 人"
    assert "已选 2 人" in desk.get_by_test_id("picker-summary").inner_text()
    assert button.inner_text() == "取消显示的 2 项"
    screenshot(desk, "filtered-selected")

    search.fill("")
    assert button.inner_text() == "全选本市州"  # 2 of 5 ticked
    assert picker.locator("input:checked").count() == 2
    search.fill("南明")  # a county's name finds its people
    assert shown_boxes(picker).count() == 1
    search.fill("六盘水")  # and a prefecture's name
    assert shown_boxes(picker).count() == 2
    assert "（其中 2 项不在筛选结果中）" in count.inner_text()
    search.fill("")

    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(re.compile(r"/personnel/training/\d+/$"))
    session = TrainingSession.objects.get()
    assert sorted(session.records.values_list("assistant__name", flat=True)) == ["城关0", "城关1"]


def test_the_province_selects_one_county_on_a_phone(
    live_server, personas, invitable, phone, login_page, screenshot
):
    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/personnel/training/new/")
    picker = phone.get_by_test_id("picker-invited")
    county = picker.locator("[data-picker-group='522601']")
    county.get_by_role("button", name="全选本县(区)").click()
    assert picker.locator("input:checked").count() == 3
    assert picker.locator("[data-picker-count]").inner_text() == "已选 3 人"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    picker.get_by_role("searchbox").fill("凯里")
    screenshot(phone, "county-selected")
