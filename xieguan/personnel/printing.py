"""The printable one-page assessment (职业健康监督协管员年度考核表), through the documents engine.

``assessment_doc`` builds a ``FormDoc`` (xieguan.documents.layout); xieguan.documents.render
turns it into PDF (and could into .docx/.xlsx). The ID number on it is what personnel.privacy
lets the person printing it see.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from xieguan.documents.layout import Column, FormDoc, Grid, Line, Segment, Table
from xieguan.personnel.assessment import ASPECT_MAX, ASPECT_MEASURES, Measures
from xieguan.personnel.models import Assessment
from xieguan.personnel.privacy import id_number_for

TITLE = "职业健康监督协管员年度考核表"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _figures(m: Measures, field: str) -> str:
    """The measured work under one aspect, in a few compact lines (one page)."""
    if field == "duty_score":
        return "\n".join(
            [
                f"提交巡查个案 {m.inspections} 次",
                f"负责用人单位 {m.employers} 家，已巡查 {m.employers_inspected} 家"
                f"（覆盖率 {_pct(m.coverage)}）",
                f"重点用人单位 {m.key_employers} 家，已巡查 {m.key_employers_inspected} 家"
                f"（覆盖率 {_pct(m.key_coverage)}）",
                f"发现事件或线索 {m.leads_discovered} 条，已报告 {m.leads_reported} 条"
                f"（报告率 {_pct(m.reporting_rate)}），按时报告 {m.leads_on_time} 条",
            ]
        )
    if field == "service_score":
        return "\n".join(
            [
                f"收到协查请求 {m.assists_requested} 次，完成协查 {m.assists_done} 次",
                f"开展宣传活动 {m.publicity_events} 次",
                f"应参加培训 {m.training_invited} 次，参加 {m.training_attended} 次，"
                f"合格 {m.training_passed} 次",
            ]
        )
    return f"本年度表彰奖励 {m.rewards} 次"


def _score(value: Any) -> str:
    return "" if value is None else f"{value}"


def assessment_doc(assessment: Assessment, viewer: Any) -> FormDoc:
    assistant = assessment.assistant
    values = {k: v for k, v in assessment.measured.items() if k in Measures.__dataclass_fields__}
    measured = Measures(**values) if values else Measures(year=assessment.year)
    terms = list(assistant.appointments.order_by("start"))
    term = f"{terms[0].start:%Y-%m-%d} 至 {terms[-1].end:%Y-%m-%d}" if terms else "—"
    county = assistant.township.parent.name if assistant.township.parent else ""
    grid = Grid(
        rows=(
            (("姓  名", assistant.name), ("性  别", assistant.get_gender_display())),
            (("身份证号", id_number_for(viewer, assistant)), ("联系电话", assistant.phone)),
            (("所在乡(镇)", assistant.township.name), ("人员来源", assistant.get_origin_display())),
            (("考核年度", f"{assessment.year} 年度"), ("聘  期", term)),
        ),
        widths=(0.15, 0.35, 0.15, 0.35),
        row_height_cm=0.85,
    )
    rows = [
        (
            str(label),
            _figures(measured, field),
            f"{_score(getattr(assessment, field))} / {ASPECT_MAX[field]}",
        )
        for field, label, _labels in ASPECT_MEASURES
    ]
    rows.append(("合计", "", f"{_score(assessment.total_score)} / 100"))
    rows.append(("考核等次", assessment.get_grade_display() or "", ""))
    table = Table(
        columns=(
            Column("考核内容", 0.2),
            Column("年度工作量（系统统计）", 0.6, align="left"),
            Column("得分", 0.2),
        ),
        rows=tuple(rows),
        repeat_header=False,
        row_height_cm=0.8,
    )
    comments = Table(
        columns=(Column("考核意见", 1.0, align="left"),),
        rows=((assessment.comments or "",),),
        repeat_header=False,
        row_height_cm=1.6,
    )
    signed = assessment.signed_off_at
    signer = str(assessment.signed_off_by) if assessment.signed_off_by else ""
    signature = Line(
        segments=(
            Segment("考核单位：", f"{county}卫生健康局" if county else "", width=0.36),
            Segment("确认人：", signer, width=0.4),
            Segment("日期：", f"{timezone.localtime(signed):%Y-%m-%d}" if signed else "", width=0.24),
        ),
        space_before_cm=0.5,
    )
    own = Line(segments=(Segment("协管员签字：", "", underline=True, width=0.5),), space_before_cm=0.5)
    return FormDoc(
        title=TITLE if signed else f"{TITLE}（草稿）",
        blocks=(grid, table, comments, signature, own),
        filename=f"{assessment.year}年度考核表-{assistant.name}",
        meta={"subject": f"{assistant.name} {assessment.year} 年度考核"},
    )
