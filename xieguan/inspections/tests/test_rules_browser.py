"""Browser: the 重要情况 mark appears under a finding only, and the autosaved draft keeps it."""

import time

import pytest
from playwright.sync_api import expect

from xieguan.employers.models import Employer
from xieguan.inspections.models import InspectionAnswer
from xieguan.inspections.tests.factories import load_templates
from xieguan.lib.testing import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_important_mark_under_a_finding_is_saved_with_the_draft(
    personas, live_server, phone, login_page, screenshot
):
    load_templates()
    employer: Employer = EmployerFactory.create(name="贵州盘州测试煤矿有限公司")
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}/inspections/new/{employer.pk}/")
    expect(phone.locator("#item-6 .finding-important")).to_be_hidden()
    phone.click("label[for=a6-yes]")
    expect(phone.locator("#item-6 .finding-important")).to_be_visible()
    phone.click("label[for=a1-yes]")
    expect(phone.locator("#item-1 .finding-important")).to_be_hidden()  # 有 on item 1 is no finding
    phone.check("#imp6")
    phone.locator("#item-6").screenshot(path=str(screenshot(phone, "form").with_name("important-item6.png")))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        row = InspectionAnswer.objects.filter(inspection__employer=employer, item__number=6).first()
        if row is not None and row.important:
            break
        phone.wait_for_timeout(300)
    else:
        pytest.fail("the draft was not saved with item 6 marked important")
