"""Roster import (.xlsx): per-row report, all or nothing; the template; the export."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from xieguan.personnel import actions, roster
from xieguan.personnel.models import Assistant, AssistantStatus
from xieguan.personnel.tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "文化程度",
    "专业",
    "人员来源",
    "所在乡(镇、街道)",
    "负责的村(社区)",
]


def xlsx(rows, header=HEADER, title="盘州市协管员花名册"):
    book = Workbook()
    sheet = book.active
    sheet.append([title])  # a merged-looking title above the header, as counties have it
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(world):
    return [
        ["赵敏", "女", valid_id_number(501), "13908582222", "大专", "", "村医", "柏果镇", "柏果、云中社区"],
        # a number stored as a number and a phone typed with spaces
        ["钱进", "男", valid_id_number(502), "139 0858 3333", "高中", "", "计生专干", "大山镇", ""],
        # 王芳 is known: her phone changes
        ["王芳", "女", world["appointed"].id_number, "13908584444", "大专", "临床医学", "村医", "柏果镇", ""],
    ]


def test_a_good_roster_is_checked_then_applied(world, personas):
    check = roster.read_roster(xlsx(good_rows(world)), personas.panzhou)
    assert check.counts() == {"read": 3, "failed": 0, "issues": 0, "create": 2, "update": 1, "unchanged": 0}
    assert "phone" in check.plans[5].changes
    result = roster.apply_roster(check)
    assert result == {"create": 2, "update": 1, "unchanged": 0}
    zhao = Assistant.objects.get(name="赵敏")
    assert zhao.status == AssistantStatus.CANDIDATE and zhao.township_id == "520281117"
    assert sorted(v.name for v in zhao.villages.all()) == ["云中社区居民委员会", "柏果社区居民委员会"]
    assert Assistant.objects.get(name="钱进").phone == "13908583333"
    world["appointed"].refresh_from_db()
    assert world["appointed"].phone == "13908584444" and world["appointed"].user.phone == "13908584444"
    again = roster.read_roster(xlsx(good_rows(world)), personas.panzhou)
    assert again.counts()["unchanged"] == 3


def test_any_bad_row_means_nothing_is_written_and_each_problem_is_reported(world, personas):
    rows = [
        *good_rows(world),
        ["孙一", "女", "520203198803121234", "13908585555", "大专", "", "村医", "柏果镇", ""],
        ["孙二", "女", valid_id_number(501), "12345", "博士", "", "村医", "岩脚镇", ""],
        ["孙三", "", world["other"].id_number, "13908586666", "大专", "", "村医", "柏果镇", "不存在村"],
    ]
    check = roster.read_roster(xlsx(rows), personas.panzhou)
    found = {(i.row, i.column) for i in check.table.issues}
    assert (6, "身份证号") in found  # checksum
    assert (7, "身份证号") in found  # same as row 3
    assert (7, "联系电话") in found and (7, "文化程度") in found and (7, "所在乡(镇、街道)") in found
    assert (8, "性别") in found
    reasons = " ".join(i.reason for i in check.table.issues)
    assert "校验位不对" in reasons and "与第 3 行的身份证号重复" in reasons
    assert check.failed == 3
    with pytest.raises(ValidationError, match="没有写入任何数据"):
        roster.apply_roster(check)
    assert Assistant.objects.count() == 3  # the fixture's three, nobody added


def test_an_id_number_of_another_county_is_refused_without_details(world, personas):
    rows = [["杨明", "男", world["other"].id_number, "13908586666", "大专", "", "村医", "柏果镇", ""]]
    check = roster.read_roster(xlsx(rows), personas.panzhou)
    assert [i.reason for i in check.table.issues] == [actions.ID_NUMBER_TAKEN]


def test_unknown_village_is_reported(world, personas):
    rows = [["赵敏", "女", valid_id_number(501), "13908582222", "大专", "", "村医", "柏果镇", "不存在村"]]
    check = roster.read_roster(xlsx(rows), personas.panzhou)
    assert [i.reason for i in check.table.issues] == ["这些村(社区)不属于柏果镇：不存在村。"]


def test_pages_upload_report_and_apply(client_for, world, personas):
    client = client_for("panzhou")
    bad = [
        *good_rows(world),
        ["孙一", "女", "520203198803121234", "13908585555", "大专", "", "村医", "柏果镇", ""],
    ]
    response = client.post(
        reverse("personnel:roster_import"), {"file": SimpleUploadedFile("花名册.xlsx", xlsx(bad))}
    )
    body = response.content.decode()
    assert 'data-testid="failed">1<' in body and "校验位不对" in body and "确认导入" not in body
    token = response.context["token"]
    report = client.get(reverse("personnel:roster_report", args=[token]))
    sheet = load_workbook(BytesIO(report.content))["问题清单"]
    assert any("校验位不对" in str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    # applying a failed file is refused and writes nothing
    client.post(reverse("personnel:roster_apply"), {"token": token})
    assert not Assistant.objects.filter(name="赵敏").exists()
    # another user cannot use the token
    assert client_for("liuzhi").get(reverse("personnel:roster_report", args=[token])).status_code == 404
    response = client.post(
        reverse("personnel:roster_import"),
        {"file": SimpleUploadedFile("花名册.xlsx", xlsx(good_rows(world)))},
    )
    assert "确认导入：新增 2 人，更新 1 人" in response.content.decode()
    response = client.post(reverse("personnel:roster_apply"), {"token": response.context["token"]})
    assert response.status_code == 302 and Assistant.objects.filter(name="赵敏").exists()


def test_wrong_files_are_explained(client_for, world):
    client = client_for("panzhou")
    response = client.post(
        reverse("personnel:roster_import"),
        {"file": SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100)},
    )
    assert response.status_code == 200 and "xls" in response.content.decode()
    response = client.post(
        reverse("personnel:roster_import"),
        {"file": SimpleUploadedFile("a.xlsx", xlsx([], header=["甲", "乙"]))},
    )
    assert "表头" in response.content.decode()


def test_template_round_trips(client_for, world, personas):
    content = client_for("panzhou").get(reverse("personnel:roster_template")).content
    check = roster.read_roster(content, personas.panzhou)
    assert check.counts()["read"] == 0 and check.table.skipped_examples == 1


@pytest.mark.parametrize("name", ["personnel:roster_import", "personnel:roster_template"])
@pytest.mark.parametrize("persona", ["sheng", "lps", "jiandu", "xieguan"])
def test_roster_pages_are_the_countys(client_for, world, name, persona):
    assert client_for(persona).get(reverse(name)).status_code == 403


def test_apply_needs_a_known_token(client_for, world):
    client = client_for("panzhou")
    assert client.post(reverse("personnel:roster_apply"), {"token": "../../etc"}).status_code == 404
    assert client.post(reverse("personnel:roster_apply"), {"token": "0" * 32}).status_code == 404
    assert client.get(reverse("personnel:roster_apply")).status_code == 405


def test_export_term_end_is_a_date_and_the_export_reads_back(client_for, world, personas):
    """聘期至 is a spreadsheet date shown yyyy-mm-dd (sortable, filterable); the county's export
    reads back through the import as its people, unchanged (聘期至 and 状态 are not imported)."""
    response = client_for("panzhou").get(reverse("personnel:export"))
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).active
    header = [c.value for c in sheet[2]]
    [row] = [r for r in sheet.iter_rows(min_row=3) if r[0].value == "王芳"]
    term_end = row[header.index("聘期至")]
    expected = world["appointed"].appointments.get().end
    assert term_end.is_date and term_end.value.date() == expected and term_end.number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions[term_end.column_letter].width >= len("2025-03-05") + 2
    check = roster.read_roster(content, personas.panzhou)
    assert check.counts()["failed"] == 0 and check.counts()["unchanged"] == check.counts()["read"] >= 2
