"""The generic table reader and writers, independent of any model."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from xieguan.lib import tabular
from xieguan.lib.tabular import (
    BOOL,
    CHOICE,
    CODE,
    DATE,
    DATETIME,
    INTEGER,
    MULTI,
    TEXT,
    Column,
    TableError,
    TableSpec,
)
from xieguan.lib.xlsx import LINE_PT, ROW_PAD_PT, pages_wide

SPEC = TableSpec(
    title="花名册",
    columns=(
        Column("name", "姓名", TEXT, required=True, aliases=("名字",), max_length=10),
        Column("id", "身份证号", CODE),
        Column("phone", "电话", CODE),
        Column("code", "代码", CODE, pad_to=2),
        Column("count", "人数", INTEGER),
        Column("day", "日期", DATE),
        Column("yes", "是否", BOOL, choices=("是", "否")),
        Column("kind", "类别", CHOICE, choices=("甲", "乙"), choice_aliases={"甲类": "甲"}),
        Column("tags", "标签", MULTI, choices=("红", "绿", "蓝")),
    ),
)


def xlsx(rows, title=None):
    book = Workbook()
    ws = book.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        ws.append([])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ["姓名", "身份证号", "电话", "代码", "人数", "日期", "是否", "类别", "标签"]


def test_header_under_a_merged_title_with_extra_columns_in_any_order():
    content = xlsx(
        [
            ["序号", *reversed(HEADER), "备注"],
            [1, "红、绿", "甲类", "是", "2024/5/1", "12", "6", "13908581126", "", "张三", "x"],
        ],
        title="某某乡花名册（2024 年）",
    )
    table = tabular.read_table(content, SPEC)
    assert table.header_row == 3 and table.ignored_headers == ["序号", "备注"]
    row = table.rows[0]
    assert row.ok, row.issues
    assert row.number == 4
    assert row.values == {
        "name": "张三",
        "id": None,
        "phone": "13908581126",
        "code": "06",
        "count": 12,
        "day": dt.date(2024, 5, 1),
        "yes": True,
        "kind": "甲",
        "tags": ("红", "绿"),
    }


def test_numbers_text_spaces_full_width_and_empty_rows():
    content = xlsx(
        [
            HEADER,
            ["  李 四  ", "11010519491231002X", 8583621108, 6, "１２", 45413, "否", "乙", "蓝 红"],
            [None, None, "", "   ", None, None, None, None, None],
            [],
            ["王五", None, "１３９０８５８１１２６", "06", 7.0, "2024年5月1日", 1, "乙", "绿；蓝"],
        ]
    )
    table = tabular.read_table(content, SPEC)
    assert [r.number for r in table.rows] == [2, 5]
    first, second = (r.values for r in table.rows)
    assert first["name"] == "李 四" and first["phone"] == "8583621108" and first["code"] == "06"
    assert first["count"] == 12 and first["day"] == dt.date(2024, 5, 1)  # Excel serial as a number
    assert first["tags"] == ("蓝", "红") and first["yes"] is False
    assert second["phone"] == "13908581126" and second["count"] == 7 and second["yes"] is True


def test_a_long_number_rounded_by_excel_is_reported():
    content = xlsx([HEADER, ["张三", 915202810000000000, None, None, None, None, None, None, None]])
    row = tabular.read_table(content, SPEC).rows[0]
    assert row.failed("id") and "15 位有效数字" in row.issues[0].reason
    content = xlsx([HEADER, ["张三", "9.15203E+17", None, None, None, None, None, None, None]])
    assert "科学计数法" in tabular.read_table(content, SPEC).rows[0].issues[0].reason


@pytest.mark.parametrize(
    ("cells", "key", "reason"),
    [
        ({"name": ""}, "name", "“姓名”必须填写"),
        ({"name": "名" * 11}, "name", "最多 10 个字"),
        ({"count": "很多"}, "count", "应为整数"),
        ({"count": -1}, "count", "不能小于 0"),
        ({"count": 1.5}, "count", "不应有小数"),
        ({"day": "去年"}, "day", "日期无法识别"),
        ({"day": "2024-02-30"}, "day", "日期无法识别"),
        ({"yes": "也许"}, "yes", "应填“是”或“否”"),
        ({"kind": "丙"}, "kind", "不是可选的值"),
        ({"tags": "红、紫"}, "tags", "“紫”不是可选的值"),
    ],
)
def test_cell_refusals_name_row_column_value_and_reason(cells, key, reason):
    values = dict(
        zip([c.key for c in SPEC.columns], ["张三", None, None, None, 3, None, None, None, None], strict=True)
    )
    values.update(cells)
    table = tabular.read_table(xlsx([HEADER, list(values.values())]), SPEC)
    issue = table.issues[0]
    assert issue.row == 2 and issue.key == key and issue.column == SPEC.column(key).header
    assert reason in issue.reason
    assert issue.value == ("" if values[key] is None else str(values[key]))


def test_example_rows_are_skipped():
    table = tabular.read_table(xlsx([HEADER, ["（示例）张三"], ["李四"]]), SPEC)
    assert [r.values["name"] for r in table.rows] == ["李四"] and table.skipped_examples == 1


def test_xls_is_refused_with_a_clear_message():
    with pytest.raises(TableError) as caught:
        tabular.read_table(tabular.OLE2_MAGIC + b"\0" * 512, SPEC, filename="台账.xls")
    assert "另存为" in caught.value.message and ".xlsx" in caught.value.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,phone\n1,2\n", "不是 Excel 工作簿"),
        (b"PK\x03\x04 broken", "已损坏"),
    ],
)
def test_other_files_are_refused(content, message):
    with pytest.raises(TableError) as caught:
        tabular.read_table(content, SPEC)
    assert message in caught.value.message


def test_missing_header_is_explained():
    with pytest.raises(TableError) as caught:
        tabular.read_table(xlsx([["甲", "乙"], ["1", "2"]]), SPEC)
    assert "没有找到表头" in caught.value.message and "姓名" in caught.value.message
    with pytest.raises(TableError) as caught:
        tabular.read_table(xlsx([["身份证号", "电话"], ["1", "2"]]), SPEC)
    assert "缺少必需的列" in caught.value.message


def test_header_noise_is_ignored():
    content = xlsx([["*姓名（必填）", "电 话", "人数："], ["张三", "13908581126", "3"]])
    table = tabular.read_table(content, SPEC)
    assert table.rows[0].values["phone"] == "13908581126" and table.rows[0].values["count"] == 3


def test_report_marks_faulty_cells():
    table = tabular.read_table(xlsx([HEADER, ["张三", None, None, None, "很多"], ["李四"]]), SPEC)
    table.rows[1].add_issue("", "整行的问题")
    book = load_workbook(io.BytesIO(tabular.report_workbook(table)))
    issues = list(book["问题清单"].iter_rows(min_row=3, values_only=True))
    assert issues == [(2, "人数", "很多", "应为整数（如 35）。"), (3, "（整行）", None, "整行的问题")]
    data = book["原始数据（已标出问题）"]
    header = [c.value for c in data[1]]
    count_cell = data.cell(row=2, column=header.index("人数") + 1)
    assert count_cell.fill.fgColor.rgb.endswith("FFC7CE") and "应为整数" in count_cell.comment.text
    assert data.cell(row=2, column=header.index("姓名") + 1).fill.fgColor.rgb != count_cell.fill.fgColor.rgb
    assert data.cell(row=3, column=1).fill.fgColor.rgb.endswith("FFC7CE")  # whole-row issue: first cell


def test_template_has_dropdowns_notes_and_text_columns():
    book = load_workbook(io.BytesIO(tabular.template_workbook(SPEC, {"name": "张三", "kind": "甲"})))
    assert book.sheetnames == ["数据", "代码表", "填写说明"]
    ws = book["数据"]
    assert ws["A1"].value == "花名册" and "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == HEADER and ws["A3"].value == "（示例）张三"
    assert ws["B10"].number_format == "@"  # identifiers keep their leading zeros
    lists = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert lists["H3:H502"].showErrorMessage and not lists["I3:I502"].showErrorMessage
    assert book["代码表"].sheet_state == "hidden"
    notes = [r for r in book["填写说明"].iter_rows(values_only=True) if r and r[0] == "标签"]
    assert "用顿号" in notes[0][2]
    # The template reads back cleanly, the example row skipped.
    table = tabular.read_table(tabular.template_workbook(SPEC, {"name": "张三"}), SPEC)
    assert table.rows == [] and table.skipped_examples == 1


def test_streaming_export_layout(tmp_path):
    target = io.BytesIO()
    rows = ([f"姓名{n}", "11010519491231002X", True, ["红", "绿"], dt.date(2024, 5, 1)] for n in range(50))
    columns = [SPEC.columns[i] for i in (0, 1, 6, 8, 5)]
    assert tabular.write_table(target, title="花名册（导出）", columns=columns, rows=rows) == 50
    ws = load_workbook(io.BytesIO(target.getvalue()))["台账"]
    assert ws["A1"].value == "花名册（导出）" and ws.freeze_panes == "A3"
    assert [c.value for c in ws[2]] == ["姓名", "身份证号", "是否", "标签", "日期"]
    assert ws["C3"].value == "是" and ws["D3"].value == "红、绿" and ws["B3"].value == "11010519491231002X"
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == SPEC.column("id").display_width() == 10
    assert ws.max_row == 52


@pytest.mark.parametrize("count", [5, 27])
def test_export_title_on_the_first_printed_page(count):
    """A table printed on one page across keeps its title centred over the columns; a wider one
    (the ledger's 27-column data file, printed over pages across) has it left-aligned in A1, not
    merged: centred over 27 columns it fell on the second page, cut in two, and page 1 had none."""
    target = io.BytesIO()
    columns = [Column(f"c{i}", f"第{i}列很长的列名称", TEXT, width=20) for i in range(count)]
    tabular.write_table(target, title="用人单位基本信息登记台账", columns=columns, rows=[["甲"] * count])
    ws = load_workbook(io.BytesIO(target.getvalue()))["台账"]
    wide = pages_wide(sum(c.display_width() for c in columns)) > 1
    assert wide == (count == 27)
    assert ws["A1"].value == "用人单位基本信息登记台账"
    merged = {str(r) for r in ws.merged_cells.ranges}
    if wide:
        assert not merged and ws["A1"].alignment.horizontal == "left"
    else:
        assert merged == {f"A1:{get_column_letter(count)}1"} and ws["A1"].alignment.horizontal == "center"


def test_display_width_counts_cjk_twice():
    assert tabular.display_width("ab") == 2 and tabular.display_width("用人单位") == 8


DATED = (
    Column("name", "名称", TEXT, required=True),
    Column("day", "日期", DATE),
    Column("at", "时间", DATETIME),
)


@pytest.mark.parametrize("printable", [False, True])
def test_dates_are_written_as_dates_and_read_back(printable):
    """A date is a spreadsheet date shown yyyy-mm-dd, a date-time (aware: in Asia/Shanghai,
    naive in the file) one shown yyyy-mm-dd hh:mm, in columns wide enough, boxed in the printable
    version like every cell; the reader takes them back as they were."""
    moment = dt.datetime(2025, 6, 30, 16, 5, tzinfo=dt.UTC)  # 2025-07-01 00:05 in Shanghai
    target = io.BytesIO()
    rows: list[list[Any]] = [["甲", dt.date(2025, 3, 5), moment], ["乙", None, None]]
    tabular.write_table(target, title="表", columns=DATED, rows=rows, printable=printable)
    ws = load_workbook(io.BytesIO(target.getvalue()))["台账"]
    day, at = ws["B3"], ws["C3"]
    assert (day.value, day.is_date, day.number_format) == (dt.datetime(2025, 3, 5), True, "yyyy-mm-dd")
    assert (at.value, at.is_date, at.number_format) == (
        dt.datetime(2025, 7, 1, 0, 5),
        True,
        "yyyy-mm-dd hh:mm",
    )
    assert ws.column_dimensions["B"].width >= 12 and ws.column_dimensions["C"].width >= 18
    if printable:  # one line high: a date never wraps
        assert ws.row_dimensions[3].height == LINE_PT + ROW_PAD_PT
        for cell in (day, at, ws["B4"]):
            assert cell.border.left.style == "thin" and cell.alignment.wrap_text, cell.coordinate
    table = tabular.read_table(target.getvalue(), TableSpec(title="表", columns=DATED))
    assert [r.values for r in table.rows] == [
        {"name": "甲", "day": dt.date(2025, 3, 5), "at": dt.datetime(2025, 7, 1, 0, 5)},
        {"name": "乙", "day": None, "at": None},
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2025, 3, 5, 9, 30), dt.datetime(2025, 3, 5, 9, 30)),
        (dt.date(2025, 3, 5), dt.datetime(2025, 3, 5)),
        (45721.396, dt.datetime(2025, 3, 5, 9, 30, 14, 400000)),  # an Excel serial as a number
        ("2025-03-05 09:30", dt.datetime(2025, 3, 5, 9, 30)),
        ("2025/3/5 9:30:15", dt.datetime(2025, 3, 5, 9, 30, 15)),
        ("2025年3月5日 9时30分", dt.datetime(2025, 3, 5, 9, 30)),
        ("２０２５-０３-０５　０９：３０", dt.datetime(2025, 3, 5, 9, 30)),
        ("2025-03-05T09:30", dt.datetime(2025, 3, 5, 9, 30)),
        ("2025-03-05", dt.datetime(2025, 3, 5)),
    ],
)
def test_a_date_time_cell_is_read_in_the_forms_people_write(value, expected):
    assert tabular.normalise_cell(Column("at", "时间", DATETIME), value) == expected


@pytest.mark.parametrize("value", ["明天", "2025-02-30 09:30", "2025-03-05 25:00", "2025-03-05 9点"])
def test_a_date_time_that_is_not_one_is_refused(value):
    with pytest.raises(ValueError, match="日期时间无法识别"):
        tabular.normalise_cell(Column("at", "时间", DATETIME), value)


def test_a_text_cell_with_a_control_character_is_refused():
    """A control character in an imported text (a sheet can carry one as ``_x0007_``) is refused
    with the message the forms give (validators.refuse_control_characters), not stored."""
    column = tabular.Column("name", "用人单位名称", tabular.TEXT)
    assert tabular.normalise_cell(column, "柏果\t煤矿") == "柏果 煤矿"  # tab and line feed are spaces
    with pytest.raises(ValueError, match="控制字符"):
        tabular.normalise_cell(column, "铃\x07煤矿")
