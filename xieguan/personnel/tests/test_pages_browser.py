"""Browser: the county's staffing, training-rate and dismissal pages on a phone (360 px)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from xieguan.leads.actions import discover_lead
from xieguan.leads.models import LeadSource, LeadType
from xieguan.lib.testing import EmployerFactory
from xieguan.personnel import actions
from xieguan.personnel.models import TrainingKind
from xieguan.personnel.rules import default_term_end
from xieguan.personnel.tests.factories import AssistantFactory, TrainingSessionFactory, passed_pre_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_pages_on_a_phone(live_server, personas, phone, login_page, screenshot):
    today = timezone.localdate()
    a = AssistantFactory.create(name="王芳", eligible=True, user=personas.xieguan)
    passed_pre_job(a, created_by=personas.panzhou)
    start = today - dt.timedelta(days=300)
    actions.appoint_assistant(
        a, start=start, end=default_term_end(start), document_no="1号", by=personas.panzhou
    )
    b = AssistantFactory.create(name="陈静", eligible=True, township_id="520281104")
    passed_pre_job(b, created_by=personas.panzhou)
    actions.appoint_assistant(
        b,
        start=today - dt.timedelta(days=1000),
        end=today + dt.timedelta(days=20),
        document_no="2号",
        by=personas.panzhou,
    )
    for _ in range(3):
        EmployerFactory.create(is_key=True)
    employer = EmployerFactory.create(name="盘州市柏果镇某煤矿")
    discover_lead(
        region=employer.region,
        lead_type=LeadType.ABNORMAL,
        source=LeadSource.DIRECT,
        description="井下粉尘浓度明显偏高",
        discovered_by=personas.xieguan,
        employer=employer,
    )
    session = TrainingSessionFactory.create(
        kind=TrainingKind.BUSINESS, created_by=personas.panzhou, topic="业务培训"
    )
    actions.save_training_session(session, [a, b])
    records = {r.assistant_id: r.pk for r in session.records.all()}
    actions.record_attendance(
        session,
        [
            actions.AttendanceRow(records[a.pk], True, Decimal(88)),
            actions.AttendanceRow(records[b.pk], False, None),
        ],
    )

    login_page(phone, "panzhou")
    screenshot(phone, "01-home")
    assert "聘期 60 天内到期" in phone.content() and "陈静" in phone.content()
    for path, step in (
        ("/personnel/staffing/", "02-staffing"),
        ("/personnel/training/", "03-training-list"),
        ("/personnel/training/rates/", "04-training-rates"),
    ):
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        screenshot(phone, step)
    assert phone.get_by_test_id("total-participation").inner_text() == "50.0%"

    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(f"{live_server.url}/personnel/{a.pk}/dismiss/")
    phone.get_by_label("解聘情形（第十二条）").select_option(label="调离职业健康工作岗位")
    phone.get_by_label("解聘文号").fill("盘卫健解〔2026〕3号")
    phone.get_by_role("button", name="确认解聘").click()
    phone.wait_for_url(f"{live_server.url}/personnel/{a.pk}/aftermath/")
    assert "盘州市柏果镇某煤矿" in phone.get_by_test_id("orphan-employers").inner_text()
    assert "井下粉尘浓度明显偏高" in phone.get_by_test_id("orphan-leads").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "05-aftermath")


def test_the_training_form_does_not_scroll_sideways_on_a_phone(live_server, personas, phone, login_page):
    """The form sits in a .row directly in <main>: Bootstrap's 1.5rem gutter was wider than the
    phone's .5rem page padding and the whole page scrolled 4 px sideways."""
    login_page(phone, "panzhou")
    phone.goto(f"{live_server.url}/personnel/training/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    form = phone.locator("main form").bounding_box()
    assert form is not None and form["x"] >= 0 and form["x"] + form["width"] <= 360
