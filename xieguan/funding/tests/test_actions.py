import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieguan.funding import actions
from xieguan.funding.models import Budget, Disbursement, FundingSource, Purpose, Subsidy, SubsidyBasis
from xieguan.funding.tests.factories import PAID_ON, YEAR, budget
from xieguan.personnel.models import Assessment, Assistant, Grade
from xieguan.regions.models import Region
from xieguan.tasks.tests.factories import assistant

pytestmark = pytest.mark.django_db


def pay(b, by, amount="1000.00", **kwargs):
    values: dict[str, Any] = {"paid_on": PAID_ON, "purpose": Purpose.TRAINING}
    values.update(kwargs)
    return actions.record_disbursement(b, by=by, amount=amount, **values)


def subsidize(b, by, who, amount="600.00", **kwargs):
    values: dict[str, Any] = {
        "period_start": dt.date(YEAR, 1, 1),
        "period_end": dt.date(YEAR, 1, 31),
        "basis": SubsidyBasis.FIXED,
        "paid_on": PAID_ON,
    }
    values.update(kwargs)
    return actions.record_subsidy(b, by=by, assistant=who, amount=amount, **values)


def test_allocate_and_spend(personas):
    b = budget(personas.panzhou, amount="50000.00", document_no="盘卫健发〔2026〕1号")
    assert b.amount == Decimal("50000.00") and b.region_id == "520281"
    d = pay(b, personas.panzhou, "12345.67")
    s = subsidize(b, personas.panzhou, personas.xieguan)
    assert (d.region_id, d.year) == ("520281", YEAR)
    assert (s.region_id, s.year) == ("520281117", YEAR)
    assert actions.spent(b) == Decimal("12945.67")


def test_a_budget_line_cannot_be_overspent(personas):
    b = budget(personas.panzhou, amount="1000.00")
    pay(b, personas.panzhou, "600.00")
    with pytest.raises(ValidationError) as info:
        subsidize(b, personas.panzhou, personas.xieguan, "400.01")
    message = info.value.message_dict["amount"][0]
    assert "下达 1,000.00 元，已支出 600.00 元，尚余 400.00 元，本次 400.01 元超出 0.01 元" in message
    subsidize(b, personas.panzhou, personas.xieguan, "400.00")  # exactly the rest is fine
    assert actions.spent(b) == b.amount
    with pytest.raises(ValidationError, match="不能改为低于已支出金额"):
        actions.update_budget(b, by=personas.panzhou, amount="999.99")


def test_update_budget_keeps_history(personas):
    b = budget(personas.panzhou, amount="1000.00")
    actions.update_budget(b, by=personas.panzhou, amount="1500.00", document_no="追加")
    b.refresh_from_db()
    assert b.amount == Decimal("1500.00")
    assert [h.amount for h in b.history.order_by("history_date")] == [Decimal("1000.00"), Decimal("1500.00")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"county": "520281117"}, "不是县(区)"),
        ({"year": 1999}, "年度应在"),
        ({"source": "lottery"}, "请选择经费来源"),
        ({"amount": "0"}, "金额必须大于 0 元"),
        ({"amount": "10.001"}, "两位小数"),
        ({"allocated_on": dt.date(2999, 1, 1)}, "不能晚于今天"),
    ],
)
def test_budget_refusals(personas, kwargs, message):
    county = kwargs.pop("county", "520281")
    with pytest.raises(ValidationError) as info:
        budget(personas.panzhou, county=county, **kwargs)
    assert message in " ".join(info.value.messages)
    assert not Budget.objects.exists()


def test_only_editors_of_the_county(personas):
    with pytest.raises(PermissionDenied):
        budget(personas.liuzhi)  # another county
    for name in ("lps", "jiandu", "xieguan"):
        with pytest.raises(PermissionDenied):
            budget(getattr(personas, name))
    b = budget(personas.sheng)  # the province may record for any county
    with pytest.raises(PermissionDenied):
        pay(b, personas.liuzhi)
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"paid_on": dt.date(2999, 1, 1)}, "paid_on", "不能晚于今天"),
        ({"paid_on": dt.date(2025, 12, 31)}, "paid_on", "不能早于 2026 年度"),
        ({"purpose": "party"}, "purpose", "请选择用途"),
    ],
)
def test_disbursement_refusals(personas, kwargs, field, message):
    b = budget(personas.panzhou)
    with pytest.raises(ValidationError) as info:
        pay(b, personas.panzhou, **kwargs)
    assert message in info.value.message_dict[field][0]


def test_subsidy_refusals(personas):
    b = budget(personas.panzhou)
    cases = [
        ({"who": personas.xieguan2}, "不属于该县(区)"),
        ({"who": personas.jiandu}, "不是协管员"),
        ({"period_end": dt.date(2025, 12, 1)}, "补助期间止不能早于补助期间起"),
        ({"period_start": dt.date(2027, 1, 1), "period_end": dt.date(2027, 2, 1)}, "有重叠"),
        ({"basis": SubsidyBasis.ASSESSMENT}, "请选择关联的年度考核"),
    ]
    for kwargs, message in cases:
        who = kwargs.pop("who", personas.xieguan)
        with pytest.raises(ValidationError) as info:
            subsidize(b, personas.panzhou, who, **kwargs)
        assert message in " ".join(info.value.messages), message
    assert not Subsidy.objects.exists()


def test_subsidy_by_assessment_grade(personas):
    person = Assistant.objects.create(
        user=personas.xieguan,
        name="柏果镇协管员",
        gender="female",
        id_number="11010519491231002X",
        phone="13800000000",
        education="college",
        origin="village_doctor",
        township_id="520281117",
    )
    grade = Assessment.objects.create(assistant=person, year=YEAR - 1, grade=Grade.EXCELLENT)
    b = budget(personas.panzhou)
    s = subsidize(b, personas.panzhou, personas.xieguan, basis=SubsidyBasis.ASSESSMENT, assessment=grade)
    assert s.assessment == grade
    with pytest.raises(ValidationError, match="不是该协管员的"):
        subsidize(b, personas.panzhou, assistant(), basis=SubsidyBasis.ASSESSMENT, assessment=grade)


def test_withdraw_keeps_history(personas):
    b = budget(personas.panzhou)
    d = pay(b, personas.panzhou)
    s = subsidize(b, personas.panzhou, personas.xieguan)
    with pytest.raises(PermissionDenied):
        actions.withdraw_disbursement(d, by=personas.liuzhi)
    actions.withdraw_disbursement(d, by=personas.panzhou)
    actions.withdraw_subsidy(s, by=personas.panzhou)
    assert not Disbursement.objects.exists() and not Subsidy.objects.exists()
    assert Disbursement.history.filter(history_type="-").count() == 1
    assert Subsidy.history.filter(history_type="-").get().history_change_reason == "withdrawn"
    assert actions.spent(b) == 0


def test_two_sources_a_year(personas):
    budget(personas.panzhou, amount="100")
    budget(personas.panzhou, amount="50", source=FundingSource.LOCAL)
    assert Budget.objects.within("520281").count() == 2
    assert Region.objects.get(code="520281").name == "盘州市"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.decimals(min_value=Decimal("1.00"), max_value=Decimal("100000.00"), places=2),
    payments=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40000.00"), places=2), max_size=8
    ),
)
def test_spending_never_exceeds_the_line_and_is_exact(personas, total, payments):
    b = budget(personas.panzhou, amount=str(total))
    accepted = Decimal("0.00")
    for amount in payments:
        try:
            pay(b, personas.panzhou, str(amount))
        except ValidationError:
            assert accepted + amount > total  # refused only when it would overspend
        else:
            accepted += amount
    assert actions.spent(b) == accepted <= total
