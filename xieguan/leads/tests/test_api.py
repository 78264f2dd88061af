"""The leads API: scoping (404), roles (403), refused steps (409), bad input (400)."""

import datetime as dt

import pytest
from django.utils import timezone

from xieguan.leads.actions import State
from xieguan.leads.models import LeadStatus
from xieguan.leads.tests.factories import assist_for, lead_in, make_lead

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_anonymous_gets_401(client, personas):
    lead = make_lead(personas)
    assert client.get("/api/v1/leads").status_code == 401
    assert client.get(f"/api/v1/leads/{lead.pk}").status_code == 401
    assert post(client, f"/api/v1/leads/{lead.pk}/report", {"method": "system"}).status_code == 401


def test_list_is_scoped_filtered_and_paginated(personas, client_for, django_assert_max_num_queries):
    for _ in range(3):
        make_lead(personas)
    lead_in(State.CLOSED, personas)
    client = client_for("panzhou")
    with django_assert_max_num_queries(6):
        data = client.get("/api/v1/leads").json()
    assert data["count"] == 4 and {row["region"][:6] for row in data["items"]} == {"520281"}
    assert client.get("/api/v1/leads", {"status": "closed"}).json()["count"] == 1
    assert client.get("/api/v1/leads", {"reported": "no"}).json()["count"] == 3
    assert client_for("liuzhi").get("/api/v1/leads").json()["count"] == 0
    assert client_for("liuzhi").get("/api/v1/leads", {"region": "520281"}).status_code == 404
    bad = client.get("/api/v1/leads", {"period": "去年"})
    assert bad.status_code == 400 and "期间格式" in bad.json()["detail"]


def test_detail_has_the_timeline(personas, client_for):
    lead = lead_in(State.HANDLING, personas)
    data = client_for("xieguan").get(f"/api/v1/leads/{lead.pk}").json()
    assert [e["kind"] for e in data["events"]] == ["discovered", "reported", "acknowledged", "handling"]
    assert data["state"] == "handling" and data["handling"] == "enforcement" and data["complaint"] is None
    assert client_for("xieguan2").get(f"/api/v1/leads/{lead.pk}").status_code == 404


def test_report(personas, client_for):
    lead = make_lead(personas)
    url = f"/api/v1/leads/{lead.pk}/report"
    agency = personas.jiandu.agency.pk
    assert post(client_for("xieguan2"), url, {"method": "system", "agency_id": agency}).status_code == 404
    response = post(client_for("jiandu"), url, {"method": "system", "agency_id": agency})
    assert response.status_code == 403 and response.json()["detail"] == "您的角色不能报告线索。"
    response = post(client_for("xieguan"), url, {"method": "fax", "agency_id": agency})
    assert response.status_code == 400 and "报告方式" in response.json()["detail"]
    response = post(client_for("xieguan"), url, {"method": "system", "agency_id": 999999})
    assert response.status_code == 400
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = post(
        client_for("xieguan"), url, {"method": "system", "agency_id": agency, "reported_at": future}
    )
    assert response.status_code == 400 and "不能晚于现在" in response.json()["detail"]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISCOVERED
    response = post(client_for("xieguan"), url, {"method": "phone", "officer_id": personas.jiandu.pk})
    assert response.status_code == 200
    data = response.json()
    assert (
        data["status"] == "reported" and data["reported_to_officer"] == "jiandu" and data["on_time"] is True
    )
    response = post(client_for("xieguan"), url, {"method": "phone", "agency_id": agency})
    assert response.status_code == 409 and response.json()["detail"] == "该线索已报告，不能重复报告。"


def test_record_assist(personas, client_for):
    assist = assist_for(personas)
    url = f"/api/v1/assists/{assist.pk}/record"
    today = timezone.localdate().isoformat()
    body = {"done_on": today, "what_done": "现场核实", "outcome": "属实"}
    assert post(client_for("xieguan2"), url, body).status_code == 404
    response = post(client_for("jiandu"), url, body)
    assert response.status_code == 403 and "只有被请求协查的协管员" in response.json()["detail"]
    response = post(client_for("xieguan"), url, {**body, "what_done": ""})
    assert response.status_code == 400
    listed = client_for("xieguan").get("/api/v1/assists").json()
    assert [row["id"] for row in listed["items"]] == [assist.pk]
    assert client_for("xieguan2").get("/api/v1/assists").json()["count"] == 0
    response = post(client_for("xieguan"), url, body)
    assert response.status_code == 200 and response.json()["status"] == "done"
    response = post(client_for("xieguan"), url, body)
    assert response.status_code == 409 and "不能重复记录" in response.json()["detail"]


def test_openapi_documents_the_leads(personas, client_for):
    paths = client_for("sheng").get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/leads",
        "/api/v1/leads/{lead_id}",
        "/api/v1/leads/{lead_id}/report",
        "/api/v1/assists/{assist_id}/record",
    ]:
        assert path in paths
