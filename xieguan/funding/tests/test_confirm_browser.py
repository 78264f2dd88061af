"""撤销 of a disbursement or a subsidy asks first (what it undoes, with the amount): 取消 keeps the
record, the confirm button withdraws it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from xieguan.funding import actions
from xieguan.funding.models import Disbursement, Purpose, Subsidy, SubsidyBasis
from xieguan.funding.tests.factories import PAID_ON, YEAR, budget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("testid", "model", "question"),
    [
        ("withdraw-disbursement", Disbursement, "撤销 {day} 的这笔支出（培训，18,500.00 元）"),
        ("withdraw-subsidy", Subsidy, "撤销发给 xieguan 的这笔补助（3,600.00 元）"),
    ],
)
def test_withdrawing_asks_first(live_server, personas, phone, login_page, testid, model, question):
    b = budget(personas.panzhou, amount="120000.00")
    actions.record_disbursement(
        b, by=personas.panzhou, amount="18500.00", paid_on=PAID_ON, purpose=Purpose.TRAINING
    )
    actions.record_subsidy(
        b,
        by=personas.panzhou,
        assistant=personas.xieguan,
        amount="3600.00",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 6, 30),
        basis=SubsidyBasis.FIXED,
        paid_on=PAID_ON,
    )
    login_page(phone, "panzhou")
    phone.goto(f"{live_server.url}/funding/520281/{YEAR}/")
    dialog = phone.get_by_test_id("confirm-dialog")

    phone.get_by_test_id(testid).click()
    expect(dialog).to_contain_text(question.format(day=PAID_ON.isoformat()))
    phone.get_by_test_id("confirm-cancel").click()
    expect(dialog).to_be_hidden()
    assert model.objects.count() == 1 and phone.get_by_test_id(testid).count() == 1

    phone.get_by_test_id(testid).click()
    phone.get_by_test_id("confirm-ok").click()
    expect(phone.get_by_test_id(testid)).to_have_count(0)
    assert model.objects.count() == 0
