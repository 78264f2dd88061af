"""附表2 职业健康监督协管巡查工作登记表: made from the submitted case forms, never typed.

``inspections_for(...)`` picks the submitted inspections of one assistant or one township in a
year; ``register_rows(...)`` turns each into one row of the register, in a fixed number of
queries:

- 巡查地点与内容, one line: the employer's name as written on the case form and its township,
  the check-list used (its short name, 附表1), and for an inspection with findings the items
  found wanting (short labels) — not every item checked;
- 发现的主要问题: every finding in words (the item and the answer, with the assistant's note);
- 巡查日期, 巡查人;
- 备注 (the form's 处置方式): for each lead the finding it came from (the item's short label, or
  the lead's kind), then its disposition as it exists: 已报告<机构>（日期）, 协查（日期）, the
  officer's action, 已办结（日期）; a lead not reported yet shows the status ［状态：尚未报告］,
  a withdrawn one ［状态：已撤回］, never a disposition it does not have.

The form itself (layout, three formats) is ``xieguan.documents.official.fubiao2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from xieguan.documents.official import fubiao1
from xieguan.documents.official.fubiao2 import RegisterData
from xieguan.indicators.periods import year as year_period
from xieguan.inspections.models import Answer, Inspection, InspectionAnswer, InspectionStatus
from xieguan.leads.models import AssistRequest, AssistStatus, Handling, Lead, LeadStatus
from xieguan.lib.scoping import ScopedQuerySet
from xieguan.regions.models import CODE_LENGTH, Level, Region

# Short names of the check-list items for the register's narrow column (built-in wordings).
SHORT = {
    "职业病危害项目申报情况": "职业病危害项目申报",
    "建设项目的职业病危害预评价报告、职业病防护设施设计、职业病危害控制效果评价报告完成情况": (
        "建设项目职业病危害评价及防护设施设计"
    ),
    "工作场所职业病危害因素检测与评价情况": "危害因素检测与评价",
    "劳动者职业健康检查及职业健康监护档案情况": "职业健康检查及监护档案",
    "劳动者职业健康教育培训情况": "职业健康教育培训",
    "具有放射危害因素的用人单位接触放射工作人员年度个人剂量监测情况": "放射工作人员个人剂量监测",
    "工作场所异常情况": "工作场所异常",
    "群众投诉举报情况": "群众投诉举报",
}


def short(wording: str) -> str:
    return SHORT.get(wording, wording.removesuffix("情况"))


def _day(value: Any, year: int | None = None) -> str:
    """A date as 2025-03-07, or 03-07 when it falls in ``year`` (the register's, in 备注)."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return f"{value:%m-%d}" if value.year == year else f"{value:%Y-%m-%d}"


@dataclass(frozen=True)
class RegisterRow:
    inspection_id: str
    place_and_content: str
    findings: str
    date: str
    inspector: str
    remarks: str

    def as_tuple(self) -> tuple[str, str, str, str, str]:
        return (self.place_and_content, self.findings, self.date, self.inspector, self.remarks)


def inspections_for(
    base: ScopedQuerySet[Inspection],
    year: int,
    *,
    assistant_id: int | None = None,
    township: str | None = None,
) -> ScopedQuerySet[Inspection]:
    """The submitted inspections of one assistant or one township in ``year``, oldest first.

    ``base`` is already scoped to the viewer (``Inspection.objects.visible_to(user)``).
    """
    period = year_period(year)
    qs = base.filter(
        status=InspectionStatus.SUBMITTED,
        inspected_at__gte=period.start_at,
        inspected_at__lt=period.end_before,
    )
    if assistant_id is not None:
        qs = qs.filter(assistant_id=assistant_id)
    if township is not None:
        qs = qs.within(township)
    return qs.order_by("inspected_at", "pk")


def template_short(name: str) -> str:
    """A check-list's short name: ``附表1`` for "附表1 职业健康…" (or the form's bare title), else
    the name up to its note in brackets."""
    if name.startswith("附表"):
        return name.split()[0]
    if name == fubiao1.TITLE:
        return fubiao1.TAG
    return name.split("（")[0].strip() or name


def register_rows(inspections: QuerySet[Inspection]) -> list[RegisterRow]:
    """One row per inspection in four statements: the inspections (only the columns the register
    shows), their findings (plain values: most answers are not findings, and the rest are
    printed as words), their leads with assistance requests, and the townships' names."""
    leads = (
        Lead.objects.select_related("reported_to_agency", "inspection_answer__item")
        .prefetch_related(
            Prefetch(
                "assists",
                queryset=AssistRequest.objects.order_by("requested_at", "pk"),
                to_attr="assist_list",
            )
        )
        .order_by("discovered_at", "pk")
    )
    # ``to_attr`` lists: Django builds no related manager's queryset per instance for them
    fetched = list(
        inspections.select_related("assistant", "template")
        .only(
            "pk",
            "employer_name",
            "region_id",
            "inspected_at",
            "assistant__username",
            "assistant__full_name",
            "template__name",
        )
        .prefetch_related(Prefetch("leads", queryset=leads, to_attr="lead_list"))
    )
    findings: dict[Any, list[tuple[str, str, str]]] = {}
    for inspection_id, wording, answer, note in (
        InspectionAnswer.objects.filter(inspection_id__in=[i.pk for i in fetched], is_finding=True)
        .order_by("item__number")
        .values_list("inspection_id", "item__wording", "answer", "note")
    ):
        label = str(Answer(answer).label) if answer in Answer.values else answer
        findings.setdefault(inspection_id, []).append((short(wording), label, note))
    length = CODE_LENGTH[Level.TOWNSHIP]
    townships = dict(
        Region.objects.filter(
            code__in={i.region_id[:length] for i in fetched if len(i.region_id) >= length}
        ).values_list("code", "name")
    )
    return [
        RegisterRow(
            inspection_id=str(inspection.pk),
            place_and_content=_place_and_content(
                inspection, townships.get(inspection.region_id[:length], ""), findings.get(inspection.pk, [])
            ),
            findings=_findings(findings.get(inspection.pk, [])),
            date=_day(inspection.inspected_at),
            inspector=str(inspection.assistant),
            remarks="\n".join(
                filter(None, (_handling(lead, inspection.inspected_at.year) for lead in inspection.lead_list))
            ),
        )
        for inspection in fetched
    ]


def _place_and_content(inspection: Inspection, township: str, findings: list[tuple[str, str, str]]) -> str:
    place = inspection.employer_name + (f"（{township}）" if township else "")
    wanting = [item for item, _answer, _note in findings]
    content = template_short(inspection.template.name)
    return f"{place}：{content}" + (f"；发现问题：{'、'.join(wanting)}" if wanting else "")


def _findings(findings: list[tuple[str, str, str]]) -> str:
    """Every finding in words: the item's short label, the answer, the note."""
    lines = []
    for item, answer, note in findings:
        text = f"{item}：{answer}"
        note = " ".join(note.split())
        lines.append(f"{text}（{note}）" if note else text)
    return "\n".join(lines) if lines else "未发现问题"


def _handling(lead: Lead, year: int) -> str:
    """The 备注 line of one lead: the finding it refers to, then its disposition or status
    (dates in the inspection's year without the year, which the register's heading says)."""
    answer = lead.inspection_answer
    finding = short(answer.item.wording) if answer is not None else lead.get_lead_type_display()
    if lead.status == LeadStatus.WITHDRAWN:
        return f"{finding}［状态：已撤回］"
    if not lead.reported_at:
        return f"{finding}［状态：尚未报告］"
    agency = lead.reported_to_agency.name if lead.reported_to_agency else "卫生监督机构"
    parts = [f"已报告{agency}（{_day(lead.reported_at, year)}）"]
    for assist in lead.assist_list:  # type: ignore[attr-defined]  # prefetched by register_rows
        if assist.status == AssistStatus.DONE:
            parts.append(f"协查（{_day(assist.done_on, year)}）")
        elif assist.status == AssistStatus.REQUESTED:
            parts.append(f"协查待办（{_day(assist.requested_at, year)}提出）")
    if lead.officer_action:
        parts.append(lead.get_officer_action_display())
    elif lead.handling == Handling.NO_ACTION:
        parts.append(lead.get_handling_display())
    if lead.status == LeadStatus.CLOSED:
        parts.append(f"已办结（{_day(lead.closed_at, year)}）")
    return f"{finding}：{'；'.join(parts)}"


def register_data(unit: str, year: int, rows: list[RegisterRow]) -> RegisterData:
    return RegisterData(
        unit=unit,
        year=str(year),
        rows=[r.as_tuple() for r in rows],
        filename=f"附表2 职业健康监督协管巡查工作登记表 {unit} {year}年度",
    )
