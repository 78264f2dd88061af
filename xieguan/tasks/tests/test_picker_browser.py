"""Browser: the searchable grouped region pickers (issue 16 item 1) on the new-task form — type
part of a township's name and pick it, select all counties of a prefecture, by keyboard and on a
360 px phone."""

import re

import pytest

from xieguan.accounts.models import Role
from xieguan.lib.a11y import axe_violations, describe
from xieguan.lib.testing import OTHER_TOWNSHIP, UserFactory
from xieguan.personnel.tests.factories import serve
from xieguan.regions.models import Region
from xieguan.tasks.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_boxes(picker):
    return picker.locator(".form-check:visible input[type=checkbox]")


def test_a_prefecture_filters_townships_and_selects_a_whole_prefecture(
    live_server, personas, desk, login_page, screenshot
):
    serve(personas.xieguan, "520281117", 2024, 2030, personas.panzhou)
    serve(personas.xieguan2, OTHER_TOWNSHIP, 2024, 2030, personas.liuzhi)
    for county in ("520201", "520204"):  # every county of 六盘水市 has an assistant in service
        township = Region.objects.filter(parent_id=county).values_list("code", flat=True)[0]
        user = UserFactory(username=f"a{county}", role=Role.ASSISTANT, region_id=township)
        serve(user, township, 2024, 2030, personas.panzhou)
    login_page(desk, "lps")
    desk.goto(f"{live_server.url}/tasks/new/")
    desk.get_by_label("任务名称").fill("核查辖区重点行业用人单位")
    desk.get_by_label("任务要求").fill("请核对台账。")
    desk.get_by_label("完成期限").fill("2099-12-31")

    townships = desk.get_by_test_id("picker-townships")
    everything = townships.locator("input[type=checkbox]").count()
    assert everything > 50  # 六盘水市's townships, in one group per county
    assert townships.locator("[data-picker-group]").count() == 4
    search = townships.get_by_role("searchbox")
    search.click()
    desk.keyboard.type("柏果")
    assert visible_boxes(townships).count() == 1
    assert "匹配 1 项" in townships.locator(".picker-status").inner_text()
    # while filtered, a group's select-all acts on (and names) the shown townships only
    assert (
        townships.locator("[data-picker-group='520281'] [data-select-all]").inner_text() == "全选显示的 1 项"
    )
    desk.keyboard.press("Enter")  # filtering never submits the form
    assert desk.url.endswith("/tasks/new/")
    desk.keyboard.press("Tab")  # the group's select-all button
    desk.keyboard.press("Tab")  # the only township left: 柏果镇
    desk.keyboard.press("Space")
    assert townships.get_by_label("柏果镇", exact=True).is_checked()
    screenshot(desk, "township-filtered")
    search.fill("")
    assert visible_boxes(townships).count() == everything

    counties = desk.get_by_test_id("picker-counties")
    group = counties.locator("[data-picker-group='5202']")
    assert group.get_by_role("button", name="全选本市州").count() == 1
    button = group.locator("[data-select-all]")
    button.focus()
    desk.keyboard.press("Enter")
    assert group.locator("input:checked").count() == group.locator("input").count() == 4
    assert button.inner_text() == "取消全选"
    assert counties.locator("[data-picker-count]").inner_text() == "已选 4 项"
    assert (
        desk.get_by_test_id("picker-summary").inner_text()
        == "交办给乡(镇、街道)：已选 1 项；交办给县(区)：已选 4 项"
    )
    screenshot(desk, "prefecture-selected")
    desk.get_by_role("button", name="交办", exact=True).click()
    desk.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    task = Task.objects.get()
    assert sorted(task.targets.values_list("code", flat=True)) == sorted(
        ["520281117", "520201", "520203", "520204", "520281"]
    )


@pytest.fixture
def phone(browser):
    """A 360 px phone whose context lets axe-core's injected script run (bypass_csp), as in
    lib/tests/test_accessibility_browser.py."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="zh-CN", device_scale_factor=1, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_province_finds_a_county_among_88_on_a_phone(
    live_server, personas, phone, login_page, screenshot
):
    login_page(phone, "sheng")
    phone.goto(f"{live_server.url}/tasks/new/")
    counties = phone.get_by_test_id("picker-counties")
    assert counties.locator("input[type=checkbox]").count() == 88
    assert counties.locator("[data-picker-group]").count() == 9
    counties.get_by_role("searchbox").fill("六盘水")  # a prefecture's name keeps its whole group
    assert visible_boxes(counties).count() == 4
    counties.get_by_role("searchbox").fill("盘州")
    assert visible_boxes(counties).count() == 1
    counties.get_by_role("searchbox").fill("没有这个县")
    assert "没有匹配的选项" in counties.locator(".picker-status").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    counties.get_by_role("searchbox").fill("")
    violations = axe_violations(phone)  # serious or critical accessibility problems
    assert not violations, describe(violations)
    screenshot(phone, "counties-picker")


def test_a_filter_select_over_1510_townships_finds_one_by_typing(
    live_server, personas, desk, login_page, screenshot
):
    """The publicity list's township filter (a <select> with one <optgroup> per county)."""
    login_page(desk, "sheng")
    desk.goto(f"{live_server.url}/outreach/")
    picker = desk.get_by_test_id("picker-township")
    picker.get_by_role("searchbox").fill("柏果")
    visible = picker.locator("option:not([hidden])")
    assert visible.count() == 1 and visible.inner_text() == "柏果镇"
    assert picker.locator("optgroup:not([hidden])").get_attribute("label") == "盘州市"
    assert desk.locator("#f-township").input_value() == "520281117"  # the only match, chosen
    screenshot(desk, "publicity-filter")
    desk.get_by_role("button", name="筛选").click()
    desk.wait_for_url("**township=520281117**")
