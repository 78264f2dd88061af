"""Every look for a client's UUID goes through the user's scope (lib/sync.py, docs/sync.md), for
every app that records by a client UUID: employers, leads (complaints, leads, their photos, 协查
records and photos), outreach (publicity events and photos, consultations: API and form) and
tasks (answers and their files).

Another county's UUID is not seen: its statement never reads a row of another region (every
SELECT naming the UUID carries the user's region condition), the request goes on like a new one
and its insert meets the unique constraint; the answer is then exactly that for a UUID of a
colleague in the scope (404 未找到), with nothing written. A user who moved to another county
resending an old UUID does not get the old county's record back as "the repeat". The owner's
own repeat is unchanged (200, nothing written)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xieguan.accounts.models import Notification, Role
from xieguan.employers.models import Employer
from xieguan.employers.tests.factories import valid_credit_code
from xieguan.inspections.tests.factories import jpeg
from xieguan.leads.models import AssistPhoto, AssistRequest, Complaint, Lead, LeadEvent, LeadPhoto
from xieguan.leads.tests.factories import assist_for
from xieguan.lib.testing import OTHER_TOWNSHIP, TOWNSHIP, VILLAGE, EmployerFactory, UserFactory
from xieguan.outreach.models import Consultation, PublicityEvent, PublicityPhoto
from xieguan.tasks.models import AnswerFile, TaskAssignment
from xieguan.tasks.tests.factories import issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def code_lists(db):
    from xieguan.employers.codelists import ensure_code_lists

    ensure_code_lists()


FAR_VILLAGE = OTHER_TOWNSHIP + "001"
MODELS = (
    Employer,
    Lead,
    LeadEvent,
    LeadPhoto,
    Complaint,
    AssistRequest,
    AssistPhoto,
    PublicityEvent,
    PublicityPhoto,
    Consultation,
    TaskAssignment,
    AnswerFile,
    Notification,
)
UUID_LOOK = re.compile(r'"(client_uuid|answer_uuid|record_uuid)" (=|IN)')


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def upload(client, url, key, field="image"):
    return client.post(
        url, {field: SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg"), "client_uuid": str(key)}
    )


def state(media) -> tuple[Any, ...]:
    """Every row of the models involved (with their update stamps) and every stored file."""
    rows = tuple(sorted(map(repr, model.objects.values())) for model in MODELS)
    return rows, sorted(str(p) for p in media.rglob("*") if p.is_file())


def scoped_looks_only(queries: CaptureQueriesContext) -> None:
    looks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and UUID_LOOK.search(q["sql"])
    ]
    assert looks, "the request looked for its UUID"
    for sql in looks:
        assert " LIKE " in sql, f"a UUID look outside the user's scope: {sql}"


@pytest.fixture
def colleague(personas):
    """A second assistant of xieguan's township: their records are in xieguan's scope."""
    return UserFactory.create(
        username="xieguan_b", full_name="xieguan_b", role=Role.ASSISTANT, region_id=TOWNSHIP
    )


@pytest.fixture
def client_of(client_for, colleague):
    from django.test import Client

    def make(user_or_name):
        if isinstance(user_or_name, str):
            return client_for(user_or_name)
        client = Client()
        client.force_login(user_or_name)
        return client

    return make


def complaint(key, region=VILLAGE):
    return {
        "client_uuid": str(key),
        "received_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
        "channel": "phone",
        "content": "夜间排放刺鼻气体",
        "place": "大寨村石料厂",
        "region": region,
    }


def lead(key, region=VILLAGE):
    return {
        "client_uuid": str(key),
        "lead_type": "abnormal",
        "abnormal_kind": "dust",
        "discovered_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "description": "粉碎车间粉尘弥漫，未见除尘设施运行",
        "place": "大寨村石料厂",
        "region": region,
    }


def employer(key, region=VILLAGE, n=21):
    return {
        "client_uuid": str(key),
        "name": f"接口煤矿{n}",
        "credit_code": valid_credit_code(n),
        "region": region,
        "address": "2 组",
        "legal_representative": "李四",
        "phone": "0858 3621108",
        "industry_code": "06",
        "hazard_categories": ["dust"],
        "workers": 100,
        "exposed_workers": 60,
    }


def event(key, region):
    return {
        "client_uuid": str(key),
        "held_on": timezone.localdate().isoformat(),
        "kind": "knowledge",
        "topic": "职业病防治法宣传周",
        "location": "文化广场",
        "audience": 120,
        "region": region,
    }


def consultation(key, employer_pk):
    return {
        "client_uuid": str(key),
        "employer_id": employer_pk,
        "given_on": timezone.localdate().isoformat(),
        "kind": "health_check",
        "contact_person": "张主任",
        "subject": "指导安排接尘工人在岗期间职业健康检查",
        "outcome": "企业已联系体检机构，下月安排",
    }


Send = Callable[[Any, uuid.UUID], Any]  # (client, key) -> response


def check_far_is_a_colleagues(
    client_of, tmp_path, *, far: Any, near: Any, me: Any, send_far: Send, send_near: Send, send_mine: Send
) -> None:
    """``far`` (another county) and ``near`` (a colleague in scope) each store a record under a
    UUID; ``me`` naming either gets the same answer, 404, nothing written, and the far UUID is
    looked for in the scope only. ``me``'s own UUID still stores once."""
    far_key, near_key = uuid.uuid4(), uuid.uuid4()
    first = send_far(client_of(far), far_key)
    assert first.status_code in (200, 201), first.content
    first = send_near(client_of(near), near_key)
    assert first.status_code in (200, 201), first.content
    before = state(tmp_path)
    mine = client_of(me)
    with CaptureQueriesContext(connection) as queries:
        far_answer = send_mine(mine, far_key)
    scoped_looks_only(queries)
    near_answer = send_mine(mine, near_key)
    assert (far_answer.status_code, far_answer.json()) == (near_answer.status_code, near_answer.json())
    assert far_answer.status_code == 404 and far_answer.json() == {"detail": "未找到"}
    assert state(tmp_path) == before
    # the far owner's resend is still the repeat it is
    again = send_far(client_of(far), far_key)
    assert again.status_code == 200, again.content
    assert state(tmp_path) == before
    own = uuid.uuid4()
    assert send_mine(mine, own).status_code in (200, 201)
    after = state(tmp_path)
    assert send_mine(mine, own).status_code == 200
    assert state(tmp_path) == after


def test_employers(personas, client_of, colleague, tmp_path):
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: post(c, "/api/v1/employers", employer(k, FAR_VILLAGE, n=31)),
        send_near=lambda c, k: post(c, "/api/v1/employers", employer(k, n=32)),
        send_mine=lambda c, k: post(c, "/api/v1/employers", employer(k, n=33)),
    )


@pytest.mark.parametrize(("url", "body"), [("/api/v1/leads", lead), ("/api/v1/complaints", complaint)])
def test_leads_and_complaints(personas, client_of, colleague, tmp_path, url, body):
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: post(c, url, body(k, FAR_VILLAGE)),
        send_near=lambda c, k: post(c, url, body(k)),
        send_mine=lambda c, k: post(c, url, body(k)),
    )


def test_lead_photos(personas, client_of, colleague, tmp_path):
    def own_lead(user, region):
        answer = post(client_of(user), "/api/v1/leads", lead(uuid.uuid4(), region))
        return answer.json()["lead"]["id"]

    far, near, mine = (
        own_lead(personas.xieguan2, FAR_VILLAGE),
        own_lead(colleague, VILLAGE),
        own_lead(personas.xieguan, VILLAGE),
    )
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: upload(c, f"/api/v1/leads/{far}/photos", k),
        send_near=lambda c, k: upload(c, f"/api/v1/leads/{near}/photos", k),
        send_mine=lambda c, k: upload(c, f"/api/v1/leads/{mine}/photos", k),
    )


def _moved_assist(personas, region: str) -> AssistRequest:
    """A 协查 of xieguan's, then placed (with its lead) in ``region``."""
    assist = assist_for(personas)
    Lead.objects.filter(pk=assist.lead_id or 0).update(region_id=region)
    AssistRequest.objects.filter(pk=assist.pk).update(region_id=region)
    return assist


def test_assist_records_and_photos(personas, client_of, tmp_path):
    """A 协查 of another county (one of xieguan's, moved there) and one in scope: their record
    and photo UUIDs answer xieguan's third 协查 alike."""
    far, near = _moved_assist(personas, FAR_VILLAGE), _moved_assist(personas, VILLAGE)
    far_owner = UserFactory.create(username="far_xg", role=Role.ASSISTANT, region_id=OTHER_TOWNSHIP)
    AssistRequest.objects.filter(pk=far.pk).update(assistant=far_owner)
    mine = [_moved_assist(personas, VILLAGE) for _ in range(2)]

    def record(pk):
        return lambda c, k: post(
            c,
            f"/api/v1/assists/{pk}/record",
            {
                "client_uuid": str(k),
                "done_on": timezone.localdate(),
                "what_done": "现场核实",
                "outcome": "属实",
            },
        )

    far_key, near_key = uuid.uuid4(), uuid.uuid4()
    assert record(far.pk)(client_of(far_owner), far_key).status_code == 200
    assert record(near.pk)(client_of(personas.xieguan), near_key).status_code == 200
    before = state(tmp_path)
    with CaptureQueriesContext(connection) as queries:
        far_answer = record(mine[0].pk)(client_of(personas.xieguan), far_key)
    scoped_looks_only(queries)
    near_answer = record(mine[0].pk)(client_of(personas.xieguan), near_key)
    assert (
        (far_answer.status_code, far_answer.json())
        == (near_answer.status_code, near_answer.json())
        == (
            404,
            {"detail": "未找到"},
        )
    )
    assert state(tmp_path) == before
    assert record(far.pk)(client_of(far_owner), far_key).status_code == 200  # the owner's repeat
    assert state(tmp_path) == before
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=far_owner,
        near=personas.xieguan,
        me=personas.xieguan,
        send_far=lambda c, k: upload(c, f"/api/v1/assists/{far.pk}/photos", k),
        send_near=lambda c, k: upload(c, f"/api/v1/assists/{near.pk}/photos", k),
        send_mine=lambda c, k: upload(c, f"/api/v1/assists/{mine[1].pk}/photos", k),
    )


def test_publicity_events_and_photos(personas, client_of, colleague, tmp_path):
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: post(c, "/api/v1/publicity", event(k, OTHER_TOWNSHIP)),
        send_near=lambda c, k: post(c, "/api/v1/publicity", event(k, TOWNSHIP)),
        send_mine=lambda c, k: post(c, "/api/v1/publicity", event(k, TOWNSHIP)),
    )

    def own_event(user, region):
        return post(client_of(user), "/api/v1/publicity", event(uuid.uuid4(), region)).json()["event"]["id"]

    far, near = own_event(personas.xieguan2, OTHER_TOWNSHIP), own_event(colleague, TOWNSHIP)
    mine = own_event(personas.xieguan, TOWNSHIP)
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: upload(c, f"/api/v1/publicity/{far}/photos", k),
        send_near=lambda c, k: upload(c, f"/api/v1/publicity/{near}/photos", k),
        send_mine=lambda c, k: upload(c, f"/api/v1/publicity/{mine}/photos", k),
    )


def test_consultations_api_and_form(personas, client_of, colleague, tmp_path):
    here = EmployerFactory.create(name="柏果煤矿")
    there = EmployerFactory.create(name="岩脚煤矿", region_id=FAR_VILLAGE)
    url = "/api/v1/outreach/consultations"
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: post(c, url, consultation(k, there.pk)),
        send_near=lambda c, k: post(c, url, consultation(k, here.pk)),
        send_mine=lambda c, k: post(c, url, consultation(k, here.pk)),
    )
    # the web form carries the UUID too: 404 for both, nothing written
    far_key, near_key = uuid.uuid4(), uuid.uuid4()
    assert post(client_of(personas.xieguan2), url, consultation(far_key, there.pk)).status_code == 201
    assert post(client_of(colleague), url, consultation(near_key, here.pk)).status_code == 201
    before = state(tmp_path)
    form = {k: v for k, v in consultation(far_key, here.pk).items() if k != "employer_id"}
    form["employer"] = here.pk
    page = client_of(personas.xieguan)
    far_page = page.post("/outreach/consultations/new/", form)
    near_page = page.post("/outreach/consultations/new/", {**form, "client_uuid": str(near_key)})
    assert far_page.status_code == near_page.status_code == 404
    assert state(tmp_path) == before


def test_task_answers_and_files(personas, client_of, colleague, tmp_path):
    far_task = issue(personas.liuzhi, assistants=[personas.xieguan2])
    near_task = issue(personas.panzhou, assistants=[colleague])
    far = TaskAssignment.objects.get(task=far_task).pk
    near = TaskAssignment.objects.get(task=near_task).pk
    mine = [
        TaskAssignment.objects.get(task=issue(personas.panzhou, assistants=[personas.xieguan])).pk
        for _ in range(2)
    ]
    base = "/api/v1/tasks/assignments"
    keys = uuid.uuid4(), uuid.uuid4()
    for who, pk, key in ((personas.xieguan2, far, keys[0]), (colleague, near, keys[1])):
        answer = post(client_of(who), f"{base}/{pk}/complete", {"note": "已排查", "client_uuid": str(key)})
        assert answer.status_code == 200
    for verb, field in (("complete", "note"), ("unable", "reason")):
        before = state(tmp_path)
        with CaptureQueriesContext(connection) as queries:
            far_answer = post(
                client_of(personas.xieguan),
                f"{base}/{mine[0]}/{verb}",
                {field: "完成", "client_uuid": str(keys[0])},
            )
        scoped_looks_only(queries)
        near_answer = post(
            client_of(personas.xieguan),
            f"{base}/{mine[0]}/{verb}",
            {field: "完成", "client_uuid": str(keys[1])},
        )
        assert (far_answer.status_code, far_answer.json()) == (near_answer.status_code, near_answer.json())
        assert far_answer.status_code == 404 and far_answer.json() == {"detail": "未找到"}
        assert state(tmp_path) == before
    own = str(uuid.uuid4())
    assert (
        post(
            client_of(personas.xieguan), f"{base}/{mine[0]}/complete", {"note": "完成", "client_uuid": own}
        ).status_code
        == 200
    )
    assert (
        post(
            client_of(personas.xieguan), f"{base}/{mine[0]}/complete", {"note": "再发", "client_uuid": own}
        ).json()["note"]
        == "完成"
    )
    check_far_is_a_colleagues(
        client_of,
        tmp_path,
        far=personas.xieguan2,
        near=colleague,
        me=personas.xieguan,
        send_far=lambda c, k: upload(c, f"{base}/{far}/files", k, field="file"),
        send_near=lambda c, k: upload(c, f"{base}/{near}/files", k, field="file"),
        send_mine=lambda c, k: upload(c, f"{base}/{mine[1]}/files", k, field="file"),
    )


@pytest.mark.parametrize(
    ("url", "make", "model"),
    [
        ("/api/v1/employers", lambda k, r: employer(k, r, n=41 if r == FAR_VILLAGE else 42), Employer),
        ("/api/v1/leads", lead, Lead),
        ("/api/v1/complaints", complaint, Complaint),
        ("/api/v1/publicity", lambda k, r: event(k, r[:9]), PublicityEvent),
    ],
)
def test_a_user_moved_to_another_county_does_not_get_the_old_countys_record_back(
    personas, client_of, tmp_path, url, make, model
):
    """An assistant of 岩脚镇 stored a record, then was moved to 柏果镇; the phone resends it:
    the record (now out of their scope) is not given back as the repeat, nothing is written."""
    key = uuid.uuid4()
    assert post(client_of(personas.xieguan2), url, make(key, FAR_VILLAGE)).status_code == 201
    personas.xieguan2.region_id = TOWNSHIP
    personas.xieguan2.save(update_fields=["region"])
    before = state(tmp_path)
    again = post(client_of(personas.xieguan2), url, make(key, VILLAGE))
    assert (again.status_code, again.json()) == (404, {"detail": "未找到"})
    assert state(tmp_path) == before
    assert model.objects.filter(client_uuid=key).get().pk  # the old county's record is untouched
