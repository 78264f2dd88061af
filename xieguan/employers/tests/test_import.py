"""Importing ledgers: the nasty files of item 4, all-or-nothing, re-import, scope."""

import datetime as dt

import pytest

from xieguan.employers.actions import LedgerError, update_employer
from xieguan.employers.excel import apply_import, read_ledger_file
from xieguan.employers.models import Employer
from xieguan.employers.tests.factories import make_employer, valid_credit_code
from xieguan.employers.tests.xlsx import HEADER, row, workbook
from xieguan.lib.tabular import OLE2_MAGIC, TableError

pytestmark = pytest.mark.django_db


def check(content, user):
    return read_ledger_file(content, user, filename="台账.xlsx")


def issues_of(result):
    return [(i.row, i.column, i.reason) for i in result.table.issues]


def test_a_clean_file_imports_every_row(personas):
    content = workbook(
        [
            row(),
            row(
                用人单位名称="盘州市柏果镇导入砖厂",
                行业类别="建材",
                国民经济行业代码="30",
                **{"村(社区)": None},
            ),
        ]
    )
    result = check(content, personas.xieguan)
    assert result.counts() == {"read": 2, "created": 2, "updated": 0, "unchanged": 0, "failed": 0}
    assert not Employer.objects.exists()  # checking writes nothing
    applied = apply_import(result, personas.xieguan, source="台账.xlsx")
    assert applied.created == 2
    mine = Employer.objects.get(name="盘州市柏果镇导入煤矿")
    assert mine.region_id == "520281117001" and mine.registered and mine.is_key
    assert set(mine.hazard_categories.values_list("code", flat=True)) == {"dust", "physical"}
    assert mine.history.get().history_change_reason == "Excel 导入：台账.xlsx"


def test_real_world_file_shapes(personas):
    """Title merged over the header, a note row, extra columns, numbers as text and text as
    numbers, lost leading zeros, trailing spaces, full-width digits, empty rows."""
    header = ["序号", "单位名称", "统一社会信用代码", "乡镇", "村", "地  址", "法人", "联系电话",
              "行业代码", "危害因素类别", "职工人数", "接害人数", "最近申报日期", "备注"]  # fmt: skip
    code = valid_credit_code(42)
    content = workbook(
        [
            [1, "盘州市柏果镇 导入煤矿  ", f" {code.lower()} ", "柏果镇 ", "柏果社区", "1 组", "王五 ",
             8583621108, 6, "粉尘", "１２０", "80", 45413, "已整改"],
            [None] * 14,
            [],
            [2, "盘州市柏果镇导入石场", None, "柏果", "云中", "云中 2 组", "赵六", "１３９０８５８１１２６",
             "10", "粉尘；物理因素", 30.0, " 25 ", "2024年5月1日", None],
        ],
        header=header,
        title="柏果镇职业病危害用人单位登记台账（2024 年）",
    )  # fmt: skip
    result = check(content, personas.xieguan)
    assert result.failed == 0, issues_of(result)
    assert result.table.header_row == 3 and result.table.ignored_headers == ["序号", "备注"]
    apply_import(result, personas.xieguan)
    mine = Employer.objects.get(credit_code=code)
    assert mine.name == "盘州市柏果镇 导入煤矿" and mine.legal_representative == "王五"
    assert mine.phone == "0858-3621108" and mine.industry == "coal" and mine.industry_code_id == "06"
    assert mine.workers == 120 and mine.declaration_date == dt.date(2024, 5, 1)
    quarry = Employer.objects.get(name="盘州市柏果镇导入石场")
    assert quarry.region_id == "520281117002" and quarry.phone == "13908581126"
    assert quarry.industry == "noncoal_mining" and quarry.exposed_workers == 25


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"用人单位名称": ""}, "用人单位名称", "必须填写"),
        ({"统一社会信用代码": "91520281MA6DLPXW4B"}, "统一社会信用代码", "校验位不对"),
        ({"统一社会信用代码": 915202810000000000}, "统一社会信用代码", "15 位有效数字"),
        ({"联系电话": "0858-12345"}, "联系电话", "电话号码无效"),
        ({"乡(镇、街道)": "岩脚镇"}, "乡(镇、街道)", "辖区内没有这个乡"),
        ({"村(社区)": "不存在村"}, "村(社区)", "没有找到这个村"),
        ({"行业类别": "化工"}, "行业类别", "不一致"),
        ({"行业类别": "采矿"}, "行业类别", "不是可选的值"),
        ({"国民经济行业代码": "99"}, "国民经济行业代码", "行业大类代码"),
        ({"职业病危害因素类别": ""}, "职业病危害因素类别", "至少填写一类"),
        ({"职业病危害因素类别": "粉尘、灰尘"}, "职业病危害因素类别", "“灰尘”不是可选的值"),
        ({"劳动者人数": 10}, "接触职业病危害因素人数", "不能多于劳动者人数"),
        ({"劳动者人数": "很多"}, "劳动者人数", "应为整数"),
    ],
)
def test_row_refusals_say_row_column_and_reason(personas, cells, column, reason):
    result = check(workbook([row(用人单位名称="好煤矿"), row(**cells)]), personas.xieguan)
    assert result.failed == 1 and result.created == 1
    assert any(r == 3 and c == column and reason in why for r, c, why in issues_of(result)), issues_of(result)


def test_nothing_is_written_unless_the_whole_file_is_clean(personas):
    content = workbook([row(), row(用人单位名称="坏行", 联系电话="123"), row(用人单位名称="另一行")])
    result = check(content, personas.xieguan)
    with pytest.raises(LedgerError) as caught:
        apply_import(result, personas.xieguan)
    assert "有 1 行未通过检查" in caught.value.message
    assert not Employer.objects.exists()
    applied = apply_import(result, personas.xieguan, only_clean=True)
    assert (applied.created, applied.skipped) == (2, 1)
    assert set(Employer.objects.values_list("name", flat=True)) == {"盘州市柏果镇导入煤矿", "另一行"}


def test_reimport_creates_nothing_and_lists_changed_fields(personas):
    content = workbook([row(统一社会信用代码=valid_credit_code(9)), row(用人单位名称="盘州市柏果镇导入砖厂")])
    apply_import(check(content, personas.xieguan), personas.xieguan)
    again = check(content, personas.xieguan)
    assert again.counts() == {"read": 2, "created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    apply_import(again, personas.xieguan)
    assert Employer.objects.count() == 2
    edited = workbook(
        [
            # matched by credit code although renamed; matched by normalised name in the township
            row(
                统一社会信用代码=valid_credit_code(9),
                用人单位名称="盘州市柏果镇导入煤矿（新名）",
                劳动者人数=150,
            ),
            row(用人单位名称="盘州市柏果镇 导入砖厂", 法定代表人="新法人"),
        ]
    )
    changed = check(edited, personas.xieguan)
    assert changed.counts()["updated"] == 2 and changed.counts()["created"] == 0
    assert [c["changes"] for c in changed.changed_rows()] == [
        ["用人单位名称", "劳动者人数"],
        ["用人单位名称", "法定代表人"],
    ]
    apply_import(changed, personas.xieguan)
    renamed = Employer.objects.get(credit_code=valid_credit_code(9))
    assert renamed.name == "盘州市柏果镇导入煤矿（新名）" and renamed.workers == 150 and renamed.version == 2


def test_empty_cells_keep_what_is_on_record(personas):
    apply_import(check(workbook([row()]), personas.xieguan), personas.xieguan)
    employer = Employer.objects.get()
    update_employer(employer, {"phone": "0858-3621108"}, by=personas.xieguan, expected_version=1)
    result = check(workbook([row(联系电话="", 地址="")]), personas.xieguan)
    assert result.counts()["unchanged"] == 1, result.changed_rows()
    employer.refresh_from_db()
    assert employer.phone == "0858-3621108" and employer.address == "柏果社区 1 组"


def test_duplicates_inside_the_file(personas):
    code = valid_credit_code(11)
    content = workbook(
        [
            row(统一社会信用代码=code),
            row(用人单位名称="别名煤矿", 统一社会信用代码=code),
            row(用人单位名称="盘州市柏果镇 导入煤矿"),
        ]
    )
    reasons = {(r, why) for r, _, why in issues_of(check(content, personas.xieguan))}
    assert (3, "与第 2 行的统一社会信用代码重复。") in reasons
    assert (4, "与第 2 行是同一乡镇的同名单位。") in reasons


def test_credit_code_of_another_county_is_refused(personas):
    make_employer(
        personas.xieguan2, name="岩脚煤矿", region_code="520203102001", credit_code=valid_credit_code(12)
    )
    result = check(workbook([row(统一社会信用代码=valid_credit_code(12))]), personas.xieguan)
    assert "其他辖区" in issues_of(result)[0][2] and "岩脚" not in issues_of(result)[0][2]


def test_the_users_scope_limits_where_rows_go(personas):
    content = workbook(
        [row(), row(用人单位名称="岩脚砖厂", **{"乡(镇、街道)": "岩脚镇", "村(社区)": "岩脚村"})]
    )
    assert check(content, personas.xieguan).failed == 1
    county = check(content, personas.panzhou)
    assert county.failed == 1  # 岩脚镇 is in 六枝特区, not 盘州市
    other = check(content, personas.liuzhi)
    assert other.failed == 1 and other.created == 1  # and 柏果镇 is not 六枝's


def test_region_code_column_wins_and_is_scoped(personas):
    header = [*HEADER, "区划代码"]
    content = workbook(
        [[*row(), "520281117005"], [*row(用人单位名称="外县煤矿"), "520203102001"]], header=header
    )
    result = check(content, personas.xieguan)
    assert result.table.rows[0].payload.data["region"].code == "520281117005"
    assert "不在您的辖区内" in issues_of(result)[0][2]


def test_assistant_may_leave_the_township_empty(personas):
    result = check(workbook([row(**{"乡(镇、街道)": "", "村(社区)": ""})]), personas.xieguan)
    assert result.failed == 0 and result.table.rows[0].payload.data["region"].code == "520281117"
    county = check(workbook([row(**{"乡(镇、街道)": "", "村(社区)": ""})]), personas.panzhou)
    assert "请填写乡(镇、街道)" in issues_of(county)[0][2]


def test_xls_and_headerless_files_are_refused(personas):
    with pytest.raises(TableError) as caught:
        read_ledger_file(OLE2_MAGIC + b"\0" * 100, personas.xieguan, filename="台账.xls")
    assert "旧版 Excel（.xls）" in caught.value.message
    with pytest.raises(TableError) as caught:
        check(workbook([["a", "b"]], header=["名称", "电话"]), personas.xieguan)
    assert "用人单位名称" in caught.value.message
