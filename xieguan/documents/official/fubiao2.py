"""附表2 职业健康监督协管巡查工作登记表 (the annual register), as the regulation lays it out.

``register(data)`` fills it for one assistant (or township) and year, one row per submitted
inspection (the rows are made by ``xieguan.indicators.register`` from the case forms);
``blank()`` is the paper form. Title, column heads and the note are the regulation's, word for
word. The table header repeats on every printed page. A filled register without rows (a year
without submitted inspections) has one row saying so (``NO_ROWS``, no 序号), in every format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xieguan.documents.layout import Column, FormDoc, Line, Note, Segment, Table
from xieguan.documents.official import blank_form

TITLE = "职业健康监督协管巡查工作登记表"
TAG = "附表2"
COLUMNS = ("序号", "巡查地点与内容", "发现的主要问题", "巡查日期", "巡查人", "备注")
NOTE = (
    "注：此表为协管巡查工作登记表，根据个案信息表汇总形成。"
    "备注栏填写发现问题后的处置方式（如报告卫生监督执法机构或协助查处违法行为等内容）。"
)
BLANK_ROWS = 12
# A filled register of a year without inspections says so in its table (the page's words): an
# empty table printed nothing to tell it from a blank form or a lost page. Not an official row:
# no 序号, the text in 巡查地点与内容.
NO_ROWS = "该年度没有已提交的巡查。"


@dataclass(frozen=True)
class RegisterData:
    """The values of one filled 附表2: the unit above the table, the year, and the rows."""

    unit: str = ""
    year: str = ""
    # (巡查地点与内容, 发现的主要问题, 巡查日期, 巡查人, 备注); 序号 is added here
    rows: Sequence[tuple[str, str, str, str, str]] = field(default_factory=list)
    filename: str = TITLE
    min_rows: int = 0


def register(data: RegisterData) -> FormDoc:
    heading = Line(
        segments=(
            Segment("", data.unit, width=0.6, underline=True),
            Segment("", f"{data.year or '______'}年度", width=0.4, align="right"),  # ____年度 on paper
        ),
        space_before_cm=0.0,
    )
    rows = tuple((str(n), *row) for n, row in enumerate(data.rows, start=1))
    if not rows and not data.min_rows:  # filled, for a year without inspections (not the blank form)
        rows = (("", NO_ROWS, "", "", "", ""),)
    table = Table(
        columns=(
            Column(COLUMNS[0], 0.06),  # room for "12" over "（续）" on a continuation row
            Column(COLUMNS[1], 0.28, align="left"),
            Column(COLUMNS[2], 0.27, align="left"),
            Column(COLUMNS[3], 0.10),
            Column(COLUMNS[4], 0.07),
            Column(COLUMNS[5], 0.22, align="left"),
        ),
        rows=rows,
        repeat_header=True,
        min_rows=data.min_rows,
        row_height_cm=0.6,  # a filled row is as high as its text; a blank one a handwritten line
    )
    return FormDoc(
        title=TITLE,
        tag=TAG,
        blocks=(heading, table, Note(NOTE)),
        filename=data.filename,
        landscape=True,
        page_numbers=True,
        usual=(NOTE, "年度"),
    )


@blank_form("fubiao2", "附表2 职业健康监督协管巡查工作登记表（空白）")
def blank() -> FormDoc:
    return register(RegisterData(filename=f"{TAG} {TITLE}（空白）", min_rows=BLANK_ROWS))
