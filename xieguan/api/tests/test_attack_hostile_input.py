"""Hostile input to every write endpoint of the JSON API (security review, docs/sync.md):
bodies that are not UTF-8 or not JSON, JSON of the wrong type, NUL bytes, huge strings and
integers, bad dates, negative and huge ids, huge page/limit/offset. Every answer must be a 4xx
with a Chinese ``detail``, never a 500, and nothing may be half-saved."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.utils import timezone

from xieguan.employers.models import Employer
from xieguan.leads.models import Complaint, Lead
from xieguan.lib.testing import VILLAGE, EmployerFactory
from xieguan.outreach.models import Consultation, PublicityEvent
from xieguan.tasks.models import TaskAssignment
from xieguan.tasks.tests.factories import issue

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")

HOSTILE_BODIES = [
    b"\xff\xfe\x00not utf-8",
    b"{not json",
    b"[]",
    b"null",
    b"123",
    b'"a string"',
    json.dumps({"client_uuid": "not-a-uuid"}).encode(),
    json.dumps(
        {
            "client_uuid": str(uuid.uuid4()),
            "received_at": "0000-00-00",
            "held_on": "0000-01-01",
            "given_on": "2024-13-45",
            "discovered_at": "year 0",
            "content": "a\x00b",
            "place": "p" * 100_000,
            "employer_id": 10**30,
            "region": "\x00",
            "employer_ids": [-1, 10**20],
            "note": "\x00",
            "reason": "r" * 200_000,
            "kind": ["x"],
            "channel": {"a": 1},
            "audience": -5,
            "workers": 10**25,
            "name": "\x00",
        }
    ).encode(),
]
IDS = ["-1", "0", "99999999999999999999999"]


def _chinese_refusal(response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return bool(HAN.search(json.dumps(body, ensure_ascii=False)))


def _write_operations(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method in operations:
            if method in ("post", "put"):
                yield method, path


@pytest.mark.parametrize("persona", ["xieguan", "panzhou"])
def test_every_write_endpoint_refuses_hostile_bodies_in_chinese(personas, client_for, persona):
    client = client_for(persona)
    operations = list(_write_operations(client))
    assert len(operations) >= 20  # the walk really covers the API
    bad = []
    for method, path in operations:
        for ident in IDS:
            url = re.sub(r"\{inspection_id\}", str(uuid.uuid4()), path)  # a uuid in the URL pattern
            url = re.sub(r"\{[^}]+\}", ident, url)
            for body in HOSTILE_BODIES:
                response = getattr(client, method)(url, body, content_type="application/json")
                if not 400 <= response.status_code < 500 or not _chinese_refusal(response):
                    bad.append((method, url, body[:30], response.status_code, response.content[:120]))
    assert not bad
    assert not Complaint.objects.exists() and not Lead.objects.exists()
    assert not Employer.objects.exists() and not PublicityEvent.objects.exists()


def test_unparseable_body_is_refused_in_chinese(personas, client_for):
    response = client_for("xieguan").post(
        "/api/v1/complaints", b"\xff\xfe\x00", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容无法解析：须是 UTF-8 编码的 JSON，且不能含空字符（\\0）。"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/leads?page=100000000000000000000",
        "/api/v1/employers?page=100000000000000000000",
        "/api/v1/assists?page=100000000000000000000",
        "/api/v1/inspections?offset=100000000000000000000",
        "/api/v1/inspections?limit=100000000000000000000",
        "/api/v1/inspections?limit=-1",
        "/api/v1/leads/100000000000000000000",
        "/api/v1/employers/-1",
    ],
)
def test_huge_page_limit_offset_and_ids_are_refused_not_500(personas, client_for, url):
    response = client_for("panzhou").get(url)
    assert 400 <= response.status_code < 500, response.content
    assert _chinese_refusal(response)


def test_ordinary_pagination_still_works(personas, client_for):
    EmployerFactory.create()
    client = client_for("panzhou")
    assert client.get("/api/v1/employers?page=1").status_code == 200
    assert client.get("/api/v1/inspections?limit=1000&offset=0").status_code == 200
    assert client.get("/api/v1/inspections?limit=1001").status_code == 422


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def employer(personas):
    return EmployerFactory.create(name="柏果煤矿")


def _valid_bodies(employer, assignment_id):
    now = timezone.now()
    return [
        (
            "/api/v1/complaints",
            {
                "client_uuid": str(uuid.uuid4()),
                "received_at": (now - dt.timedelta(minutes=5)).isoformat(),
                "channel": "phone",
                "content": "夜间排放\x00刺鼻气体",
                "place": "大寨村石料厂",
                "region": VILLAGE,
            },
        ),
        (
            "/api/v1/leads",
            {
                "client_uuid": str(uuid.uuid4()),
                "lead_type": "abnormal",
                "abnormal_kind": "dust",
                "discovered_at": (now - dt.timedelta(hours=1)).isoformat(),
                "description": "粉尘\x00弥漫",
                "place": "大寨村石料厂",
                "region": VILLAGE,
            },
        ),
        (
            "/api/v1/publicity",
            {
                "client_uuid": str(uuid.uuid4()),
                "held_on": timezone.localdate().isoformat(),
                "kind": "knowledge",
                "topic": "职业病防治法\x00宣传周",
                "location": "柏果镇文化广场",
                "audience": 120,
            },
        ),
        (
            "/api/v1/outreach/consultations",
            {
                "client_uuid": str(uuid.uuid4()),
                "employer_id": employer.pk,
                "given_on": timezone.localdate().isoformat(),
                "kind": "consultation",
                "contact_person": "张\x00主任",
                "subject": "咨询防尘口罩配发",
                "outcome": "已答复",
            },
        ),
        (
            f"/api/v1/tasks/assignments/{assignment_id}/complete",
            {"client_uuid": str(uuid.uuid4()), "note": "已\x00完成"},
        ),
    ]


def test_nul_bytes_in_text_are_refused_not_stored(personas, client_for, employer):
    """PostgreSQL cannot store NUL in text (the insert fails: 500); SQLite would keep it. Either
    way the API must refuse it as bad input."""
    task = issue(personas.panzhou, assistants=[personas.xieguan])
    assignment = TaskAssignment.objects.get(task=task, assignee=personas.xieguan)
    client = client_for("xieguan")
    answers = {}
    for url, body in _valid_bodies(employer, assignment.pk):
        response = _post(client, url, body)
        answers[url] = (response.status_code, response.content[:200])
    assert all(400 <= status < 500 for status, _ in answers.values()), answers
    assert not Complaint.objects.exists() and not Lead.objects.exists()
    assert not PublicityEvent.objects.exists() and not Consultation.objects.exists()
    assignment.refresh_from_db()
    assert assignment.status == "open"
