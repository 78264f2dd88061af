import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.funding import actions
from xieguan.funding.models import Budget, Disbursement, Purpose, Subsidy, SubsidyBasis
from xieguan.funding.tests.factories import PAID_ON, YEAR, budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(personas):
    b = budget(personas.panzhou, amount="120000.00")
    d = actions.record_disbursement(
        b, by=personas.panzhou, amount="18500.00", paid_on=PAID_ON, purpose=Purpose.TRAINING
    )
    s = actions.record_subsidy(
        b,
        by=personas.panzhou,
        assistant=personas.xieguan,
        amount="3600.00",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 6, 30),
        basis=SubsidyBasis.FIXED,
        paid_on=PAID_ON,
    )
    return {"budget": b, "disbursement": d, "subsidy": s}


@pytest.fixture
def urls(money):
    county = ("520281", YEAR)
    return {
        "index": ("get", reverse("funding:index")),
        "export": ("get", reverse("funding:export")),
        "county": ("get", reverse("funding:county", args=county)),
        "budget_new": ("post", reverse("funding:budget_new", args=county)),
        "disbursement_new": ("post", reverse("funding:disbursement_new", args=county)),
        "subsidy_new": ("post", reverse("funding:subsidy_new", args=county)),
        "budget_edit": ("get", reverse("funding:budget_edit", args=[money["budget"].pk])),
        "disbursement_withdraw": (
            "post",
            reverse("funding:disbursement_withdraw", args=[money["disbursement"].pk]),
        ),
        "subsidy_withdraw": ("post", reverse("funding:subsidy_withdraw", args=[money["subsidy"].pk])),
    }


ALL = ["index", "export", "county", "budget_new", "disbursement_new", "subsidy_new", "budget_edit"]
ALL += ["disbursement_withdraw", "subsidy_withdraw"]
OTHER_COUNTY_404 = ["county", "budget_new", "disbursement_new", "subsidy_new", "budget_edit"]
OTHER_COUNTY_404 += ["disbursement_withdraw", "subsidy_withdraw"]


@pytest.mark.parametrize("name", ALL)
def test_anonymous_is_sent_to_login(client, urls, name):
    method, url = urls[name]
    assert getattr(client, method)(url).status_code == 302


@pytest.mark.parametrize("name", OTHER_COUNTY_404)
def test_another_county_gets_404(client_for, urls, name):
    method, url = urls[name]
    assert getattr(client_for("liuzhi"), method)(url).status_code == 404
    assert Disbursement.objects.count() == 1 and Subsidy.objects.count() == 1


@pytest.mark.parametrize("persona", ["xieguan", "jiandu", "xieguan2"])
@pytest.mark.parametrize("name", ALL)
def test_assistants_and_officers_get_403(client_for, urls, persona, name):
    method, url = urls[name]
    assert getattr(client_for(persona), method)(url).status_code == 403


@pytest.mark.parametrize("name", ["budget_new", "disbursement_new", "subsidy_new", "budget_edit"])
def test_the_prefecture_reads_but_does_not_record(client_for, urls, name):
    method, url = urls[name]
    assert getattr(client_for("lps"), method)(url).status_code == 403
    body = client_for("lps").get(urls["county"][1]).content.decode()
    assert "登记支出" not in body and "120,000.00" in body


def test_other_county_url_forms(client_for):
    assert client_for("panzhou").get(reverse("funding:index") + "?region=520203").status_code == 404
    assert client_for("panzhou").get(reverse("funding:county", args=["520281117", YEAR])).status_code == 404
    assert client_for("sheng").get(reverse("funding:index") + "?region=520281117").status_code == 404


def test_province_table_by_county(money, client_for):
    body = client_for("sheng").get(reverse("funding:index") + f"?year={YEAR}").content.decode()
    assert body.count("data-county=") == 88
    assert "120,000.00" in body and "22,100.00" in body  # allocated, spent (18,500 + 3,600)
    prefecture = (
        client_for("sheng").get(reverse("funding:index") + f"?year={YEAR}&region=5202").content.decode()
    )
    assert prefecture.count("data-county=") == 4
    county = client_for("panzhou").get(reverse("funding:index") + f"?year={YEAR}").content.decode()
    assert county.count("data-county=") == 1


def test_index_query_count(money, client_for, django_assert_max_num_queries):
    client = client_for("sheng")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("funding:index") + f"?year={YEAR}").status_code == 200
    client = client_for("panzhou")
    with django_assert_max_num_queries(25):
        assert client.get(reverse("funding:county", args=["520281", YEAR])).status_code == 200


def test_export_xlsx(money, client_for):
    response = client_for("lps").get(reverse("funding:export") + f"?year={YEAR}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert "六盘水市 2026 年度" in ws["A1"].value
    assert ws["A2"].value == "县(区)" and ws["C2"].value == "下达经费合计\n(元)"
    # every unit on a line of its own: its ")" never starts a printed line
    for cell in ws[2]:
        if cell.value.endswith(")") and len(cell.value) > 4:
            assert "\n(" in cell.value and cell.value.count("(") == 1, cell.value
    rows = {ws.cell(row=r, column=2).value: r for r in range(3, 3 + 4)}
    r = rows["520281"]
    assert ws.cell(row=r, column=3).value == 120000 and ws.cell(row=r, column=3).number_format == "#,##0.00"
    assert ws.cell(row=r, column=6).value == Decimal("22100.00") or ws.cell(row=r, column=6).value == 22100
    assert ws.cell(row=7, column=1).value == "合计"


def test_record_budget_disbursement_and_subsidy_through_the_page(personas, client_for):
    client = client_for("panzhou")
    base = ("520281", YEAR)
    response = client.post(
        reverse("funding:budget_new", args=base),
        {
            "source": "local",
            "amount": "60,000",
            "allocated_on": "2026-04-01",
            "document_no": "盘财社〔2026〕7号",
        },
    )
    assert response.status_code == 302
    b = Budget.objects.get()
    assert b.amount == Decimal("60000.00") and b.year == YEAR
    response = client.post(
        reverse("funding:disbursement_new", args=base),
        {"budget": b.pk, "amount": "1,234.56", "paid_on": "2026-05-01", "purpose": "publicity"},
    )
    assert response.status_code == 302 and Disbursement.objects.get().amount == Decimal("1234.56")
    response = client.post(
        reverse("funding:subsidy_new", args=base),
        {
            "budget": b.pk,
            "assistant": personas.xieguan.pk,
            "amount": "600",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "basis": "fixed",
            "paid_on": "2026-02-05",
        },
    )
    assert response.status_code == 302 and Subsidy.objects.get().amount == Decimal("600.00")
    page = client.get(reverse("funding:county", args=base)).content.decode()
    assert "58,165.44" in page  # left on the line: 60,000 - 1,234.56 - 600


def test_bad_input_is_refused_with_chinese_messages(personas, client_for):
    b = budget(personas.panzhou, amount="1000.00")
    client = client_for("panzhou")
    base = ("520281", YEAR)
    response = client.post(reverse("funding:budget_new", args=base), {"source": "local", "amount": "12.345"})
    assert response.status_code == 400 and "金额最多保留两位小数（到分）。" in response.content.decode()
    response = client.post(
        reverse("funding:disbursement_new", args=base),
        {"budget": b.pk, "amount": "1000.01", "paid_on": "2026-05-01", "purpose": "training"},
    )
    assert response.status_code == 400 and "超出 0.01 元" in response.content.decode()
    response = client.post(
        reverse("funding:subsidy_new", args=base),
        {
            "budget": b.pk,
            "assistant": personas.xieguan2.pk,  # another county's: not offered
            "amount": "10",
            "period_start": "2026-02-01",
            "period_end": "2026-01-01",
            "basis": "fixed",
            "paid_on": "2026-02-05",
        },
    )
    body = response.content.decode()
    assert (
        response.status_code == 400
        and "补助期间止不能早于补助期间起。" in body
        and "选择一个有效的选项" in body
    )
    assert Budget.objects.count() == 1 and not Disbursement.objects.exists() and not Subsidy.objects.exists()


def test_budget_edit_and_withdraw(money, client_for):
    client = client_for("panzhou")
    b = money["budget"]
    response = client.post(reverse("funding:budget_edit", args=[b.pk]), {"amount": "1000"})
    assert response.status_code == 400 and "不能改为低于已支出金额" in response.content.decode()
    response = client.post(
        reverse("funding:budget_edit", args=[b.pk]), {"amount": "130000", "document_no": "追加"}
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.amount == Decimal("130000.00")
    history = client.get(reverse("funding:budget_edit", args=[b.pk])).content.decode()
    assert "130,000.00" in history and "120,000.00" in history
    client.post(reverse("funding:disbursement_withdraw", args=[money["disbursement"].pk]))
    client.post(reverse("funding:subsidy_withdraw", args=[money["subsidy"].pk]))
    assert not Disbursement.objects.exists() and not Subsidy.objects.exists()
