"""The pages and API endpoints of withdraw, regrade, 协查 cancel and reassign: each role, each refusal
(another county → 404, a wrong role → 403, another officer's → 404), and the confirmation pages."""

import pytest
from django.test import Client
from django.urls import reverse

from xieguan.accounts.models import Role
from xieguan.leads.actions import State
from xieguan.leads.models import AssistRequest, AssistStatus, EventKind, Importance, Lead, LeadStatus
from xieguan.leads.tests.factories import agency, assist_for, lead_in, make_lead
from xieguan.lib.testing import PREFECTURE, TOWNSHIP, UserFactory

pytestmark = pytest.mark.django_db


def json_post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def outsider(personas):
    """An officer of the prefecture: the leads are in their region, but not theirs."""
    other = agency(name="六盘水市卫生健康综合监督执法支队", region_id=PREFECTURE)
    user = UserFactory.create(username="zhidui", role=Role.OFFICER, region_id=PREFECTURE, agency=other)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def second_assistant(personas):
    return UserFactory.create(
        username="xieguan_b", full_name="xieguan_b", role=Role.ASSISTANT, region_id=TOWNSHIP
    )


# --- withdraw ---------------------------------------------------------------------------------


def test_withdraw_page_asks_for_a_reason_then_withdraws(personas, client_for):
    lead = make_lead(personas)
    url = reverse("leads:withdraw", args=[lead.pk])
    client = client_for("xieguan")
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert url in detail
    page = client.get(url).content.decode()
    assert "不再计入信息报告率" in page and "确认撤回" in page  # the confirmation step
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and 'data-testid="step-form"' in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DISCOVERED
    response = client.post(url, {"reason": "重复录入"})
    assert response.status_code == 302
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="withdrawn"' in page and "重复录入" in page and "已撤回" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("xieguan", 200),
        ("panzhou", 200),
        ("jiandu", 403),
        ("sheng", 403),
        ("lps", 403),
        ("xieguan2", 404),
        ("liuzhi", 404),
    ],
)
def test_withdraw_page_roles(personas, client_for, who, status):
    lead = make_lead(personas)
    assert client_for(who).get(reverse("leads:withdraw", args=[lead.pk])).status_code == status
    response = client_for(who).post(reverse("leads:withdraw", args=[lead.pk]), {"reason": "x"})
    assert response.status_code == (302 if status == 200 else status)
    assert Lead.objects.get(pk=lead.pk).status == (
        LeadStatus.WITHDRAWN if status == 200 else LeadStatus.DISCOVERED
    )


def test_withdraw_api(personas, client_for):
    lead = make_lead(personas)
    url = f"/api/v1/leads/{lead.pk}/withdraw"
    assert json_post(client_for("xieguan2"), url, {"reason": "x"}).status_code == 404
    assert json_post(client_for("jiandu"), url, {"reason": "x"}).status_code == 403
    response = json_post(client_for("xieguan"), url, {"reason": " "})
    assert response.status_code == 400 and "撤回原因" in response.json()["detail"]
    response = json_post(client_for("xieguan"), url, {"reason": "误录"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert response.json()["withdrawal_reason"] == "误录"
    response = json_post(client_for("xieguan"), url, {"reason": "误录"})
    assert response.status_code == 409 and response.json()["detail"] == "该线索已撤回，不能再撤回。"


# --- regrade ----------------------------------------------------------------------------------


def test_regrade_page_flow(personas, client_for):
    lead = make_lead(personas)
    url = reverse("leads:regrade", args=[lead.pk])
    client = client_for("xieguan")
    page = client.get(url).content.decode()
    assert "报告时限按发现时间和新的重要程度重新计算" in page
    response = client.post(url, {"importance": Importance.IMPORTANT, "reason": ""})
    assert response.status_code == 200
    assert client.post(url, {"importance": Importance.IMPORTANT, "reason": "有人中毒"}).status_code == 302
    lead.refresh_from_db()
    assert lead.importance == Importance.IMPORTANT
    timeline = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "调整重要程度" in timeline and "有人中毒" in timeline


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("xieguan", 200),
        ("panzhou", 200),
        ("jiandu", 200),
        ("sheng", 403),
        ("xieguan2", 404),
        ("jiandu2", 404),
    ],
)
def test_regrade_page_roles(personas, client_for, who, status):
    lead = lead_in(State.REPORTED, personas)
    assert client_for(who).get(reverse("leads:regrade", args=[lead.pk])).status_code == status


def test_regrade_of_another_officers_lead_is_404(personas, outsider):
    lead = lead_in(State.REPORTED, personas)
    url = reverse("leads:regrade", args=[lead.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"importance": "important", "reason": "x"}).status_code == 404
    assert (
        json_post(
            outsider, f"/api/v1/leads/{lead.pk}/regrade", {"importance": "important", "reason": "x"}
        ).status_code
        == 404
    )
    assert Lead.objects.get(pk=lead.pk).importance == Importance.NORMAL


def test_regrade_api(personas, client_for):
    lead = make_lead(personas)
    url = f"/api/v1/leads/{lead.pk}/regrade"
    assert (
        json_post(client_for("xieguan2"), url, {"importance": "important", "reason": "x"}).status_code == 404
    )
    assert json_post(client_for("sheng"), url, {"importance": "important", "reason": "x"}).status_code == 403
    response = json_post(client_for("xieguan"), url, {"importance": "urgent", "reason": "x"})
    assert response.status_code == 400 and response.json()["detail"] == "请选择重要程度。"
    response = json_post(client_for("xieguan"), url, {"importance": "important", "reason": "中毒"})
    assert response.status_code == 200 and response.json()["importance"] == "important"
    assert response.json()["events"][-1]["kind"] == EventKind.REGRADED


# --- 协查 cancel / reassign ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["assist_cancel", "assist_reassign"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("jiandu", 200), ("panzhou", 200), ("xieguan", 403), ("sheng", 403), ("liuzhi", 404), ("jiandu2", 404)],
)
def test_assist_step_pages_roles(personas, client_for, name, who, status):
    assist = assist_for(personas)
    assert client_for(who).get(reverse(f"leads:{name}", args=[assist.pk])).status_code == status


def test_another_officer_cannot_cancel_or_reassign(personas, outsider, second_assistant):
    assist = assist_for(personas)
    for name in ("assist_cancel", "assist_reassign"):
        assert outsider.get(reverse(f"leads:{name}", args=[assist.pk])).status_code == 404
        assert outsider.post(reverse(f"leads:{name}", args=[assist.pk]), {"reason": "x"}).status_code == 404
    assert json_post(outsider, f"/api/v1/assists/{assist.pk}/cancel", {"reason": "x"}).status_code == 404
    response = json_post(
        outsider,
        f"/api/v1/assists/{assist.pk}/reassign",
        {"assistant_id": second_assistant.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert AssistRequest.objects.get(pk=assist.pk).status == AssistStatus.REQUESTED


def test_cancel_page_confirms_then_cancels_and_returns_to_next(personas, client_for):
    assist = assist_for(personas)
    client = client_for("jiandu")
    page = client.get(reverse("leads:assist", args=[assist.pk])).content.decode()
    assert reverse("leads:assist_cancel", args=[assist.pk]) in page
    url = reverse("leads:assist_cancel", args=[assist.pk])
    page = client.get(url, {"next": "https://evil.example/"}).content.decode()
    assert "确认取消协查" in page and "evil.example" not in page
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "企业停产", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("leads:assist", args=[assist.pk])
    assist.refresh_from_db()
    assert assist.status == AssistStatus.CANCELLED and assist.cancel_reason == "企业停产"
    page = client.get(reverse("leads:assist", args=[assist.pk])).content.decode()
    assert 'data-testid="assist-cancelled"' in page and "企业停产" in page
    assert reverse("leads:assist_cancel", args=[assist.pk]) not in page  # no longer offered
    response = client.post(url, {"reason": "again"})
    assert response.status_code == 302  # refused with a message, nothing changed


def test_reassign_page_offers_only_the_areas_other_assistants(personas, client_for, second_assistant):
    assist = assist_for(personas)
    url = reverse("leads:assist_reassign", args=[assist.pk])
    client = client_for("panzhou")
    form = client.get(url).context["form"]
    assert list(form.fields["assistant"].queryset) == [second_assistant]
    response = client.post(url, {"assistant": personas.xieguan2.pk, "reason": "x"})
    assert response.status_code == 200 and "不负责该地区" in response.content.decode()
    response = client.post(
        url, {"assistant": second_assistant.pk, "reason": "原协管员已解聘", "next": "/personnel/"}
    )
    assert response.status_code == 302 and response["Location"] == "/personnel/"
    new = AssistRequest.objects.get(reassigned_from=assist)
    assert new.assistant == second_assistant and new.status == AssistStatus.REQUESTED


def test_assist_api_cancel_and_reassign(personas, client_for, second_assistant):
    assist = assist_for(personas)
    base = f"/api/v1/assists/{assist.pk}"
    assert json_post(client_for("xieguan"), f"{base}/cancel", {"reason": "x"}).status_code == 403
    assert json_post(client_for("liuzhi"), f"{base}/cancel", {"reason": "x"}).status_code == 404
    response = json_post(
        client_for("jiandu"), f"{base}/reassign", {"assistant_id": personas.xieguan2.pk, "reason": "x"}
    )
    assert response.status_code == 400 and "不负责该地区" in response.json()["detail"]
    response = json_post(client_for("jiandu"), f"{base}/reassign", {"assistant_id": 999999, "reason": "x"})
    assert response.status_code == 400 and "不负责该地区" in response.json()["detail"]
    response = json_post(
        client_for("jiandu"), f"{base}/reassign", {"assistant_id": second_assistant.pk, "reason": "休假"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["reassigned_from_id"] == assist.pk and data["assistant"] == "xieguan_b"
    response = json_post(client_for("jiandu"), f"{base}/cancel", {"reason": "x"})
    assert response.status_code == 409 and "已取消" in response.json()["detail"]
    new = AssistRequest.objects.get(pk=data["id"])
    response = json_post(client_for("jiandu"), f"/api/v1/assists/{new.pk}/cancel", {"reason": "不再需要"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
