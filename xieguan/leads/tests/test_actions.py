"""Every transition of the life cycle, and every refused one (nothing half-saved)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from xieguan.leads import actions
from xieguan.leads.actions import TRANSITIONS, LeadRefused, State, Step
from xieguan.leads.models import (
    AssistStatus,
    EventKind,
    Handling,
    Importance,
    Lead,
    LeadStatus,
    LeadType,
    OfficerAction,
    ReportingPolicy,
)
from xieguan.leads.tests.factories import agency, assist_for, employer, lead_in, lead_of, make_lead, report
from xieguan.lib.testing import OTHER_COUNTY

pytestmark = pytest.mark.django_db


def take(step, lead, p):
    """Take ``step`` on ``lead`` as the right role, with valid input."""
    if step == Step.REPORT:
        return report(lead, p)
    if step == Step.ACKNOWLEDGE:
        return actions.acknowledge_lead(lead, by=p.jiandu)
    if step == Step.REQUEST_ASSIST:
        return actions.request_assist(by=p.jiandu, assistant=p.xieguan, lead=lead)
    if step == Step.SET_HANDLING:
        return actions.set_handling(lead, by=p.jiandu, handling=Handling.ENFORCEMENT)
    if step == Step.OFFICER_ACTION:
        return actions.record_officer_action(lead, by=p.jiandu, action=OfficerAction.FILED)
    if step == Step.WITHDRAW:
        return actions.withdraw_lead(lead, by=p.xieguan, reason="误录")
    if step == Step.REGRADE:
        other = Importance.NORMAL if lead.importance == Importance.IMPORTANT else Importance.IMPORTANT
        return actions.regrade_lead(lead, by=p.xieguan, importance=other, reason="核实后调整")
    return actions.close_lead(lead, by=p.jiandu, outcome="处罚到位")


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("step", list(Step))
def test_transition_table(personas, state, step):
    lead = lead_in(state, personas)
    if state == State.HANDLING and step == Step.CLOSE:
        actions.record_officer_action(lead, by=personas.jiandu, action=OfficerAction.PENALTY)
    before = (lead.events.count(), Lead.objects.filter(pk=lead.pk).values().get())
    allowed = state in TRANSITIONS[step].sources
    if allowed:
        take(step, lead, personas)
        assert lead.events.count() > before[0]
    else:
        with pytest.raises(LeadRefused) as info:
            take(step, lead, personas)
        message = " ".join(info.value.messages)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # a Chinese message
        assert (lead.events.count(), Lead.objects.filter(pk=lead.pk).values().get()) == before


def test_refusal_messages_say_what_to_do_first(personas):
    lead = lead_in(State.DISCOVERED, personas)
    assert actions.refusal(Step.ACKNOWLEDGE, lead) == "该线索尚未报告，不能签收。"
    report(lead, personas)
    assert actions.refusal(Step.REPORT, lead) == "该线索已报告，不能重复报告。"
    assert actions.refusal(Step.REQUEST_ASSIST, lead) == "请先签收该线索，再发起协查。"
    closed = lead_in(State.CLOSED, personas)
    assert actions.refusal(Step.CLOSE, closed) == "该线索已办结，不能再办结。"


def test_the_whole_life_with_assist(personas):
    lead = make_lead(personas, importance=Importance.IMPORTANT)
    report(lead, personas, officer=personas.jiandu, agency=None)
    assert lead.status == LeadStatus.REPORTED and lead.reported_to_agency == personas.jiandu.agency
    actions.acknowledge_lead(lead, by=personas.jiandu)
    assist = actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, lead=lead, note="核实")
    assert lead.status == LeadStatus.HANDLING and lead.handling == Handling.ASSIST
    with pytest.raises(LeadRefused, match="尚有 1 项协查未完成"):
        actions.close_lead(lead, by=personas.jiandu, outcome="x")
    actions.record_assist(
        assist, by=personas.xieguan, done_on=timezone.localdate(), what_done="现场查看", outcome="属实"
    )
    assert assist.status == AssistStatus.DONE
    actions.close_lead(lead, by=personas.jiandu, outcome="移交立案")
    kinds = list(lead.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.DISCOVERED,
        EventKind.REPORTED,
        EventKind.ACKNOWLEDGED,
        EventKind.ASSIST_REQUESTED,
        EventKind.ASSIST_RECORDED,
        EventKind.CLOSED,
    ]
    assert [e.by.username for e in lead.events.all()] == [
        "xieguan",
        "xieguan",
        "jiandu",
        "jiandu",
        "xieguan",
        "jiandu",
    ]


def test_wrong_role_is_permission_denied(personas):
    lead = lead_in(State.DISCOVERED, personas)
    with pytest.raises(PermissionDenied):
        actions.report_lead(lead, by=personas.jiandu, method="system", agency=personas.jiandu.agency)
    report(lead, personas)
    for user in (personas.xieguan, personas.panzhou, personas.sheng):
        with pytest.raises(PermissionDenied):
            actions.acknowledge_lead(lead, by=user)


def test_other_county_officer_is_refused(personas):
    lead = lead_in(State.REPORTED, personas)
    with pytest.raises(PermissionDenied):
        actions.acknowledge_lead(lead, by=personas.jiandu2)


def test_report_target_must_be_a_supervision_agency_over_the_lead(personas):
    lead = lead_in(State.DISCOVERED, personas)
    other = agency(name="六枝特区卫生健康综合监督执法大队", region_id=OTHER_COUNTY)
    with pytest.raises(LeadRefused, match="不是负责该地区"):
        actions.report_lead(lead, by=personas.xieguan, method="system", agency=other)
    admin = agency(name="盘州市卫生健康局", kind="administration")
    with pytest.raises(LeadRefused, match="不是负责该地区"):
        actions.report_lead(lead, by=personas.xieguan, method="system", agency=admin)
    with pytest.raises(LeadRefused, match="不是负责该地区的监督执法人员"):
        actions.report_lead(lead, by=personas.xieguan, method="phone", officer=personas.jiandu2)
    with pytest.raises(LeadRefused, match="请选择报告的监督机构"):
        actions.report_lead(lead, by=personas.xieguan, method="phone")
    with pytest.raises(LeadRefused, match="报告方式"):
        actions.report_lead(lead, by=personas.xieguan, method="fax", agency=personas.jiandu.agency)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISCOVERED and lead.events.count() == 1


def test_report_time_between_discovery_and_now(personas):
    lead = make_lead(personas, discovered_at=timezone.now() - dt.timedelta(hours=3))
    with pytest.raises(LeadRefused, match="不能早于发现时间"):
        report(lead, personas, at=lead.discovered_at - dt.timedelta(minutes=1))
    with pytest.raises(LeadRefused, match="不能晚于现在"):
        report(lead, personas, at=timezone.now() + dt.timedelta(minutes=5))
    when = lead.discovered_at + dt.timedelta(hours=1)
    report(lead, personas, at=when)
    lead.refresh_from_db()
    assert lead.reported_at == when and lead.events.get(kind=EventKind.REPORTED).at == when


def test_handling_and_action_reasons(personas):
    lead = lead_in(State.ACKNOWLEDGED, personas)
    with pytest.raises(LeadRefused, match=r"无需处理.*理由"):
        actions.set_handling(lead, by=personas.jiandu, handling=Handling.NO_ACTION)
    with pytest.raises(LeadRefused, match="发起协查"):
        actions.set_handling(lead, by=personas.jiandu, handling=Handling.ASSIST)
    actions.set_handling(lead, by=personas.jiandu, handling=Handling.NO_ACTION, reason="已自行整改")
    with pytest.raises(LeadRefused, match="无需处理"):
        actions.record_officer_action(lead, by=personas.jiandu, action=OfficerAction.FILED)
    actions.close_lead(lead, by=personas.jiandu, outcome="无需处理，已办结")
    assert lead.status == LeadStatus.CLOSED

    other = lead_in(State.HANDLING, personas)
    with pytest.raises(LeadRefused, match=r"不予处理.*理由"):
        actions.record_officer_action(other, by=personas.jiandu, action=OfficerAction.NO_ACTION)
    with pytest.raises(LeadRefused, match="须先记录执法处理"):
        actions.close_lead(other, by=personas.jiandu, outcome="x")
    with pytest.raises(LeadRefused, match="办结结果"):
        actions.close_lead(other, by=personas.jiandu, outcome="  ")
    actions.record_officer_action(
        other, by=personas.jiandu, action=OfficerAction.NO_ACTION, reason="证据不足"
    )
    assert other.officer_action_reason == "证据不足"


def test_request_assist_checks_the_assistant_and_date(personas):
    lead = lead_in(State.ACKNOWLEDGED, personas)
    with pytest.raises(LeadRefused, match="不负责该地区"):
        actions.request_assist(by=personas.jiandu, assistant=personas.xieguan2, lead=lead)
    with pytest.raises(LeadRefused, match="不负责该地区"):
        actions.request_assist(by=personas.jiandu, assistant=personas.panzhou, lead=lead)
    with pytest.raises(LeadRefused, match="不能早于今天"):
        actions.request_assist(
            by=personas.jiandu,
            assistant=personas.xieguan,
            lead=lead,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        actions.request_assist(by=personas.panzhou, assistant=personas.xieguan, lead=lead)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REPORTED and not lead.assists.exists()


def test_assist_for_an_employer_without_a_lead(personas):
    place = employer()
    assist = actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, employer=place)
    assert assist.lead is None and assist.region_id == place.region_id
    actions.record_assist(
        assist, by=personas.xieguan, done_on=timezone.localdate(), what_done="陪同检查", outcome="完成"
    )
    with pytest.raises(PermissionDenied):
        actions.request_assist(by=personas.jiandu2, assistant=personas.xieguan2, employer=place)


def test_record_assist_refusals(personas):
    assist = assist_for(personas)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        actions.record_assist(assist, by=personas.xieguan2, done_on=today, what_done="x", outcome="y")
    with pytest.raises(PermissionDenied):
        actions.record_assist(assist, by=personas.jiandu, done_on=today, what_done="x", outcome="y")
    with pytest.raises(LeadRefused, match="不能晚于今天"):
        actions.record_assist(
            assist, by=personas.xieguan, done_on=today + dt.timedelta(days=1), what_done="x", outcome="y"
        )
    with pytest.raises(LeadRefused, match="不能早于提出协查的日期"):
        actions.record_assist(
            assist, by=personas.xieguan, done_on=today - dt.timedelta(days=1), what_done="x", outcome="y"
        )
    with pytest.raises(LeadRefused, match="协查情况"):
        actions.record_assist(assist, by=personas.xieguan, done_on=today, what_done=" ", outcome="y")
    assist.refresh_from_db()
    assert assist.status == AssistStatus.REQUESTED
    actions.record_assist(assist, by=personas.xieguan, done_on=today, what_done="x", outcome="y")
    with pytest.raises(LeadRefused, match="不能重复记录"):
        actions.record_assist(assist, by=personas.xieguan, done_on=today, what_done="x", outcome="y")


def test_discover_defaults_and_validation(personas):
    patient = make_lead(personas, lead_type=LeadType.SUSPECTED_PATIENT)
    poisoning = make_lead(personas, lead_type=LeadType.POISONING)
    ordinary = make_lead(personas, lead_type=LeadType.ABNORMAL, abnormal_kind="dust")
    assert patient.importance == poisoning.importance == Importance.IMPORTANT
    assert ordinary.importance == Importance.NORMAL
    assert patient.report_due_at - patient.discovered_at == dt.timedelta(hours=2)
    assert ordinary.report_due_at - ordinary.discovered_at == dt.timedelta(days=2)
    with pytest.raises(LeadRefused, match="异常类别"):
        make_lead(personas, lead_type=LeadType.ILLEGAL, abnormal_kind="dust")
    with pytest.raises(LeadRefused, match="信息内容"):
        make_lead(personas, description="  ")
    with pytest.raises(LeadRefused, match="地点"):
        make_lead(personas, employer=None, place="")
    with pytest.raises(LeadRefused, match="信息类别"):
        make_lead(personas, lead_type="rumour")


def test_policy_sets_the_deadlines(personas):
    ReportingPolicy.objects.create(important_hours=1, normal_days=3)
    important = make_lead(personas, importance=Importance.IMPORTANT)
    ordinary = make_lead(personas)
    assert important.report_due_at - important.discovered_at == dt.timedelta(hours=1)
    assert ordinary.report_due_at - ordinary.discovered_at == dt.timedelta(days=3)


def test_complaint_becomes_a_lead(personas):
    from xieguan.leads.tests.factories import complaint

    item = complaint(personas)
    lead = lead_of(item)
    assert lead.lead_type == LeadType.COMPLAINT and lead.source == "complaint"
    assert lead.discovered_at == item.received_at and lead.description == item.content
    with pytest.raises(LeadRefused, match="匿名举报"):
        complaint(personas, anonymous=True)
    with pytest.raises(PermissionDenied):
        complaint(personas, by=personas.jiandu)
    with pytest.raises(PermissionDenied):
        complaint(personas, by=personas.xieguan2)


def test_allowed_steps_follow_role_and_scope(personas):
    lead = lead_in(State.REPORTED, personas)
    assert actions.allowed_steps(lead, personas.jiandu) == {Step.ACKNOWLEDGE, Step.REGRADE}
    assert actions.allowed_steps(lead, personas.jiandu2) == set()
    assert actions.allowed_steps(lead, personas.xieguan) == {Step.WITHDRAW, Step.REGRADE}
    fresh = lead_in(State.DISCOVERED, personas)
    assert actions.allowed_steps(fresh, personas.xieguan) == {Step.REPORT, Step.WITHDRAW, Step.REGRADE}
    assert actions.allowed_steps(fresh, personas.panzhou) == {Step.REPORT, Step.WITHDRAW, Step.REGRADE}
    assert actions.allowed_steps(fresh, personas.xieguan2) == set()


def test_policy_is_edited_in_admin_by_the_province_only(personas, client_for):
    personas.sheng.is_superuser = True  # as ``bootstrap`` makes the province admin
    personas.sheng.save()
    ReportingPolicy.objects.create()  # the national default does not stop the province's own row
    assert client_for("sheng").get("/admin/leads/reportingpolicy/add/").status_code == 200
    ReportingPolicy.objects.create(province_id="52")
    assert client_for("sheng").get("/admin/leads/reportingpolicy/add/").status_code == 403  # one per province
    assert client_for("panzhou").get("/admin/leads/reportingpolicy/").status_code == 404
