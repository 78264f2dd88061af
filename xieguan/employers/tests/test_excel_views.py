"""Upload, report, apply, template and export pages; their refusals."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.employers.models import Employer, EmployerImport
from xieguan.employers.tests.factories import make_employer
from xieguan.employers.tests.xlsx import row, workbook
from xieguan.lib.tabular import OLE2_MAGIC

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, content, name="柏果镇台账.xlsx"):
    return client.post(
        reverse("employers:import"), {"file": SimpleUploadedFile(name, content, content_type=XLSX)}
    )


def two_bad_rows():
    return workbook(
        [
            row(),
            row(用人单位名称="坏电话煤矿", 联系电话="0858-123"),
            row(用人单位名称="好砖厂", 行业类别="建材", 国民经济行业代码="30"),
            row(用人单位名称="人数不对", 劳动者人数=5),
        ]
    )


def test_upload_shows_the_report_and_writes_nothing(client_for):
    client = client_for("xieguan")
    assert client.get(reverse("employers:import")).status_code == 200
    response = upload(client, two_bad_rows())
    record = EmployerImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "employers:import_detail", args=[record.pk]
    )
    page = client.get(response.url)
    body = page.content.decode()
    assert page.context["counts"] == {"read": 4, "created": 2, "updated": 0, "unchanged": 0, "failed": 2}
    assert "电话号码无效" in body and "不能多于劳动者人数" in body and "0858-123" in body
    assert not Employer.objects.exists()


def test_report_download_marks_the_faulty_cells(client_for):
    client = client_for("xieguan")
    upload(client, two_bad_rows())
    record = EmployerImport.objects.get()
    response = client.get(reverse("employers:import_report", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    issues = list(book["问题清单"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in issues] == [(3, "联系电话"), (5, "接触职业病危害因素人数")]
    data = book["原始数据（已标出问题）"]
    header = [c.value for c in data[1]]
    phone = data.cell(row=3, column=header.index("联系电话") + 1)
    assert phone.value == "0858-123" and phone.fill.fgColor.rgb.endswith("FFC7CE")


def test_apply_all_is_refused_while_rows_fail_then_clean_rows_only(client_for):
    client = client_for("xieguan")
    upload(client, two_bad_rows())
    record = EmployerImport.objects.get()
    url = reverse("employers:import_detail", args=[record.pk])
    response = client.post(url, {"mode": "all"}, follow=True)
    assert "没有写入任何数据" in response.content.decode() and not Employer.objects.exists()
    response = client.post(url, {"mode": "clean"}, follow=True)
    assert "新增 2 家" in response.content.decode()
    assert Employer.objects.count() == 2
    record.refresh_from_db()
    assert record.status == "applied"
    client.post(url, {"mode": "clean"})
    assert Employer.objects.count() == 2  # applying twice does nothing


def test_fix_and_reimport(client_for):
    client = client_for("xieguan")
    upload(client, two_bad_rows())
    fixed = workbook(
        [
            row(),
            row(用人单位名称="坏电话煤矿", 联系电话="0858-3621108"),
            row(用人单位名称="好砖厂", 行业类别="建材", 国民经济行业代码="30"),
            row(用人单位名称="人数不对", 劳动者人数=150),
        ]
    )
    response = upload(client, fixed)
    page = client.get(response.url)
    assert page.context["counts"]["failed"] == 0
    client.post(response.url, {"mode": "all"})
    assert Employer.objects.count() == 4
    again = client.get(upload(client, fixed).url)
    assert again.context["counts"] == {"read": 4, "created": 0, "updated": 0, "unchanged": 4, "failed": 0}


def test_xls_upload_is_refused_on_the_page(client_for):
    response = upload(client_for("xieguan"), OLE2_MAGIC + b"\0" * 64, name="台账.xls")
    assert response.status_code == 200 and "另存为" in response.content.decode()
    assert not EmployerImport.objects.exists()


def test_template_download(client_for):
    response = client_for("xieguan").get(reverse("employers:import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    ws = book["台账"]
    assert ws["A2"].value == "用人单位名称" and ws["A3"].value.startswith("（示例）")
    assert ws["C3"].value == "柏果镇"
    assert "填写说明" in book.sheetnames


def test_export_of_the_current_filter(client_for, personas):
    make_employer(personas.xieguan, name="甲煤矿")
    make_employer(
        personas.xieguan, name="乙砖厂", industry="building_materials", industry_code=None, phone=""
    )
    make_employer(personas.xieguan2, name="岩脚煤矿", region_code="520203102001")
    response = client_for("panzhou").get(reverse("employers:export"), {"registered": "no"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["台账"]
    assert ws["A1"].value.startswith("贵州省六盘水市盘州市用人单位基本信息登记台账（导出日期：")
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    # 27 columns: printed across pages (the name column repeated); the 打印版 fits one page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth >= 1
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    header = [c.value for c in ws[2]]
    assert [r[0] for r in rows] == ["乙砖厂"]
    assert rows[0][header.index("缺少的登记项")] == "联系电话" and rows[0][header.index("已登记")] == "否"


@pytest.mark.parametrize("sort", ["", "-workers", "declaration", "unregistered"])
def test_export_gives_each_employer_its_own_hazards_in_any_order(personas, sort, django_assert_num_queries):
    """The hazard names are read beside the employers in the same order (``export_rows``): each
    row has its employer's categories and factors, in the code lists' order, whatever the sort;
    three statements for the rows, whatever their number."""
    from xieguan.employers.excel import export_rows
    from xieguan.employers.ledger import ledger_for
    from xieguan.employers.models import HazardCategory, HazardFactor

    categories = list(HazardCategory.objects.order_by("order"))
    factors = list(HazardFactor.objects.order_by("category__order", "name"))
    expected = {}
    for n in range(7):
        chosen = factors[n : n + n % 3]  # none, one or two factors
        cats = {f.category for f in chosen} | {categories[n % len(categories)]}
        make_employer(
            personas.xieguan,
            name=f"危害{n}号厂",
            workers=100 + 7 * (n % 4),
            exposed_workers=10,
            declaration_date=None if n % 2 else dt.date(2025, 1, n + 1),
            hazard_categories=list(cats),
            hazard_factors=chosen,
        )
        expected[f"危害{n}号厂"] = (
            [c.name for c in categories if c in cats],
            [f.name for f in factors if f in chosen],
        )
    query = ledger_for(personas.panzhou, {"sort": sort})
    with django_assert_num_queries(3):
        rows = list(export_rows(query, chunk_size=2))  # streams fetched in several chunks
    assert [r[0] for r in rows] == list(query.employers.values_list("name", flat=True))
    assert {r[0]: (r[10], r[11]) for r in rows} == expected


def test_export_reimports_as_unchanged(client_for, personas):
    """The data file reads back as it was written, its dates (spreadsheet dates) included."""
    from xieguan.employers.excel import read_ledger_file
    from xieguan.employers.tests.factories import valid_credit_code

    make_employer(
        personas.xieguan,
        name="甲煤矿",
        credit_code=valid_credit_code(77),
        declaration_date=dt.date(2025, 3, 5),
        declaration_receipt="黔职申〔2025〕12号",
    )
    make_employer(
        personas.xieguan,
        name="乙砖厂",
        region_code="520281117",
        industry="building_materials",
        industry_code=None,
    )
    response = client_for("xieguan").get(reverse("employers:export"))
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content))["台账"]
    header = [c.value for c in ws[2]]
    [row] = [r for r in ws.iter_rows(min_row=3) if r[0].value == "甲煤矿"]
    declared = row[header.index("最近申报日期")]
    assert declared.value == dt.datetime(2025, 3, 5) and declared.is_date  # read back as a date
    check = read_ledger_file(content, personas.xieguan)
    assert check.counts() == {"read": 2, "created": 0, "updated": 0, "unchanged": 2, "failed": 0}


@pytest.mark.parametrize(
    "day",
    [
        dt.date(1899, 12, 31),
        dt.date(1899, 12, 30),
        dt.date(1900, 1, 1),
        dt.date(1900, 2, 28),
        dt.date(1, 1, 1),
    ],
)
def test_export_dates_spreadsheets_cannot_hold_stay_text_and_reimport(client_for, personas, day):
    """A date before 1900-03-01 (a placeholder of an old system, a typing slip) is not a
    spreadsheet date: Excel has none before 1900 and counts a 1900-02-29 that never was, so
    LibreOffice showed 1900-01-01 as 1899-12-31, and 1899-12-30/31 became serial 0, read back
    as a time of day and refused on re-import. It is written as its text and reads back."""
    from xieguan.employers.excel import read_ledger_file
    from xieguan.employers.tests.factories import valid_credit_code

    make_employer(
        personas.xieguan,
        name="甲煤矿",
        credit_code=valid_credit_code(77),
        declaration_date=day,
        declaration_receipt="12号",
    )
    content = b"".join(client_for("xieguan").get(reverse("employers:export")).streaming_content)
    ws = load_workbook(io.BytesIO(content))["台账"]
    header = [c.value for c in ws[2]]
    assert ws.cell(3, header.index("最近申报日期") + 1).value == day.isoformat()
    check = read_ledger_file(content, personas.xieguan)
    assert check.counts() == {"read": 1, "created": 0, "updated": 0, "unchanged": 1, "failed": 0}


def test_export_dates_are_spreadsheet_dates(client_for, personas):
    """申报日期 and 最近巡查日期 are dates shown yyyy-mm-dd, 最近修改 the local date and time
    (Asia/Shanghai, as the pages show it) shown yyyy-mm-dd hh:mm: Excel and WPS sort and filter
    them as dates. The 打印版 keeps them dates, boxed like every cell, in columns wide enough."""
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(dt.datetime(2025, 6, 30, 23, 40, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        employer = make_employer(personas.xieguan, name="甲煤矿", declaration_date=dt.date(2025, 3, 5))
    Employer.objects.filter(pk=employer.pk).update(last_inspected_on=dt.date(2025, 6, 12))
    client = client_for("xieguan")
    data = load_workbook(io.BytesIO(b"".join(client.get(reverse("employers:export")).streaming_content)))
    ws = data["台账"]
    header = [c.value for c in ws[2]]
    for name, value, number_format in (
        ("最近申报日期", dt.datetime(2025, 3, 5), "yyyy-mm-dd"),
        ("最近巡查日期", dt.datetime(2025, 6, 12), "yyyy-mm-dd"),
        ("最近修改", dt.datetime(2025, 6, 30, 23, 40), "yyyy-mm-dd hh:mm"),
    ):
        cell = ws.cell(3, header.index(name) + 1)
        assert (cell.value, cell.is_date, cell.number_format) == (value, True, number_format), name
        assert ws.column_dimensions[cell.column_letter].width >= len(number_format) + 2, name
    paper = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("employers:export"), {"print": "1"}).streaming_content))
    )["台账"]
    header = [c.value for c in paper[2]]
    for name in ("最近申报日期", "最近巡查日期"):
        cell = paper.cell(3, header.index(name) + 1)
        assert cell.is_date and cell.number_format == "yyyy-mm-dd", name
        assert cell.border.left.style == "thin" and cell.alignment.wrap_text, name
        assert paper.column_dimensions[cell.column_letter].width >= len("2025-03-05") + 2, name


@pytest.mark.parametrize("persona", ["sheng", "lps", "panzhou"])
def test_a_ledger_of_several_counties_says_each_employers_county(client_for, personas, persona):
    """The province's or a prefecture's ledger (打印版 and data file alike) has a 县(市、区)
    column before 乡(镇、街道): printed, 柏果镇 of 盘州市 and 岩脚镇 of 六枝特区 read the same
    otherwise. A county's own ledger has none (one county: it is in the title)."""
    make_employer(personas.xieguan, name="甲煤矿")
    make_employer(personas.xieguan2, name="岩脚煤矿", region_code="520203102001")
    client = client_for(persona)
    for params in ({"print": "1"}, {}):
        ws = load_workbook(
            io.BytesIO(b"".join(client.get(reverse("employers:export"), params).streaming_content))
        )["台账"]
        header = [c.value for c in ws[2]]
        if persona == "panzhou":
            assert "县(市、区)" not in header, params
            continue
        county = header.index("县(市、区)")
        assert header[county + 1] == "乡(镇、街道)", params
        shown = {r[0]: (r[county], r[county + 1]) for r in ws.iter_rows(min_row=3, values_only=True)}
        assert shown == {"甲煤矿": ("盘州市", "柏果镇"), "岩脚煤矿": ("六枝特区", "岩脚镇")}, params
    if persona == "sheng":  # the data file with its county column still imports back unchanged
        from xieguan.employers.excel import read_ledger_file

        content = b"".join(client.get(reverse("employers:export")).streaming_content)
        check = read_ledger_file(content, personas.sheng)
        assert check.counts() == {"read": 2, "created": 0, "updated": 0, "unchanged": 2, "failed": 0}


# --- refusals ---------------------------------------------------------------------------------


def test_other_county_gets_404_on_import_targets_and_export(client_for):
    upload(client_for("xieguan"), two_bad_rows())
    record = EmployerImport.objects.get()
    for persona in ("liuzhi", "xieguan2"):
        client = client_for(persona)
        assert client.get(reverse("employers:import_detail", args=[record.pk])).status_code == 404
        assert (
            client.post(reverse("employers:import_detail", args=[record.pk]), {"mode": "clean"}).status_code
            == 404
        )
        assert client.get(reverse("employers:import_report", args=[record.pk])).status_code == 404
        assert client.get(reverse("employers:export"), {"region": "520281117"}).status_code == 404
    assert not Employer.objects.exists()


def test_only_the_uploader_applies(client_for):
    upload(client_for("xieguan"), two_bad_rows())
    record = EmployerImport.objects.get()
    county = client_for("panzhou")
    assert county.get(reverse("employers:import_detail", args=[record.pk])).status_code == 200
    assert (
        county.post(reverse("employers:import_detail", args=[record.pk]), {"mode": "clean"}).status_code
        == 403
    )
    assert not Employer.objects.exists()


@pytest.mark.parametrize("persona", ["jiandu", "lps"])
def test_read_only_roles_cannot_import(client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("employers:import")).status_code == 403
    assert client.get(reverse("employers:import_template")).status_code == 403
    assert client.get(reverse("employers:export")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    for name in ("employers:import", "employers:export", "employers:import_template"):
        assert client.get(reverse(name)).status_code == 302


# --- the command --------------------------------------------------------------------------------


def test_command_dry_run_counts_and_exit_status(personas, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(two_bad_rows())
    with pytest.raises(CommandError, match="有 2 行未通过检查"):
        call_command("importemployers", str(path), user="xieguan", dry_run=True)
    out = capsys.readouterr()
    assert "read=4 created=2 updated=0 unchanged=0 failed=2" in out.out
    assert "第 3 行 [联系电话] “0858-123”" in out.err
    assert not Employer.objects.exists()
    with pytest.raises(CommandError):
        call_command("importemployers", str(path), user="xieguan")
    assert not Employer.objects.exists()
    with pytest.raises(CommandError):
        call_command("importemployers", str(path), user="xieguan", only_clean=True)
    assert Employer.objects.count() == 2


def test_command_clean_file_succeeds_and_reimport_is_unchanged(personas, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([row(), row(用人单位名称="好砖厂", 行业类别="建材", 国民经济行业代码="30")]))
    call_command("importemployers", str(path), user="xieguan")
    assert "read=2 created=2" in capsys.readouterr().out
    call_command("importemployers", str(path), user="xieguan")
    assert "read=2 created=0 updated=0 unchanged=2 failed=0" in capsys.readouterr().out
    assert Employer.objects.count() == 2


def test_command_refusals(personas, tmp_path):
    path = tmp_path / "台账.xls"
    path.write_bytes(OLE2_MAGIC + b"\0" * 64)
    with pytest.raises(CommandError, match="另存为"):
        call_command("importemployers", str(path), user="xieguan")
    with pytest.raises(CommandError, match="无权导入"):
        call_command("importemployers", str(path), user="jiandu")
    with pytest.raises(CommandError, match="没有这个用户"):
        call_command("importemployers", str(path), user="nobody")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("importemployers", str(tmp_path / "none.xlsx"), user="xieguan")
