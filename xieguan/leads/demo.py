"""Demo leads in 柏果镇: one in each state of the life cycle, a complaint, a 协查 request from the
officer ``jiandu`` to the assistant ``xieguan``, and an important lead overdue.

Uses the employers of 柏果镇 when the employers demo has made some; otherwise place text.
Idempotent: each demo lead is recognised by its description.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from xieguan.accounts.demo import DemoContext
from xieguan.accounts.models import Agency
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.leads import actions, notify
from xieguan.leads.models import (
    AbnormalKind,
    Complaint,
    ComplaintChannel,
    Handling,
    Importance,
    Lead,
    LeadSource,
    LeadType,
    OfficerAction,
    ReportMethod,
)
from xieguan.regions.models import Region

TOWNSHIP = "520281117"  # 柏果镇
VILLAGE = "520281117201"  # 大寨村
AGENCY = "盘州市卫生健康综合监督执法大队"


def seed(ctx: DemoContext) -> list[str]:
    assistant, officer = ctx.users.get("xieguan"), ctx.users.get("jiandu")
    if assistant is None or officer is None:
        return []
    agency = Agency.objects.filter(name=AGENCY, kind=Agency.Kind.SUPERVISION).first()
    if agency is None:
        return []
    now = timezone.now()
    employers = list(
        Employer.objects.within(TOWNSHIP).exclude(status=OperatingStatus.CLOSED).order_by("pk")[:4]
    )
    village = Region.objects.get(code=VILLAGE)

    def where(i: int, place: str) -> dict[str, Any]:
        if employers:
            employer = employers[i % len(employers)]
            return {"employer": employer, "region": employer.region, "place": ""}
        return {"employer": None, "region": village, "place": place}

    def lead(description: str, **kwargs: Any) -> Lead | None:
        """Discover a demo lead unless it exists; None when it already did."""
        if Lead.objects.within(TOWNSHIP).filter(description=description).exists():
            return None
        return actions.discover_lead(description=description, discovered_by=assistant, **kwargs)

    def report(item: Lead, hours_after: float) -> None:
        actions.report_lead(
            item,
            by=assistant,
            method=ReportMethod.SYSTEM,
            agency=agency,
            reported_at=item.discovered_at + dt.timedelta(hours=hours_after),
        )

    made = 0
    # Discovered, not yet reported, not yet due.
    if lead(
        "破碎车间粉尘弥漫，作业人员未佩戴防尘口罩。",
        lead_type=LeadType.ABNORMAL,
        abnormal_kind=AbnormalKind.DUST,
        source=LeadSource.DIRECT,
        discovered_at=now - dt.timedelta(hours=3),
        **where(0, "大寨村石料加工点"),
    ):
        made += 1
    # Important and overdue: discovered five hours ago, not reported.
    overdue = lead(
        "一名井下工人反映长期咳嗽、胸闷，疑似尘肺病，未安排职业健康检查。",
        lead_type=LeadType.SUSPECTED_PATIENT,
        source=LeadSource.DIRECT,
        discovered_at=now - dt.timedelta(hours=5),
        **where(1, "大寨村煤矿工棚"),
    )
    if overdue:
        notify.notify_overdue_lead(overdue)
        made += 1
    # Reported, waiting for the officer to sign for it.
    item = lead(
        "噪声车间未设置警示标识，工人未配发耳塞。",
        lead_type=LeadType.ABNORMAL,
        abnormal_kind=AbnormalKind.NOISE,
        source=LeadSource.INSPECTION,
        discovered_at=now - dt.timedelta(days=1, hours=4),
        **where(2, "铜厂沟村机修厂"),
    )
    if item:
        report(item, 1)
        made += 1
    # In handling: 协查 requested of the demo assistant.
    item = lead(
        "用人单位未开展工作场所职业病危害因素检测。",
        lead_type=LeadType.ILLEGAL,
        source=LeadSource.INSPECTION,
        discovered_at=now - dt.timedelta(days=3),
        **where(3, "清坪村洗煤厂"),
    )
    if item:
        report(item, 5)
        actions.acknowledge_lead(item, by=officer)
        actions.request_assist(
            by=officer,
            assistant=assistant,
            lead=item,
            due_on=timezone.localdate() + dt.timedelta(days=7),
            note="请协助核实近两年检测报告，并拍照留存。",
        )
        made += 1
    # In handling: 查处, 责令整改 recorded.
    item = lead(
        "劳动者未进行上岗前职业健康检查。",
        lead_type=LeadType.ILLEGAL,
        source=LeadSource.INSPECTION,
        discovered_at=now - dt.timedelta(days=10),
        **where(0, "大寨村石料加工点"),
    )
    if item:
        report(item, 20)
        actions.acknowledge_lead(item, by=officer)
        actions.set_handling(item, by=officer, handling=Handling.ENFORCEMENT, reason="立即查处")
        actions.record_officer_action(
            item, by=officer, action=OfficerAction.RECTIFY, reason="限 30 日内完成整改"
        )
        made += 1
    # Closed.
    item = lead(
        "化学品仓库通风设施损坏，有刺激性气味。",
        lead_type=LeadType.ABNORMAL,
        abnormal_kind=AbnormalKind.CHEMICAL,
        source=LeadSource.DIRECT,
        discovered_at=now - dt.timedelta(days=30),
        importance=Importance.IMPORTANT,
        **where(1, "民主村化工仓库"),
    )
    if item:
        report(item, 1)
        actions.acknowledge_lead(item, by=officer)
        actions.set_handling(item, by=officer, handling=Handling.ENFORCEMENT)
        actions.record_officer_action(
            item, by=officer, action=OfficerAction.RECTIFY, reason="责令修复通风设施"
        )
        actions.close_lead(item, by=officer, outcome="通风设施已修复，复查合格。")
        made += 1
    # Withdrawn: entered twice by mistake (not in the reporting rate, kept in the history).
    item = lead(
        "（重复录入）破碎车间粉尘弥漫。",
        lead_type=LeadType.ABNORMAL,
        abnormal_kind=AbnormalKind.DUST,
        source=LeadSource.DIRECT,
        discovered_at=now - dt.timedelta(hours=2),
        **where(0, "大寨村石料加工点"),
    )
    if item:
        actions.withdraw_lead(item, by=assistant, reason="与同日录入的粉尘线索重复，误录。")
        made += 1
    # A complaint (the complainant is confidential).
    content = "群众来电反映：夜间有工厂排放刺鼻气体，附近工人出现头晕。"
    if not Complaint.objects.within(TOWNSHIP).filter(content=content).exists():
        actions.record_complaint(
            recorded_by=assistant,
            channel=ComplaintChannel.PHONE,
            content=content,
            received_at=now - dt.timedelta(hours=20),
            complainant_name="李某某",
            complainant_contact="13812345678",
            **where(2, "松树村工业点附近"),
        )
        made += 1
    return [f"  线索演示数据：柏果镇新建 {made} 条（各状态、投诉举报、协查、逾期重要线索）"] if made else []
