"""Dismissal (解聘, 第十二条): one atomic action; access ends; the county sees what has nobody now."""

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionStatus
from xieguan.leads.actions import discover_lead
from xieguan.leads.models import AssistRequest, LeadSource, LeadStatus, LeadType
from xieguan.lib.testing import PASSWORD, EmployerFactory
from xieguan.personnel import actions
from xieguan.personnel.aftermath import uncovered_employers
from xieguan.personnel.models import AssistantStatus, Dismissal, DismissalGround, Reward, RewardGround
from xieguan.personnel.rules import default_term_end
from xieguan.personnel.tests.factories import AssistantFactory, passed_pre_job
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def left(world, personas):
    """王芳's township has two employers; she discovered two leads (one closed), has an open 协查
    and a draft inspection."""
    user = personas.xieguan
    e1, e2 = (
        EmployerFactory.create(name="甲煤矿"),
        EmployerFactory.create(name="乙建材厂", region_id="520281117002"),
    )
    open_lead = discover_lead(
        region=e1.region,
        lead_type=LeadType.ABNORMAL,
        source=LeadSource.DIRECT,
        description="粉尘超标",
        discovered_by=user,
        employer=e1,
    )
    closed = discover_lead(
        region=e1.region,
        lead_type=LeadType.ILLEGAL,
        source=LeadSource.DIRECT,
        description="已处理",
        discovered_by=user,
        employer=e1,
    )
    closed.status = LeadStatus.CLOSED
    closed.save()
    AssistRequest.objects.create(
        region_id="520281117", employer=e2, requested_by=personas.jiandu, assistant=user
    )
    template = ChecklistTemplate.objects.create(code="fb1", name="附表1", builtin=True, is_active=True)
    draft = Inspection.objects.create(
        template=template,
        employer=e2,
        region=e2.region,
        assistant=user,
        employer_name=e2.name,
        status=InspectionStatus.DRAFT,
    )
    return {**world, "e1": e1, "e2": e2, "open_lead": open_lead, "closed": closed, "draft": draft}


def dismiss(left, by, **overrides):
    data: dict[str, Any] = {
        "ground": DismissalGround.TRANSFERRED,
        "dismissed_on": timezone.localdate(),
        "document_no": "盘卫健解〔2026〕1号",
        "note": "",
    }
    return actions.dismiss_assistant(left["appointed"], by=by, **(data | overrides))


def test_dismissal_disables_the_account_and_lists_what_has_nobody(client, left, personas):
    after = dismiss(left, personas.panzhou)
    a = left["appointed"]
    a.refresh_from_db()
    personas.xieguan.refresh_from_db()
    assert a.status == AssistantStatus.DISMISSED
    assert not personas.xieguan.is_active
    assert personas.xieguan.access_until == timezone.localdate() - dt.timedelta(days=1)
    assert {e.name for e in after.employers} == {"甲煤矿", "乙建材厂"}
    assert list(after.leads) == [left["open_lead"]]
    assert after.assists.count() == 1
    assert list(after.drafts) == [left["draft"]]
    left["draft"].refresh_from_db()
    assert left["draft"].status == InspectionStatus.DRAFT  # kept for the county
    response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_logged_in_assistant_is_cut_off_at_once(client_for, left, personas):
    client = client_for("xieguan")
    assert client.get(reverse("accounts:home")).status_code == 200
    dismiss(left, personas.panzhou)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_active_assistant_in_the_township_covers_the_employers(left, personas):
    colleague = AssistantFactory.create(eligible=True)
    passed_pre_job(colleague)
    today = timezone.localdate()
    actions.appoint_assistant(
        colleague, start=today, end=default_term_end(today), document_no="", by=personas.panzhou
    )
    after = dismiss(left, personas.panzhou)
    assert not after.employers.exists()
    # a village-bound colleague (乡聘村用) covers only their village
    colleague.villages.set(Region.objects.filter(code="520281117002"))
    assert {e.name for e in uncovered_employers("520281117")} == {"甲煤矿"}


def test_dismissal_is_atomic(left, personas):
    boom = mock.patch("xieguan.personnel.aftermath.aftermath_of", side_effect=RuntimeError("boom"))
    with boom, pytest.raises(RuntimeError):
        dismiss(left, personas.panzhou)
    a = left["appointed"]
    a.refresh_from_db()
    personas.xieguan.refresh_from_db()
    assert a.status == AssistantStatus.APPOINTED
    assert not Dismissal.objects.exists()
    assert personas.xieguan.is_active and personas.xieguan.term_is_current()


def test_dismissal_rules(left, personas):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        dismiss(left, personas.panzhou, dismissed_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="不能早于首次聘任日期"):
        dismiss(left, personas.panzhou, dismissed_on=timezone.localdate() - dt.timedelta(days=1000))
    with pytest.raises(ValidationError, match="请填写解聘文号"):
        dismiss(left, personas.panzhou, document_no=" ")
    with pytest.raises(ValidationError, match="尚未聘任"):
        actions.dismiss_assistant(
            left["candidate"],
            ground=DismissalGround.HEALTH,
            dismissed_on=timezone.localdate(),
            document_no="1",
            note="",
            by=personas.panzhou,
        )
    dismiss(left, personas.panzhou)
    with pytest.raises(ValidationError, match="已解聘"):
        dismiss(left, personas.panzhou)
    with pytest.raises(ValidationError, match="已解聘"):
        actions.renew_appointment(
            left["appointed"], end=timezone.localdate(), document_no="", by=personas.panzhou
        )
    with pytest.raises(ValidationError, match="已解聘"):
        actions.appoint_assistant(
            left["appointed"],
            start=timezone.localdate(),
            end=timezone.localdate(),
            document_no="",
            by=personas.panzhou,
        )
    # the stored and the derived status agree; expireterms leaves the dismissed alone
    assert actions.expire_terms() == 0


def test_dismiss_page_then_aftermath_and_worklist(client_for, left, personas):
    client = client_for("panzhou")
    response = client.post(
        reverse("personnel:dismiss", args=[left["appointed"].pk]),
        {"ground": "retirement", "dismissed_on": timezone.localdate().isoformat(), "document_no": "解1号"},
    )
    assert response.status_code == 302 and response["Location"].endswith("/aftermath/")
    body = client.get(response["Location"]).content.decode()
    assert "甲煤矿" in body and "粉尘超标" in body and "已处理" not in body
    home = client.get(reverse("accounts:home")).content.decode()
    assert "解聘后待交接的线索和协查" in home and "粉尘超标" in home
    # the other county sees nothing of it
    assert (
        client_for("liuzhi").get(reverse("personnel:aftermath", args=[left["appointed"].pk])).status_code
        == 404
    )
    assert "解聘后待交接" not in client_for("liuzhi").get(reverse("accounts:home")).content.decode()


def test_rewards(client_for, world, personas):
    client = client_for("panzhou")
    target = reverse("personnel:reward", args=[world["appointed"].pk])
    response = client.post(target, {"ground": "dedicated", "description": " ", "awarded_on": "2026-01-02"})
    assert response.status_code == 200
    response = client.post(
        target,
        {
            "ground": "emergency",
            "description": "处置中毒事故",
            "awarded_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    reward = Reward.objects.get()
    assert reward.ground == RewardGround.EMERGENCY and reward.created_by == personas.panzhou
    with pytest.raises(ValidationError, match="尚未聘任"):
        actions.award(
            world["candidate"],
            ground="other",
            description="x",
            awarded_on=timezone.localdate(),
            document_no="",
            by=personas.panzhou,
        )
    body = client.get(reverse("personnel:detail", args=[world["appointed"].pk])).content.decode()
    assert "在处理突发职业健康事件中做出突出贡献" in body


def test_the_dismissal_page_reassigns_the_open_assist_and_the_lead_can_close(client_for, world, personas):
    """Issue 13: a lead with a dismissed assistant's open 协查 can be closed after reassignment."""
    from xieguan.leads import actions as leads
    from xieguan.leads.models import EventKind
    from xieguan.lib.testing import UserFactory

    successor = UserFactory.create(
        username="xieguan_b", full_name="赵新", role="assistant", region_id="520281117"
    )
    employer = EmployerFactory.create(name="丙煤矿")
    lead = discover_lead(
        region=employer.region,
        lead_type=LeadType.ABNORMAL,
        source=LeadSource.DIRECT,
        description="粉尘超标",
        discovered_by=personas.xieguan,
        employer=employer,
    )
    leads.report_lead(lead, by=personas.xieguan, method="system", agency=personas.jiandu.agency)
    leads.acknowledge_lead(lead, by=personas.jiandu)
    assist = leads.request_assist(by=personas.jiandu, assistant=personas.xieguan, lead=lead)
    left = {"appointed": world["appointed"]}
    dismiss(left, personas.panzhou)
    client = client_for("panzhou")
    aftermath = reverse("personnel:aftermath", args=[world["appointed"].pk])
    body = client.get(aftermath).content.decode()
    reassign = reverse("leads:assist_reassign", args=[assist.pk])
    assert f"{reassign}?next={aftermath}" in body and reverse("leads:assist_cancel", args=[assist.pk]) in body
    # the province admin sees the list, without the buttons (the county hands over)
    assert reassign not in client_for("sheng").get(aftermath).content.decode()
    with pytest.raises(leads.LeadRefused, match="协查未完成"):
        leads.close_lead(lead, by=personas.jiandu, outcome="x")
    response = client.post(
        reassign, {"assistant": successor.pk, "reason": "原协管员已解聘", "next": aftermath}
    )
    assert response.status_code == 302 and response["Location"] == aftermath
    assert 'data-testid="orphan-assist"' not in client.get(aftermath).content.decode()
    new = AssistRequest.objects.get(reassigned_from=assist)
    leads.record_assist(new, by=successor, done_on=timezone.localdate(), what_done="现场核实", outcome="属实")
    leads.set_handling(lead, by=personas.jiandu, handling="no_action", reason="已整改")
    leads.close_lead(lead, by=personas.jiandu, outcome="已整改")
    assert lead.status == LeadStatus.CLOSED
    assert lead.events.filter(kind=EventKind.ASSIST_REASSIGNED).exists()
