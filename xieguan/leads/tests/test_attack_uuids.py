"""Security review: client UUIDs reused across users, counties and kinds of record (docs/sync.md).
A UUID already used by someone else must never reveal or attach to their record; a UUID of
another kind of record must not be answered with that record."""

import json
import uuid

import pytest
from django.test import Client

from xieguan.leads.models import Complaint, Lead
from xieguan.leads.tests.test_sync_api import complaint_body, lead_body
from xieguan.lib.testing import OTHER_TOWNSHIP, EmployerFactory, UserFactory
from xieguan.outreach.models import Consultation, PublicityEvent
from xieguan.tasks.models import TaskAssignment
from xieguan.tasks.tests.factories import issue

pytestmark = pytest.mark.django_db

SECRET = "夜间排放刺鼻气体"


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def publicity_body(key, **extra):
    return {
        "client_uuid": key,
        "held_on": "2026-01-05",
        "kind": "knowledge",
        "topic": "职业病防治法宣传周",
        "location": "广场",
        "audience": 10,
        **extra,
    }


def consultation_body(key, employer):
    return {
        "client_uuid": key,
        "employer_id": employer.pk,
        "given_on": "2026-01-05",
        "kind": "consultation",
        "contact_person": "张主任",
        "subject": "咨询",
        "outcome": "已答复",
    }


def test_a_complaint_uuid_reused_anywhere_reveals_nothing(personas, client_for):
    body = complaint_body(complainant_name="王举报", complainant_contact="13900000000")
    key = body["client_uuid"]
    first = post(client_for("xieguan"), "/api/v1/complaints", body)
    assert first.status_code == 201
    lead_id = first.json()["lead"]["id"]
    far = EmployerFactory.create(region_id=OTHER_TOWNSHIP + "001")
    task = issue(personas.liuzhi, assistants=[personas.xieguan2])
    assignment = TaskAssignment.objects.get(task=task, assignee=personas.xieguan2)
    other = client_for("xieguan2")
    attempts = {
        "complaint": post(
            other, "/api/v1/complaints", complaint_body(client_uuid=key, region=OTHER_TOWNSHIP)
        ),
        "lead": post(other, "/api/v1/leads", lead_body(client_uuid=key, region=OTHER_TOWNSHIP)),
        "publicity": post(other, "/api/v1/publicity", publicity_body(key)),
        "consultation": post(other, "/api/v1/outreach/consultations", consultation_body(key, far)),
        "task": post(
            other, f"/api/v1/tasks/assignments/{assignment.pk}/complete", {"note": "完成", "client_uuid": key}
        ),
        "county admin": post(client_for("liuzhi"), "/api/v1/complaints", complaint_body(client_uuid=key)),
        "same-county admin": post(client_for("panzhou"), "/api/v1/complaints", body),
    }
    for kind, response in attempts.items():
        text = response.content.decode("unicode_escape", errors="replace")
        assert response.status_code in (200, 201, 400, 403, 404), (kind, response.status_code)
        assert SECRET not in text and "王举报" not in text and "13900000000" not in text, kind
        if response.status_code in (200, 201):
            payload = response.json()
            lead = payload.get("lead") or {}
            assert lead.get("id") != lead_id, kind
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().recorded_by == personas.xieguan
    # nothing attached to the first complaint's county; xieguan2's own direct lead is in theirs
    assert not Lead.objects.exclude(pk=lead_id).filter(region__code__startswith="520281").exists()


def test_a_complaint_uuid_sent_as_a_direct_lead_by_its_author_is_not_that_lead(personas, client_for):
    """The same phone sending a direct-lead body under the UUID of its complaint: the answer must
    not present the complaint's lead as the direct lead (a client bug, not an attack, but the
    record kinds must not mix)."""
    client = client_for("xieguan")
    body = complaint_body()
    first = post(client, "/api/v1/complaints", body)
    assert first.status_code == 201
    response = post(client, "/api/v1/leads", lead_body(client_uuid=body["client_uuid"]))
    assert response.status_code < 500
    if response.status_code in (200, 201):
        assert response.json()["lead"]["lead_type"] != "complaint"


def test_publicity_and_consultation_uuids_of_another_user_are_404(personas, client_for):
    key = str(uuid.uuid4())
    employer = EmployerFactory.create()
    assert post(client_for("xieguan"), "/api/v1/publicity", publicity_body(key)).status_code == 201
    response = post(client_for("panzhou"), "/api/v1/publicity", publicity_body(key, region="520281117"))
    assert response.status_code == 404 and "宣传周" not in response.content.decode("unicode_escape")
    key2 = str(uuid.uuid4())
    assert (
        post(
            client_for("xieguan"), "/api/v1/outreach/consultations", consultation_body(key2, employer)
        ).status_code
        == 201
    )
    c = Client()  # another assistant of the same township
    c.force_login(UserFactory.create(username="xieguan_b", role="assistant", region_id="520281117"))
    response = post(c, "/api/v1/outreach/consultations", consultation_body(key2, employer))
    assert response.status_code == 404
    assert PublicityEvent.objects.count() == 1 and Consultation.objects.count() == 1
