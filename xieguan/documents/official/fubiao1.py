"""附表1 职业健康监督协管巡查个案信息表 (the inspection case form), as the regulation lays it out.

``case_form(data)`` fills it for one inspection; ``blank()`` is the paper form. The wording of
the title, the header grid, the column heads and the lines under the table is the regulation's,
word for word (including the two spaces in 地  址). The assistant's notes on items (情况说明),
which the official form has no column for, follow the table as a small-print paragraph
(``情况说明：第3项，…``); a form without notes is the official form alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xieguan.documents.layout import Column, FormDoc, Grid, Line, Note, Segment, Table
from xieguan.documents.official import blank_form

TITLE = "职业健康监督协管巡查个案信息表"
TAG = "附表1"
ANSWER_WORDS = ("有", "无", "合理缺项")  # what the 有/无 column prints

# 附表1 as printed in the regulation (the default check-list template holds the same wording).
ITEMS: tuple[tuple[int, str], ...] = (
    (1, "职业病危害项目申报情况"),
    (2, "建设项目的职业病危害预评价报告、职业病防护设施设计、职业病危害控制效果评价报告完成情况"),
    (3, "工作场所职业病危害因素检测与评价情况"),
    (4, "劳动者职业健康检查及职业健康监护档案情况"),
    (5, "劳动者职业健康教育培训情况"),
    (6, "工作场所异常情况"),
    (7, "群众投诉举报情况"),
)


@dataclass(frozen=True)
class CaseFormData:
    """The values of one filled 附表1."""

    employer_name: str = ""
    address: str = ""
    legal_representative: str = ""
    phone: str = ""
    # (序号, 巡查内容, 有/无 answer as printed: 有 / 无 / 合理缺项)
    items: Sequence[tuple[int, str, str]] = field(default_factory=lambda: [(n, w, "") for n, w in ITEMS])
    companion_signature: bytes | None = None
    companion_name: str = ""  # printed when there is no signature image
    assistant_signature: bytes | None = None
    assistant_name: str = ""
    inspected_at: str = ""  # as printed, e.g. 2026年3月5日 14时30分
    # (序号, the assistant's note on that item): printed under the table as 情况说明, since the
    # official form has no column for them
    notes: Sequence[tuple[int, str]] = ()
    filename: str = TITLE


def case_form(data: CaseFormData) -> FormDoc:
    grid = Grid(
        rows=(
            (("用人单位名称", data.employer_name), ("地  址", data.address)),
            (("法定代表人", data.legal_representative), ("联系电话", data.phone)),
        ),
        widths=(0.17, 0.35, 0.14, 0.34),
        row_height_cm=1.1,
    )
    table = Table(
        columns=(
            Column("序号", 0.10),
            Column("巡查内容", 0.72, align="left"),
            Column("有/无", 0.18),
        ),
        rows=tuple((str(number), wording, answer) for number, wording, answer in data.items),
        repeat_header=True,
        row_height_cm=1.3,
    )
    signatures = Line(
        segments=(
            Segment(
                "用人单位陪同人员签字：", data.companion_name, image=data.companion_signature, width=0.55
            ),
            Segment("协管员签字：", data.assistant_name, image=data.assistant_signature, width=0.45),
        ),
        space_before_cm=0.6,
    )
    when = Line(segments=(Segment("巡查时间：", data.inspected_at),), space_before_cm=0.4)
    explained = [(n, " ".join(text.split()).rstrip("。；;，, ")) for n, text in data.notes if text.strip()]
    notes = (
        (Note("情况说明：" + "；".join(f"第{n}项，{text}" for n, text in explained) + "。"),)
        if explained
        else ()
    )
    return FormDoc(
        title=TITLE,
        tag=TAG,
        blocks=(grid, table, *notes, signatures, when),
        filename=data.filename,
        image_height_cm=1.4,
        # the regulation's check-list (the default template's), the answers and 巡查时间's units
        usual=(
            *(text for number, wording in ITEMS for text in (str(number), wording)),
            *ANSWER_WORDS,
            "年月日时分",
        ),
    )


@blank_form("fubiao1", "附表1 职业健康监督协管巡查个案信息表（空白）")
def blank() -> FormDoc:
    return case_form(CaseFormData(filename=f"{TAG} {TITLE}（空白）"))
