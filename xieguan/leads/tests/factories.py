"""Leads in each state of the life cycle, made through the real actions (so timelines exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from xieguan.accounts.models import Agency
from xieguan.employers.models import Employer
from xieguan.leads import actions
from xieguan.leads.actions import State
from xieguan.leads.models import (
    AssistRequest,
    Complaint,
    ComplaintChannel,
    Handling,
    Lead,
    LeadSource,
    LeadType,
)
from xieguan.lib.testing import VILLAGE, AgencyFactory, EmployerFactory, Personas
from xieguan.regions.models import Region


def employer(**kwargs: Any) -> Employer:
    made: Employer = EmployerFactory.create(**kwargs)
    return made


def agency(**kwargs: Any) -> Agency:
    made: Agency = AgencyFactory.create(**kwargs)
    return made


def lead_of(item: Complaint) -> Lead:
    assert item.lead is not None
    return item.lead


def make_lead(personas: Personas, **kwargs: Any) -> Lead:
    """A lead discovered by the assistant ``xieguan`` in 柏果镇 (an employer unless a place is given)."""
    by = kwargs.pop("discovered_by", personas.xieguan)
    if "place" not in kwargs and "employer" not in kwargs:
        kwargs["employer"] = employer()
    where = kwargs.get("employer")
    region = kwargs.pop("region", None) or (where.region if where else Region.objects.get(code=VILLAGE))
    kwargs.setdefault("lead_type", LeadType.ILLEGAL)
    kwargs.setdefault("source", LeadSource.DIRECT)
    kwargs.setdefault("description", "未开展职业病危害因素检测")
    return actions.discover_lead(region=region, discovered_by=by, **kwargs)


def report(lead: Lead, personas: Personas, *, at: dt.datetime | None = None, **kwargs: Any) -> Lead:
    kwargs.setdefault("agency", personas.jiandu.agency)
    return actions.report_lead(lead, by=personas.xieguan, method="system", reported_at=at, **kwargs)


def lead_in(state: State, personas: Personas, **kwargs: Any) -> Lead:
    """A lead brought to ``state`` by the officer ``jiandu`` (handling: 查处)."""
    lead = make_lead(personas, **kwargs)
    if state == State.DISCOVERED:
        return lead
    if state == State.WITHDRAWN:
        return actions.withdraw_lead(lead, by=personas.xieguan, reason="误录")
    report(lead, personas)
    if state == State.REPORTED:
        return lead
    actions.acknowledge_lead(lead, by=personas.jiandu)
    if state == State.ACKNOWLEDGED:
        return lead
    actions.set_handling(lead, by=personas.jiandu, handling=Handling.ENFORCEMENT, reason="查处")
    if state == State.HANDLING:
        return lead
    actions.record_officer_action(lead, by=personas.jiandu, action="rectify", reason="限期整改")
    actions.close_lead(lead, by=personas.jiandu, outcome="已整改")
    return lead


def assist_for(personas: Personas, **kwargs: Any) -> AssistRequest:
    lead = lead_in(State.ACKNOWLEDGED, personas, **kwargs)
    return actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, lead=lead, note="请核实")


def complaint(personas: Personas, *, by: Any = None, **kwargs: Any) -> Complaint:
    kwargs.setdefault("region", Region.objects.get(code=VILLAGE))
    kwargs.setdefault("place", "大寨村石料厂")
    kwargs.setdefault("content", "夜间排放刺鼻气体")
    kwargs.setdefault("complainant_name", "王秘密")
    kwargs.setdefault("complainant_contact", "13900001111")
    return actions.record_complaint(
        recorded_by=by or personas.xieguan,
        channel=ComplaintChannel.PHONE,
        received_at=timezone.now() - dt.timedelta(minutes=5),
        **kwargs,
    )
