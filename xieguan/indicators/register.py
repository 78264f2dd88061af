"""附表2 职业健康监督协管巡查工作登记表: made from the submitted case forms, never typed.

``inspections_for(...)`` picks the submitted inspections of one assistant or one township in a
year (the township's through ``visible_within``: one region condition); ``register_rows(...)``
turns each into one row of the register, in a fixed number of queries:

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

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from xieguan.documents.official import fubiao1
from xieguan.documents.official.fubiao2 import RegisterData
from xieguan.indicators.periods import year as year_period
from xieguan.inspections.models import Answer, Inspection, InspectionAnswer, InspectionStatus
from xieguan.leads.models import (
    AssistStatus,
    Handling,
    Lead,
    LeadStatus,
    LeadType,
    OfficerAction,
)
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
) -> ScopedQuerySet[Inspection]:
    """The submitted inspections in ``base`` in ``year`` (of one assistant if given), oldest first.

    ``base`` is already scoped to the viewer: ``Inspection.objects.visible_to(user)`` for an
    assistant's register, ``Inspection.objects.visible_within(user, township)`` for a township's
    (one region condition, docs/scoping.md).
    """
    period = year_period(year)
    qs = base.filter(
        status=InspectionStatus.SUBMITTED,
        inspected_at__gte=period.start_at,
        inspected_at__lt=period.end_before,
    )
    if assistant_id is not None:
        qs = qs.filter(assistant_id=assistant_id)
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
    """One row per inspection in three statements, all read as plain values (a model instance
    per inspection, assistant, lead and agency cost more than the rest of the register): the
    inspections (only the columns the register shows, with their township's name), their
    findings (most answers are not findings, and the rest are printed as words), and their
    leads, each with its assistance requests (a row per request)."""
    length = CODE_LENGTH[Level.TOWNSHIP]
    township = Region.objects.filter(code=Substr(OuterRef("region_id"), 1, length), level=Level.TOWNSHIP)
    fetched = list(
        inspections.annotate(township=Subquery(township.values("name")[:1])).values_list(
            "pk",
            "employer_name",
            "township",
            "inspected_at",
            "assistant__username",
            "assistant__full_name",
            "template__name",
        )
    )
    # the inspections again as a subquery: their ids as parameters cost Django and psycopg more
    # CPU (a parameter each, the query split to place them) than PostgreSQL the subquery
    ids = inspections.order_by().values("pk")
    findings: dict[Any, list[tuple[str, str, str]]] = {}
    for inspection_id, wording, answer, note in (
        InspectionAnswer.objects.filter(inspection_id__in=ids, is_finding=True)
        .order_by("item__number")
        .values_list("inspection_id", "item__wording", "answer", "note")
    ):
        label = str(Answer(answer).label) if answer in Answer.values else answer
        findings.setdefault(inspection_id, []).append((short(wording), label, note))
    leads: dict[Any, list[_Lead]] = {}
    lead: _Lead | None = None
    for (
        inspection_id,
        pk,
        wording,
        lead_type,
        status,
        reported_at,
        agency,
        action,
        handling,
        closed,
        assist_status,
        done_on,
        requested_at,
    ) in (
        Lead.objects.filter(inspection_id__in=ids)
        .order_by("discovered_at", "pk", "assists__requested_at", "assists__pk")
        .values_list(
            "inspection_id",
            "pk",
            "inspection_answer__item__wording",
            "lead_type",
            "status",
            "reported_at",
            "reported_to_agency__name",
            "officer_action",
            "handling",
            "closed_at",
            "assists__status",
            "assists__done_on",
            "assists__requested_at",
        )
    ):
        if lead is None or lead.pk != pk:
            lead = _Lead(pk, wording, lead_type, status, reported_at, agency, action, handling, closed, [])
            leads.setdefault(inspection_id, []).append(lead)
        if assist_status is not None:  # a lead without requests: one row, its request columns empty
            lead.assists.append((assist_status, done_on, requested_at))
    labels = _Labels.now()
    rows = []
    for inspection_pk, employer_name, township_name, inspected_at, username, full_name, template in fetched:
        found = findings.get(inspection_pk, [])
        day = timezone.localtime(inspected_at).date()  # its year the register's, not UTC's
        year = day.year
        remarks = (_handling(lead, year, labels) for lead in leads.get(inspection_pk, []))
        rows.append(
            RegisterRow(
                inspection_id=str(inspection_pk),
                place_and_content=_place_and_content(employer_name, template, township_name or "", found),
                findings=_findings(found),
                date=_day(day),
                inspector=full_name or username,  # as ``str(user)``
                remarks="\n".join(filter(None, remarks)),
            )
        )
    return rows


@dataclass
class _Lead:
    """What the register prints of a lead (``register_rows`` reads it as plain values)."""

    pk: int
    item_wording: str | None  # the check-list item of the finding it came from, if any
    lead_type: str
    status: str
    reported_at: Any
    agency: str | None
    officer_action: str
    handling: str
    closed_at: Any
    assists: list[tuple[str, Any, Any]]  # (status, done_on, requested_at), oldest first


@dataclass(frozen=True)
class _Labels:
    """The choice labels ``_handling`` prints, translated once per register (not per lead)."""

    lead_type: dict[str, str]
    officer_action: dict[str, str]
    handling: dict[str, str]

    @classmethod
    def now(cls) -> _Labels:
        def labels(choices: Any) -> dict[str, str]:
            return {value: str(label) for value, label in choices}

        return cls(labels(LeadType.choices), labels(OfficerAction.choices), labels(Handling.choices))


def _place_and_content(
    employer_name: str, template: str, township: str, findings: list[tuple[str, str, str]]
) -> str:
    place = employer_name + (f"（{township}）" if township else "")
    wanting = [item for item, _answer, _note in findings]
    content = template_short(template)
    return f"{place}：{content}" + (f"；发现问题：{'、'.join(wanting)}" if wanting else "")


def _findings(findings: list[tuple[str, str, str]]) -> str:
    """Every finding in words: the item's short label, the answer, the note."""
    lines = []
    for item, answer, note in findings:
        text = f"{item}：{answer}"
        note = " ".join(note.split())
        lines.append(f"{text}（{note}）" if note else text)
    return "\n".join(lines) if lines else "未发现问题"


def _handling(lead: _Lead, year: int, labels: _Labels) -> str:
    """The 备注 line of one lead: the finding it refers to, then its disposition or status
    (dates in the inspection's year without the year, which the register's heading says)."""
    if lead.item_wording is not None:
        finding = short(lead.item_wording)
    else:
        finding = labels.lead_type.get(lead.lead_type, lead.lead_type)
    if lead.status == LeadStatus.WITHDRAWN:
        return f"{finding}［状态：已撤回］"
    if not lead.reported_at:
        return f"{finding}［状态：尚未报告］"
    agency = lead.agency or "卫生监督机构"
    parts = [f"已报告{agency}（{_day(lead.reported_at, year)}）"]
    for status, done_on, requested_at in lead.assists:
        if status == AssistStatus.DONE:
            parts.append(f"协查（{_day(done_on, year)}）")
        elif status == AssistStatus.REQUESTED:
            parts.append(f"协查待办（{_day(requested_at, year)}提出）")
    if lead.officer_action:
        parts.append(labels.officer_action.get(lead.officer_action, lead.officer_action))
    elif lead.handling == Handling.NO_ACTION:
        parts.append(labels.handling.get(lead.handling, lead.handling))
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
