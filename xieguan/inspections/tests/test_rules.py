"""Issue 13 item 3: inspections record only what can be true, and a finding can be marked 重要.

- submitting over a draft made with another template version is refused;
- a new draft uses the active template only;
- a closed employer cannot be inspected (also an offline record arriving after the closure);
- an amendment that turns a finding back withdraws or flags its lead, on the lead's timeline;
- the assistant marks a finding important; suspected patients and poisonings are important by default.
"""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.employers.models import OperatingStatus
from xieguan.inspections import actions
from xieguan.inspections.actions import AnswerData, InspectionError, ItemData
from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionAnswer
from xieguan.inspections.tests.factories import ANSWERS, api_payload, payload
from xieguan.leads import actions as leads
from xieguan.leads.models import EventKind, Importance, Lead, LeadStatus

pytestmark = pytest.mark.django_db


def revised(template: ChecklistTemplate, by) -> ChecklistTemplate:
    """A second version of 附表1 with an item 8 about suspected occupational-disease patients."""
    items = [
        ItemData(i.number, i.wording, i.kind, i.na_rule, i.lead_type)
        for i in template.items.order_by("number")
    ]
    items.append(ItemData(8, "发现疑似职业病人情况", "lead", "never", "suspected_patient"))
    return actions.revise_template(template, by, name=template.name, description="", items=items)


def close(employer) -> None:
    employer.status = OperatingStatus.CLOSED
    employer.closed_reason = "企业注销"
    employer.closed_on = timezone.localdate()  # as employers.actions.close_employer keeps it
    employer.save(update_fields=["status", "closed_reason", "closed_on"])


# --- template versions --------------------------------------------------------------------------


def test_submitting_over_a_draft_of_another_template_version_is_refused(personas, fubiao1, employer):
    draft = actions.save_draft(personas.xieguan, payload(employer, fubiao1, answers={1: "yes"}))
    v2 = revised(fubiao1, personas.sheng)
    data = payload(employer, v2, answers={**ANSWERS, 8: "no"}, id=draft.pk)
    with pytest.raises(InspectionError) as info:
        actions.submit_inspection(personas.xieguan, data)
    message = info.value.messages[0]
    assert "第1版" in message and "第2版" in message and "新建巡查" in message
    draft.refresh_from_db()
    assert draft.template == fubiao1 and not draft.is_submitted and not Lead.objects.exists()
    with pytest.raises(InspectionError, match="不能合并保存"):
        actions.save_draft(personas.xieguan, data)
    # the same draft completed with its own version is still accepted
    result = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, id=draft.pk))
    assert result.inspection.is_submitted and result.inspection.template == fubiao1


def test_a_new_draft_uses_the_active_template_only(personas, fubiao1, employer, client_for):
    v2 = revised(fubiao1, personas.sheng)
    # the province's own v2 is in force there; the national v1 stays the national default
    assert v2.province_id == "52" and ChecklistTemplate.active("52") == v2
    assert not ChecklistTemplate.objects.get(pk=fubiao1.pk).is_active_in("52")
    fubiao1.refresh_from_db()
    with pytest.raises(InspectionError, match="已停用") as info:
        actions.save_draft(personas.xieguan, payload(employer, fubiao1, answers={1: "yes"}))
    assert str(v2) in info.value.messages[0]
    assert not Inspection.objects.exists()
    # the API answers 422 with the message
    body = api_payload(employer, fubiao1, answers={1: "yes"})
    response = client_for("xieguan").put(
        f"/api/v1/inspections/{body['id']}/draft", body, content_type="application/json"
    )
    assert response.status_code == 422 and "已停用" in response.json()["problems"][0]
    assert actions.save_draft(personas.xieguan, payload(employer, v2, answers={1: "yes"})).template == v2


# --- closed employers ---------------------------------------------------------------------------


def test_a_closed_employer_cannot_be_inspected(personas, fubiao1, employer, client_for):
    close(employer)
    with pytest.raises(InspectionError, match="已在台账中登记为关闭（企业注销）"):
        actions.submit_inspection(personas.xieguan, payload(employer, fubiao1))
    with pytest.raises(InspectionError, match="不能再巡查"):
        actions.save_draft(personas.xieguan, payload(employer, fubiao1, answers={1: "yes"}))
    assert not Inspection.objects.exists() and not Lead.objects.exists()


def test_an_offline_submission_arriving_after_the_closure_is_refused_clearly(
    personas, fubiao1, employer, client_for
):
    body = api_payload(employer, fubiao1, inspected_at=(timezone.now() - dt.timedelta(days=2)).isoformat())
    close(employer)  # closed in the ledger while the phone was offline
    response = client_for("xieguan").post("/api/v1/inspections/submit", body, content_type="application/json")
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert "关闭前离线保存" in problem and "联系县(区)管理员" in problem
    assert not Inspection.objects.exists()


def test_a_submitted_inspection_resent_after_the_closure_still_gets_its_result(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    first = actions.submit_inspection(personas.xieguan, data)
    close(employer)
    again = actions.submit_inspection(personas.xieguan, data)
    assert not again.created and again.inspection.pk == first.inspection.pk


# --- amendments turning a finding back ----------------------------------------------------------


def amend(inspection, user, answers, reason="核对资料后更正"):
    data = payload(inspection.employer, inspection.template, answers=answers, id=inspection.pk)
    return actions.amend_inspection(inspection, user, data, reason)


def test_an_amendment_turning_a_finding_back_withdraws_its_unreported_lead(personas, fubiao1, employer):
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection
    lead = Lead.objects.get(inspection_answer__item__number=3)
    amend(inspection, personas.xieguan, {**ANSWERS, 3: "yes"}, reason="检测报告找到了")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WITHDRAWN
    event = lead.events.get(kind=EventKind.WITHDRAWN)
    assert "第3项由“无”改为“有”" in event.note and "检测报告找到了" in event.note
    # the other finding's lead is untouched
    assert Lead.objects.get(inspection_answer__item__number=6).status == LeadStatus.DISCOVERED


def test_an_amendment_flags_a_lead_already_with_the_officer(personas, fubiao1, employer, client_for):
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection
    lead = Lead.objects.get(inspection_answer__item__number=3)
    leads.report_lead(lead, by=personas.xieguan, method="system", agency=personas.jiandu.agency)
    leads.acknowledge_lead(lead, by=personas.jiandu)
    amend(inspection, personas.panzhou, {**ANSWERS, 3: "yes"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REPORTED  # the officer decides
    event = lead.events.get(kind=EventKind.FINDING_AMENDED)
    assert "第3项由“无”改为“有”" in event.note and event.by == personas.panzhou
    page = client_for("jiandu").get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="finding-retracted"' in page and "巡查修订" in page


# --- importance of a finding --------------------------------------------------------------------


def test_the_assistant_marks_a_finding_important(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    data.answers = [
        AnswerData(n, a, "", important=(n == 6)) for n, a in ANSWERS.items()
    ]  # item 6 (工作场所异常) marked 重要
    result = actions.submit_inspection(personas.xieguan, data)
    by_item = {
        lead.inspection_answer.item.number: lead
        for lead in Lead.objects.select_related("inspection_answer__item")
        if lead.inspection_answer is not None
    }
    assert by_item[6].importance == Importance.IMPORTANT
    assert by_item[6].report_due_at == by_item[6].discovered_at + dt.timedelta(hours=2)
    assert by_item[3].importance == Importance.NORMAL
    assert InspectionAnswer.objects.get(inspection=result.inspection, item__number=6).important


def test_a_suspected_patient_finding_is_important_by_default(personas, fubiao1, employer):
    v2 = revised(fubiao1, personas.sheng)
    actions.submit_inspection(personas.xieguan, payload(employer, v2, answers={**ANSWERS, 8: "yes"}))
    lead = Lead.objects.get(inspection_answer__item__number=8)
    assert lead.lead_type == "suspected_patient" and lead.importance == Importance.IMPORTANT
    # and the assistant may say otherwise
    data = payload(employer, v2, answers={**ANSWERS, 8: "yes"}, id=uuid.uuid4())
    data.answers = [
        AnswerData(n, a, "", important=False if n == 8 else None) for n, a in {**ANSWERS, 8: "yes"}.items()
    ]
    result = actions.submit_inspection(personas.xieguan, data)
    assert (
        Lead.objects.get(inspection=result.inspection, inspection_answer__item__number=8).importance
        == "normal"
    )


def test_the_api_carries_the_mark_into_the_lead_and_back(personas, fubiao1, employer, client_for):
    body = api_payload(employer, fubiao1)
    for answer in body["answers"]:
        answer["important"] = answer["number"] == 3
    response = client_for("xieguan").post("/api/v1/inspections/submit", body, content_type="application/json")
    assert response.status_code == 201
    answers = {a["number"]: a for a in response.json()["inspection"]["answers"]}
    assert answers[3]["important"] is True and answers[6]["important"] is False
    assert Lead.objects.get(inspection_answer__item__number=3).importance == Importance.IMPORTANT


def test_the_form_offers_the_mark_checked_by_default_for_patients(personas, fubiao1, employer, client_for):
    revised(fubiao1, personas.sheng)
    body = client_for("xieguan").get(reverse("inspections:new", args=[employer.pk])).content.decode()
    assert 'name="important_6"' in body and 'name="important_8"' in body
    assert 'id="imp8" data-default="1" checked' in body and 'id="imp6" data-default="" checked' not in body
