"""Browser journey on a 360 px phone: an assistant registers an employer (after a rejected
credit code), imports a file with two bad rows, reads the report, fixes, re-imports, exports."""

import io

import pytest
from openpyxl import load_workbook

from xieguan.employers.models import Employer
from xieguan.employers.tests.factories import valid_credit_code
from xieguan.employers.tests.xlsx import row, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_assistant_ledger_journey(live_server, personas, phone, login_page, screenshot, tmp_path):
    from xieguan.employers.codelists import ensure_code_lists

    ensure_code_lists()  # a transactional test starts from an empty database
    page = phone
    login_page(page, "xieguan")
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="用人单位台账").click()
    page.get_by_test_id("add-employer").click()
    fits(page)

    good = valid_credit_code(314)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    page.fill("#id_name", "盘州市柏果镇手机登记煤矿")
    page.fill("#id_credit_code", bad)
    page.select_option("#id_region", "520281117003")
    page.fill("#id_address", "云尚社区 5 组")
    page.fill("#id_legal_representative", "陈五")
    page.fill("#id_phone", "0858 3621199")
    page.select_option("#id_industry_code", "06")
    assert page.input_value("#id_industry") == "coal"  # the page follows the code mapping
    page.get_by_label("粉尘").first.check()
    page.fill("#id_workers", "150")
    page.fill("#id_exposed_workers", "90")
    page.get_by_test_id("save").click()
    error = page.get_by_test_id("error-credit_code")
    assert "校验位不对" in error.inner_text()
    fits(page)
    screenshot(page, "1-rejected-credit-code")
    assert not Employer.objects.exists()

    page.fill("#id_credit_code", good)
    page.get_by_test_id("save").click()
    page.wait_for_url("**/employers/*/")
    assert page.get_by_test_id("employer-name").inner_text() == "盘州市柏果镇手机登记煤矿"
    assert page.get_by_test_id("registered").inner_text() == "已登记"
    fits(page)
    screenshot(page, "2-registered")

    # Import a file with two bad rows.
    bad_file = tmp_path / "柏果镇台账.xlsx"
    bad_file.write_bytes(
        workbook(
            [
                row(用人单位名称="盘州市柏果镇导入一号煤矿"),
                row(用人单位名称="盘州市柏果镇导入二号煤矿", 联系电话="0858-123"),
                row(用人单位名称="盘州市柏果镇导入砖厂", 行业类别="建材", 国民经济行业代码="30"),
                row(
                    用人单位名称="盘州市柏果镇导入石场",
                    行业类别="非煤矿山",
                    国民经济行业代码="10",
                    劳动者人数=5,
                ),
            ],
            title="柏果镇职业病危害用人单位台账",
        )
    )
    page.goto(f"{live_server.url}/employers/import/")
    page.set_input_files("#id_file", str(bad_file))
    page.get_by_test_id("check").click()
    page.wait_for_url("**/employers/import/*/")
    assert page.get_by_test_id("count-failed").inner_text() == "2"
    issues = page.get_by_test_id("issues").inner_text()
    assert "电话号码无效" in issues and "不能多于劳动者人数" in issues
    fits(page)
    screenshot(page, "3-import-report")
    with page.expect_download() as download:
        page.get_by_test_id("report").click()
    report = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert [r[:2] for r in report["问题清单"].iter_rows(min_row=3, values_only=True)] == [
        (5, "联系电话"),
        (7, "接触职业病危害因素人数"),
    ]
    assert Employer.objects.count() == 1

    # Fix the file and re-import.
    fixed = tmp_path / "柏果镇台账-改正.xlsx"
    fixed.write_bytes(
        workbook(
            [
                row(用人单位名称="盘州市柏果镇导入一号煤矿"),
                row(用人单位名称="盘州市柏果镇导入二号煤矿", 联系电话="0858-3621234"),
                row(用人单位名称="盘州市柏果镇导入砖厂", 行业类别="建材", 国民经济行业代码="30"),
                row(
                    用人单位名称="盘州市柏果镇导入石场",
                    行业类别="非煤矿山",
                    国民经济行业代码="10",
                    劳动者人数=100,
                ),
            ],
            title="柏果镇职业病危害用人单位台账",
        )
    )
    page.get_by_test_id("reupload").click()
    page.set_input_files("#id_file", str(fixed))
    page.get_by_test_id("check").click()
    page.wait_for_url("**/employers/import/*/")
    assert page.get_by_test_id("count-failed").inner_text() == "0"
    page.get_by_test_id("apply-all").click()
    assert "新增 4 家" in page.get_by_test_id("import-result").inner_text()
    fits(page)
    screenshot(page, "4-imported")
    assert Employer.objects.count() == 5

    # The ledger and its export.
    page.goto(f"{live_server.url}/employers/")
    assert page.get_by_test_id("count-total").inner_text() == "5"
    assert page.get_by_test_id("count-rate").inner_text() == "100.0%"
    fits(page)
    screenshot(page, "5-ledger")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    ws = load_workbook(io.BytesIO(download.value.path().read_bytes()))["台账"]
    assert ws.max_row == 7 and "柏果镇用人单位基本信息登记台账" in ws["A1"].value


def test_closing_an_employer_asks_first(live_server, personas, phone, login_page):
    """关闭 asks what it undoes; 取消 keeps the employer open, the confirm button closes it."""
    from playwright.sync_api import expect

    from xieguan.employers.models import OperatingStatus
    from xieguan.lib.testing import EmployerFactory

    employer = EmployerFactory.create(name="盘州测试石料厂")
    login_page(phone, "xieguan")
    phone.goto(f"{live_server.url}{employer.get_absolute_url()}")
    phone.get_by_text("关闭该单位（注销、搬离或不再有职业病危害）").click()
    phone.locator("#id_reason").fill("已注销")
    dialog = phone.get_by_test_id("confirm-dialog")

    phone.get_by_role("button", name="关闭", exact=True).click()
    expect(dialog).to_contain_text("关闭“盘州测试石料厂”？")
    phone.get_by_test_id("confirm-cancel").click()
    expect(dialog).to_be_hidden()
    assert Employer.objects.get(pk=employer.pk).status != OperatingStatus.CLOSED

    phone.get_by_role("button", name="关闭", exact=True).click()
    phone.get_by_test_id("confirm-ok").click()
    expect(phone.get_by_text("已关闭：已注销")).to_be_visible()
    assert Employer.objects.get(pk=employer.pk).status == OperatingStatus.CLOSED
