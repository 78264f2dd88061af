"""Records an assistant makes on the phone, through the API, exactly once by client_uuid:
complaints, directly found leads and their photos, 协查 records and their photos (docs/sync.md)."""

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xieguan.inspections.tests.factories import jpeg
from xieguan.leads.models import AssistPhoto, AssistStatus, Complaint, Lead, LeadEvent, LeadPhoto
from xieguan.leads.tests.factories import assist_for
from xieguan.lib.testing import VILLAGE, EmployerFactory

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def complaint_body(**kwargs):
    return {
        "client_uuid": str(uuid.uuid4()),
        "received_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
        "channel": "phone",
        "content": "夜间排放刺鼻气体",
        "place": "大寨村石料厂",
        "region": VILLAGE,
        **kwargs,
    }


def lead_body(**kwargs):
    return {
        "client_uuid": str(uuid.uuid4()),
        "lead_type": "abnormal",
        "abnormal_kind": "dust",
        "discovered_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "description": "粉碎车间粉尘弥漫，未见除尘设施运行",
        "place": "大寨村石料厂",
        "region": VILLAGE,
        **kwargs,
    }


def photo(client, url, key=None):
    data: dict[str, object] = {"image": SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")}
    if key is not None:
        data["client_uuid"] = str(key)
    return client.post(url, data)


def test_complaint_is_stored_once(personas, client_for):
    client = client_for("xieguan")
    body = complaint_body()
    first = post(client, "/api/v1/complaints", body)
    assert first.status_code == 201, first.content
    out = first.json()
    assert out["created"] and out["client_uuid"] == body["client_uuid"]
    assert out["lead"]["lead_type"] == "complaint" and out["lead"]["region"] == VILLAGE
    again = post(client, "/api/v1/complaints", {**body, "content": "改过的内容"})
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["complaint_id"] == out["complaint_id"]
    assert Complaint.objects.get().content == "夜间排放刺鼻气体"
    assert Complaint.objects.count() == 1 and Lead.objects.count() == 1


def test_complaint_repeat_is_answered_even_if_now_refused(personas, client_for):
    """ODK semantics: once accepted, a repeat gets the stored record, not today's refusal."""
    client = client_for("xieguan")
    body = complaint_body()
    assert post(client, "/api/v1/complaints", body).status_code == 201
    response = post(client, "/api/v1/complaints", {**body, "channel": "pigeon", "content": ""})
    assert response.status_code == 200 and Complaint.objects.count() == 1


def test_complaint_refusals_in_chinese(personas, client_for):
    client = client_for("xieguan")
    response = post(client, "/api/v1/complaints", complaint_body(channel="", content="", place=""))
    assert response.status_code == 400
    problems = " ".join(response.json()["problems"])
    assert response.json()["detail"] == "输入有误"
    assert "渠道" in problems and "举报内容" in problems and "请选择用人单位，或填写地点" in problems
    response = post(client, "/api/v1/complaints", complaint_body(anonymous=True, complainant_name="王秘密"))
    assert response.status_code == 400 and "匿名举报" in response.json()["problems"][0]
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    response = post(client, "/api/v1/complaints", complaint_body(received_at=future))
    assert response.status_code == 400 and "不能晚于现在" in " ".join(response.json()["problems"])
    assert not Complaint.objects.exists() and not Lead.objects.exists()


def test_complaint_scoping_and_roles(personas, client_for, client):
    other = EmployerFactory.create(region_id="520203102001")
    response = post(client_for("xieguan"), "/api/v1/complaints", complaint_body(employer_id=other.pk))
    assert response.status_code == 400  # another county's employer is not a choice
    response = post(client_for("xieguan2"), "/api/v1/complaints", complaint_body())
    assert response.status_code == 400  # a village of another county is not a choice
    assert post(client_for("jiandu"), "/api/v1/complaints", complaint_body()).status_code == 403
    assert post(client, "/api/v1/complaints", complaint_body()).status_code == 401
    body = complaint_body()
    assert post(client_for("xieguan"), "/api/v1/complaints", body).status_code == 201
    # the same UUID sent by someone else: as if it did not exist
    assert post(client_for("panzhou"), "/api/v1/complaints", body).status_code == 404
    assert not Complaint.objects.exclude(recorded_by=personas.xieguan).exists()


def test_direct_lead_is_stored_once_with_its_photos(personas, client_for):
    client = client_for("xieguan")
    body = lead_body()
    first = post(client, "/api/v1/leads", body)
    assert first.status_code == 201, first.content
    lead = first.json()["lead"]
    assert lead["source"] == "direct" and lead["abnormal_kind"] == "dust"
    again = post(client, "/api/v1/leads", {**body, "description": "另一个"})
    assert again.status_code == 200 and again.json()["lead"]["id"] == lead["id"]
    assert Lead.objects.count() == 1
    assert LeadEvent.objects.filter(kind="discovered").count() == 1
    key = uuid.uuid4()
    url = f"/api/v1/leads/{lead['id']}/photos"
    first_photo = photo(client, url, key)
    assert first_photo.status_code == 201, first_photo.content
    repeat = photo(client, url, key)
    assert repeat.status_code == 200 and repeat.json()["id"] == first_photo.json()["id"]
    assert LeadPhoto.objects.count() == 1
    assert client.get(first_photo.json()["url"]).status_code == 200
    # refusals and scoping
    bad = client.post(
        url, {"image": SimpleUploadedFile("p.jpg", b"not an image"), "client_uuid": str(uuid.uuid4())}
    )
    assert bad.status_code == 400 and bad.json()["problems"][0].startswith("照片：")
    assert photo(client_for("xieguan2"), url, uuid.uuid4()).status_code == 404
    assert photo(client_for("panzhou"), url, uuid.uuid4()).status_code == 403
    assert LeadPhoto.objects.count() == 1


def test_direct_lead_refusals(personas, client_for):
    client = client_for("xieguan")
    response = post(
        client, "/api/v1/leads", lead_body(lead_type="abnormal", abnormal_kind="", description="")
    )
    assert response.status_code == 400
    problems = " ".join(response.json()["problems"])
    assert "异常类别" in problems and "信息内容" in problems
    assert post(client_for("panzhou"), "/api/v1/leads", lead_body()).status_code == 403
    assert post(client_for("jiandu"), "/api/v1/leads", lead_body()).status_code == 403
    assert not Lead.objects.exists()


def test_assist_record_is_an_idempotent_transition(personas, client_for):
    assist = assist_for(personas)
    url = f"/api/v1/assists/{assist.pk}/record"
    body = {
        "done_on": timezone.localdate().isoformat(),
        "what_done": "现场核实",
        "outcome": "属实",
        "client_uuid": str(uuid.uuid4()),
    }
    client = client_for("xieguan")
    first = post(client, url, body)
    assert first.status_code == 200 and first.json()["status"] == AssistStatus.DONE
    again = post(client, url, {**body, "outcome": "不属实"})
    assert again.status_code == 200 and again.json()["outcome"] == "属实"
    assert LeadEvent.objects.filter(kind="assist_recorded").count() == 1
    other = post(client, url, {**body, "client_uuid": str(uuid.uuid4())})
    assert other.status_code == 409 and "不能重复记录" in other.json()["detail"]
    assert post(client_for("xieguan2"), url, body).status_code == 404


def test_assist_photos_before_and_after_the_record(personas, client_for):
    assist = assist_for(personas)
    url = f"/api/v1/assists/{assist.pk}/photos"
    client = client_for("xieguan")
    key = uuid.uuid4()
    assert photo(client, url, key).status_code == 201
    assert photo(client, url, key).status_code == 200
    assert photo(client_for("jiandu"), url, uuid.uuid4()).status_code == 403
    assert photo(client_for("xieguan2"), url, uuid.uuid4()).status_code == 404
    assist.status = AssistStatus.CANCELLED
    assist.save(update_fields=["status"])
    response = photo(client, url, uuid.uuid4())
    assert response.status_code == 409 and "已取消" in response.json()["problems"][0]
    assert photo(client, url, key).status_code == 200  # a repeat is still the stored photo
    assert AssistPhoto.objects.count() == 1
