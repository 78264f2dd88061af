"""A form kept on the phone by 离线准备 is opened hours later: its time is the phone's now, not the
moment the page was saved (the server renders "now" into the page, and the page is then served
from the cache). The phone's clock is moved ahead with Playwright's clock instead of waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xieguan.inspections.tests.factories import load_templates
from xieguan.lib.testing import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def late_phone(live_server, personas, browser, login_page):
    """A phone in China's time zone whose clock says three hours after the server rendered."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "xieguan")
    later = timezone.localtime() + timedelta(hours=3)
    page.clock.set_fixed_time(later)
    yield page, later
    context.close()


def test_new_records_get_the_phones_time(live_server, late_phone):
    page, later = late_phone
    load_templates()
    employer = EmployerFactory.create()
    expected = later.strftime("%Y-%m-%dT%H:%M")
    for path, field in [
        ("/leads/complaints/new/", "received_at"),
        ("/leads/new/", "discovered_at"),
        (f"/inspections/new/{employer.pk}/", "inspected_at"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_function(
            "([name, want]) => document.querySelector(`[name=${name}]`).value === want",
            arg=[field, expected],
        )
        rendered = page.eval_on_selector(f"[name={field}]", "el => el.defaultValue")
        assert rendered < expected, (path, rendered)  # the page itself said the server's now
    page.goto(f"{live_server.url}/outreach/consultations/new/")
    page.wait_for_function(
        "want => document.querySelector('[name=given_on]').value === want",
        arg=later.strftime("%Y-%m-%d"),
    )


def test_a_phone_on_another_time_zone_gets_its_own_time_for_a_new_inspection(
    live_server, personas, browser, login_page
):
    """The page says the server's now in China time; a phone on UTC reads the field as UTC, so
    that default was 8 hours ahead and refused as later than now. The phone's own time replaces
    it, and the instant sent is the right one."""
    from datetime import UTC, datetime

    load_templates()
    employer = EmployerFactory.create()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "xieguan")
    page.goto(f"{live_server.url}/inspections/new/{employer.pk}/")
    rendered = page.eval_on_selector("[name=inspected_at]", "el => el.defaultValue")
    page.wait_for_function(
        "want => document.querySelector('[name=inspected_at]').value !== want", arg=rendered
    )
    shown = page.eval_on_selector("[name=inspected_at]", "el => el.value")
    phone_now = datetime.now(UTC)
    assert abs(datetime.fromisoformat(shown).replace(tzinfo=UTC) - phone_now) < timedelta(minutes=2)
    sent = page.evaluate("document.querySelector('[name=inspected_at]').value + ':00Z'")
    assert abs(datetime.fromisoformat(sent) - timezone.now()) < timedelta(minutes=2)  # the same instant
    assert "巡查时间不能晚于现在" not in page.content()
    context.close()


def test_a_phone_on_another_time_zone_gets_its_own_time_for_a_new_complaint_or_lead(
    live_server, personas, browser, login_page, screenshot
):
    """The same rule for 接报时间 and 发现时间 (one definition, field/clock.js): their pages say
    the server's now in China time, which a phone on UTC read as 8 hours ahead (they were only
    ever moved forward, so it stayed, and the complaint was refused as later than now). The
    phone's own time replaces it; the complaint saved from that phone is dated now."""
    from datetime import UTC, datetime

    from xieguan.leads.models import Complaint

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_page(page, "xieguan")
    for path, field in [("/leads/new/", "discovered_at"), ("/leads/complaints/new/", "received_at")]:
        page.goto(f"{live_server.url}{path}")
        rendered = page.eval_on_selector(f"[name={field}]", "el => el.defaultValue")
        page.wait_for_function(
            "([name, was]) => document.querySelector(`[name=${name}]`).value !== was", arg=[field, rendered]
        )
        shown = page.eval_on_selector(f"[name={field}]", "el => el.value")
        phone_now = datetime.now(UTC)
        assert abs(datetime.fromisoformat(shown).replace(tzinfo=UTC) - phone_now) < timedelta(minutes=2), path
        screenshot(page, field)
    page.select_option("[name=channel]", "phone")
    page.fill("[name=content]", "手机时区为 UTC 时登记的投诉")
    page.fill("[name=place]", "柏果镇")
    page.click("[data-testid=entry-form] [type=submit]")
    page.wait_for_url("**/leads/*/")
    complaint = Complaint.objects.get()
    assert abs(complaint.received_at - timezone.now()) < timedelta(minutes=2)  # the same instant
    context.close()


def test_the_relocate_button_is_as_wide_as_its_text(live_server, personas, phone, login_page):
    """重新定位 beside the long 未能获取位置 message keeps its text inside its border at 360 px
    (the phones' min-width on buttons had let the flex row squeeze it)."""
    load_templates()
    employer = EmployerFactory.create()
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/inspections/new/{employer.pk}/")
    phone.eval_on_selector(
        "#geo-status", "(el, text) => (el.textContent = text)", "未能获取位置（未授权或信号弱），可稍后重试"
    )
    overflow = phone.eval_on_selector("#geo-retry", "el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0
