"""Issue 13 item 2 and issue 14 item 2: leads that can always reach an outcome, and only the
assigned officer acts on a lead. Each test fails on the code before these rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Agency, Notification, Role
from xieguan.indicators.catalogue.reporting import Reporting
from xieguan.indicators.periods import parse_period
from xieguan.leads import actions
from xieguan.leads.actions import LeadRefused, State
from xieguan.leads.models import (
    AssistRequest,
    AssistStatus,
    EventKind,
    Handling,
    Importance,
    Lead,
    LeadStatus,
    LeadType,
)
from xieguan.leads.tests.factories import agency, assist_for, complaint, lead_in, lead_of, make_lead, report
from xieguan.lib.testing import COUNTY, PREFECTURE, TOWNSHIP, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(personas):
    """Another officer of 盘州市's supervision agency (jiandu's colleague)."""
    return UserFactory.create(
        username="jiandu_b",
        full_name="jiandu_b",
        role=Role.OFFICER,
        region_id=COUNTY,
        agency=personas.jiandu.agency,
    )


@pytest.fixture
def prefecture_officer(personas):
    """An officer of the prefecture's agency: 盘州市 is in their region, but nothing was reported to them."""
    other = agency(name="六盘水市卫生健康综合监督执法支队", region_id=PREFECTURE)
    return UserFactory.create(
        username="zhidui", full_name="zhidui", role=Role.OFFICER, region_id=PREFECTURE, agency=other
    )


@pytest.fixture
def second_assistant(personas):
    return UserFactory.create(
        username="xieguan_b", full_name="xieguan_b", role=Role.ASSISTANT, region_id=TOWNSHIP
    )


# --- only the assigned officer --------------------------------------------------------------


def test_a_lead_reported_to_an_officer_is_signed_only_by_that_officer(personas, colleague):
    lead = make_lead(personas)
    report(lead, personas, officer=personas.jiandu, agency=None)
    with pytest.raises(PermissionDenied):
        actions.acknowledge_lead(lead, by=colleague)
    assert actions.allowed_steps(lead, colleague) == set()
    lead.refresh_from_db()
    assert lead.acknowledged_by is None and lead.events.count() == 2
    actions.acknowledge_lead(lead, by=personas.jiandu)
    for step in (
        lambda: actions.set_handling(lead, by=colleague, handling=Handling.ENFORCEMENT),
        lambda: actions.request_assist(by=colleague, assistant=personas.xieguan, lead=lead),
    ):
        with pytest.raises(PermissionDenied):
            step()


def test_a_lead_reported_to_an_agency_is_for_its_officers_only(personas, colleague, prefecture_officer):
    lead = lead_in(State.REPORTED, personas)  # to 盘州市's agency
    assert lead.is_assigned_to(colleague) and lead.is_assigned_to(personas.jiandu)
    assert not lead.is_assigned_to(prefecture_officer)
    with pytest.raises(PermissionDenied):
        actions.acknowledge_lead(lead, by=prefecture_officer)
    actions.acknowledge_lead(lead, by=colleague)
    # signed for: the colleague handles it now, and only they (jiandu no longer)
    assert lead.is_assigned_to(colleague) and not lead.is_assigned_to(personas.jiandu)
    with pytest.raises(PermissionDenied):
        actions.set_handling(lead, by=personas.jiandu, handling=Handling.ENFORCEMENT)
    actions.set_handling(lead, by=colleague, handling=Handling.NO_ACTION, reason="不属实")
    with pytest.raises(PermissionDenied):
        actions.close_lead(lead, by=personas.jiandu, outcome="x")
    actions.close_lead(lead, by=colleague, outcome="核实不属实")
    assert lead.status == LeadStatus.CLOSED


def test_a_non_assigned_officer_gets_404_on_the_actions_and_never_sees_the_complainant(
    personas, client_for, colleague
):
    item = complaint(personas)
    lead = lead_of(item)
    report(lead, personas, officer=personas.jiandu, agency=None)
    from django.test import Client

    other = Client()
    other.force_login(colleague)
    for name in ("acknowledge", "request_assist", "handling", "officer_action", "close", "regrade"):
        url = reverse(f"leads:{name}", args=[lead.pk])
        assert other.post(url, {"note": "x", "outcome": "x"}).status_code == 404, name
        if name != "acknowledge":
            assert other.get(url).status_code == 404, name
    body = other.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "王秘密" not in body and "13900001111" not in body
    assert reverse("leads:acknowledge", args=[lead.pk]) not in body
    lead.refresh_from_db()
    assert lead.acknowledged_by is None
    # the officer it was reported to signs for it and sees the complainant
    assert client_for("jiandu").post(reverse("leads:acknowledge", args=[lead.pk])).status_code == 302
    assert "王秘密" in client_for("jiandu").get(reverse("leads:detail", args=[lead.pk])).content.decode()


def test_report_answers_the_same_for_not_an_officer_and_an_officer_elsewhere(personas, client_for):
    lead = make_lead(personas)
    url = f"/api/v1/leads/{lead.pk}/report"
    client = client_for("xieguan")
    answers = set()
    for officer_id in (personas.panzhou.pk, personas.jiandu2.pk, 999999):
        response = client.post(
            url, {"method": "system", "officer_id": officer_id}, content_type="application/json"
        )
        assert response.status_code == 400
        answers.add(response.json()["detail"])
    assert answers == {"所选人员不是负责该地区的监督执法人员。"}
    answers = set()
    for agency_id in (personas.jiandu2.agency.pk, 999999):
        response = client.post(
            url, {"method": "system", "agency_id": agency_id}, content_type="application/json"
        )
        assert response.status_code == 400
        answers.add(response.json()["detail"])
    assert answers == {"所选机构不是负责该地区的卫生健康监督机构。"}
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISCOVERED


# --- the administration department -------------------------------------------------------------


def test_a_poisoning_is_reported_to_the_administration_as_well(personas, client_for):
    dept = agency(name="盘州市卫生健康局", kind=Agency.Kind.ADMINISTRATION, region_id=COUNTY)
    lead = make_lead(personas, lead_type=LeadType.POISONING)
    report(lead, personas, administration=dept)
    lead.refresh_from_db()
    assert lead.reported_to_administration == dept and lead.reported_to_agency == personas.jiandu.agency
    assert "同时报告盘州市卫生健康局" in lead.events.get(kind=EventKind.REPORTED).note
    assert Notification.objects.filter(
        recipient=personas.panzhou, key=f"lead-administration:{lead.pk}"
    ).exists()
    page = client_for("panzhou").get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="reported-administration"' in page and "盘州市卫生健康局" in page


def test_the_administration_is_only_for_patients_and_poisonings_and_above_the_lead(personas):
    dept = agency(name="盘州市卫生健康局", kind=Agency.Kind.ADMINISTRATION, region_id=COUNTY)
    elsewhere = agency(name="六枝特区卫生健康局", kind=Agency.Kind.ADMINISTRATION, region_id="520203")
    ordinary = make_lead(personas)
    with pytest.raises(LeadRefused, match="只有可疑职业病人和职业中毒事故"):
        report(ordinary, personas, administration=dept)
    patient = make_lead(personas, lead_type=LeadType.SUSPECTED_PATIENT)
    for wrong in (elsewhere, personas.jiandu.agency):
        with pytest.raises(LeadRefused, match="不是该地区的上级卫生健康行政部门"):
            report(patient, personas, administration=wrong)
    assert Lead.objects.filter(status=LeadStatus.REPORTED).count() == 0


def test_the_report_form_offers_the_administration_for_a_patient(personas, client_for):
    dept = agency(name="盘州市卫生健康局", kind=Agency.Kind.ADMINISTRATION, region_id=COUNTY)
    patient = make_lead(personas, lead_type=LeadType.SUSPECTED_PATIENT)
    ordinary = make_lead(personas)
    client = client_for("xieguan")
    assert "盘州市卫生健康局" in client.get(reverse("leads:report", args=[patient.pk])).content.decode()
    assert (
        "同时报告卫生健康行政部门"
        not in client.get(reverse("leads:report", args=[ordinary.pk])).content.decode()
    )
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("leads:report", args=[patient.pk]),
        {
            "target": f"agency:{personas.jiandu.agency.pk}",
            "method": "system",
            "reported_at": now,
            "administration": dept.pk,
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.reported_to_administration == dept


# --- withdrawal -------------------------------------------------------------------------------


def test_a_withdrawn_lead_leaves_the_reporting_rate_denominator_and_stays_in_history(personas):
    period = parse_period(str(timezone.localdate().year))
    rate = Reporting()
    make_lead(personas)
    wrong = make_lead(personas, description="误录的线索")
    reported = lead_in(State.REPORTED, personas)
    assert rate.total(COUNTY, period).denominator == 3
    actions.withdraw_lead(wrong, by=personas.xieguan, reason="重复录入")
    actions.withdraw_lead(reported, by=personas.panzhou, reason="地点录错")
    counts = rate.total(COUNTY, period)
    assert (counts.denominator, counts.numerator) == (1, 0)
    wrong.refresh_from_db()
    assert wrong.status == LeadStatus.WITHDRAWN and wrong.withdrawal_reason == "重复录入"
    assert list(wrong.events.values_list("kind", flat=True)) == [EventKind.DISCOVERED, EventKind.WITHDRAWN]
    assert Lead.objects.within(COUNTY).count() == 3  # kept
    # a withdrawn lead is never overdue nor waiting to be reported
    Lead.objects.filter(pk=wrong.pk).update(report_due_at=timezone.now() - dt.timedelta(days=1))
    assert not Lead.objects.overdue_unreported().filter(pk=wrong.pk).exists()
    assert not Lead.objects.overdue().filter(pk=wrong.pk).exists()
    assert not Lead.objects.unreported().filter(pk=wrong.pk).exists()


def test_withdrawal_needs_a_reason_and_is_refused_once_signed_for(personas):
    lead = make_lead(personas)
    with pytest.raises(LeadRefused, match="请填写撤回原因"):
        actions.withdraw_lead(lead, by=personas.xieguan, reason="  ")
    signed = lead_in(State.ACKNOWLEDGED, personas)
    with pytest.raises(LeadRefused, match="不能撤回"):
        actions.withdraw_lead(signed, by=personas.xieguan, reason="误录")
    with pytest.raises(PermissionDenied):
        actions.withdraw_lead(lead, by=personas.jiandu, reason="误录")
    withdrawn = lead_in(State.WITHDRAWN, personas)
    with pytest.raises(LeadRefused, match="该线索已撤回，不能再报告"):
        report(withdrawn, personas)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DISCOVERED


# --- regrade ----------------------------------------------------------------------------------


def test_regrade_recomputes_the_deadline_and_keeps_the_change_on_the_timeline(personas):
    discovered = timezone.now() - dt.timedelta(hours=1)
    lead = make_lead(personas, discovered_at=discovered)
    assert lead.report_due_at == discovered + dt.timedelta(days=2)
    actions.regrade_lead(lead, by=personas.xieguan, importance=Importance.IMPORTANT, reason="工人已送医")
    lead.refresh_from_db()
    assert lead.importance == Importance.IMPORTANT
    assert lead.report_due_at == discovered + dt.timedelta(hours=2)
    event = lead.events.get(kind=EventKind.REGRADED)
    assert (
        "由“一般”调整为“重要”" in event.note and "工人已送医" in event.note and event.by == personas.xieguan
    )
    assert Notification.objects.filter(key=f"lead-important:{lead.pk}").exists()
    with pytest.raises(LeadRefused, match="无需调整"):
        actions.regrade_lead(lead, by=personas.xieguan, importance=Importance.IMPORTANT, reason="x")
    with pytest.raises(LeadRefused, match="请填写调整重要程度的理由"):
        actions.regrade_lead(lead, by=personas.xieguan, importance=Importance.NORMAL, reason="")
    closed = lead_in(State.CLOSED, personas)
    with pytest.raises(LeadRefused, match="已办结"):
        actions.regrade_lead(closed, by=personas.xieguan, importance=Importance.IMPORTANT, reason="x")


def test_only_the_assigned_officer_regrades_a_reported_lead(personas, prefecture_officer):
    lead = lead_in(State.ACKNOWLEDGED, personas)
    with pytest.raises(PermissionDenied):
        actions.regrade_lead(lead, by=prefecture_officer, importance=Importance.IMPORTANT, reason="x")
    actions.regrade_lead(lead, by=personas.jiandu, importance=Importance.IMPORTANT, reason="可能涉及中毒")
    assert Lead.objects.get(pk=lead.pk).importance == Importance.IMPORTANT


# --- 协查: cancel, reassign -----------------------------------------------------------------------


def test_a_lead_with_a_dismissed_assistants_open_assist_can_be_closed_after_reassignment(
    personas, second_assistant
):
    assist = assist_for(personas)
    lead = assist.lead
    assert lead is not None
    personas.xieguan.is_active = False  # dismissed: the account is closed
    personas.xieguan.save(update_fields=["is_active"])
    with pytest.raises(LeadRefused, match="尚有 1 项协查未完成"):
        actions.close_lead(lead, by=personas.jiandu, outcome="x")
    new = actions.reassign_assist(
        assist, by=personas.panzhou, assistant=second_assistant, reason="原协管员已解聘"
    )
    assist.refresh_from_db()
    assert assist.status == AssistStatus.CANCELLED and "改派给 xieguan_b" in assist.cancel_reason
    assert new.assistant == second_assistant and new.reassigned_from == assist and new.lead == lead
    assert Notification.objects.filter(recipient=second_assistant, key=f"assist-request:{new.pk}").exists()
    actions.record_assist(
        new, by=second_assistant, done_on=timezone.localdate(), what_done="现场核实", outcome="属实"
    )
    actions.set_handling(lead, by=personas.jiandu, handling=Handling.NO_ACTION, reason="已整改")
    actions.close_lead(lead, by=personas.jiandu, outcome="协查属实，已整改")
    assert lead.status == LeadStatus.CLOSED
    kinds = list(lead.events.values_list("kind", flat=True))
    assert EventKind.ASSIST_REASSIGNED in kinds and kinds[-1] == EventKind.CLOSED


def test_a_cancelled_assist_lets_the_lead_close(personas):
    assist = assist_for(personas)
    actions.cancel_assist(assist, by=personas.jiandu, reason="企业已停产，无法协查")
    assert assist.status == AssistStatus.CANCELLED
    lead = assist.lead
    assert lead is not None
    actions.close_lead(lead, by=personas.jiandu, outcome="企业已停产")
    assert "企业已停产，无法协查" in lead.events.get(kind=EventKind.ASSIST_CANCELLED).note


def test_cancel_and_reassign_refusals(personas, second_assistant, prefecture_officer):
    assist = assist_for(personas)
    with pytest.raises(LeadRefused, match="请填写取消协查的原因"):
        actions.cancel_assist(assist, by=personas.jiandu, reason="")
    with pytest.raises(PermissionDenied):
        actions.cancel_assist(assist, by=personas.xieguan, reason="x")
    with pytest.raises(PermissionDenied):
        actions.cancel_assist(assist, by=prefecture_officer, reason="x")
    with pytest.raises(PermissionDenied):
        actions.cancel_assist(assist, by=personas.liuzhi, reason="x")
    with pytest.raises(LeadRefused, match="请选择另一位协管员"):
        actions.reassign_assist(assist, by=personas.jiandu, assistant=personas.xieguan, reason="x")
    with pytest.raises(LeadRefused, match="不负责该地区"):
        actions.reassign_assist(assist, by=personas.jiandu, assistant=personas.xieguan2, reason="x")
    with pytest.raises(LeadRefused, match="不负责该地区"):
        actions.reassign_assist(assist, by=personas.jiandu, assistant=personas.panzhou, reason="x")
    assert AssistRequest.objects.get(pk=assist.pk).status == AssistStatus.REQUESTED
    assert AssistRequest.objects.count() == 1
    actions.record_assist(
        assist, by=personas.xieguan, done_on=timezone.localdate(), what_done="a", outcome="b"
    )
    with pytest.raises(LeadRefused, match="已完成"):
        actions.reassign_assist(assist, by=personas.jiandu, assistant=second_assistant, reason="x")


def test_the_inbox_holds_exactly_the_leads_the_officer_may_act_on(
    personas, client_for, colleague, prefecture_officer
):
    to_agency = lead_in(State.REPORTED, personas)
    to_jiandu = make_lead(personas)
    report(to_jiandu, personas, officer=personas.jiandu, agency=None)
    signed_by_colleague = lead_in(State.REPORTED, personas)
    actions.acknowledge_lead(signed_by_colleague, by=colleague)
    unreported = make_lead(personas)
    leads = [to_agency, to_jiandu, signed_by_colleague, unreported, lead_in(State.CLOSED, personas)]
    for officer in (personas.jiandu, colleague, prefecture_officer, personas.jiandu2):
        in_query = set(Lead.objects.assigned_to(officer).values_list("pk", flat=True))
        by_rule = {
            lead.pk
            for lead in Lead.objects.filter(pk__in=[x.pk for x in leads])
            if lead.is_assigned_to(officer)
        }
        assert in_query == by_rule, officer
    page = client_for("jiandu").get(reverse("leads:inbox"))
    waiting = {lead.pk for lead in page.context["page"]}
    assert to_agency.pk in waiting and to_jiandu.pk in waiting
    assert page.context["counts"]["open"] == 0  # the colleague's signed lead is theirs, not jiandu's
