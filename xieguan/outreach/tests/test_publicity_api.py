"""Publicity events and their photos from the phone: exactly once by client_uuid, refusals in
Chinese, scoping (other county 404) and roles (403)."""

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xieguan.inspections.tests.factories import jpeg
from xieguan.lib.testing import OTHER_TOWNSHIP, TOWNSHIP, EmployerFactory
from xieguan.outreach.models import PublicityEvent, PublicityPhoto

pytestmark = pytest.mark.django_db
URL = "/api/v1/publicity"


def post(client, body):
    return client.post(URL, json.dumps(body, default=str), content_type="application/json")


def body(**kwargs):
    return {
        "client_uuid": str(uuid.uuid4()),
        "held_on": timezone.localdate().isoformat(),
        "kind": "knowledge",
        "topic": "职业病防治法宣传周",
        "location": "柏果镇文化广场",
        "audience": 120,
        **kwargs,
    }


def photo(client, event_id, key):
    data = {"image": SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg"), "client_uuid": str(key)}
    return client.post(f"{URL}/{event_id}/photos", data)


def test_event_and_photos_are_stored_once(personas, client_for):
    reached = EmployerFactory.create(region_id=TOWNSHIP + "001")
    client = client_for("xieguan")
    sent = body(employer_ids=[reached.pk])
    first = post(client, sent)
    assert first.status_code == 201, first.content
    event = first.json()["event"]
    assert event["region"] == TOWNSHIP and event["employer_ids"] == [reached.pk] and event["kind_label"]
    again = post(client, {**sent, "topic": "别的主题"})
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["event"]["topic"] == "职业病防治法宣传周"
    assert PublicityEvent.objects.count() == 1
    key = uuid.uuid4()
    assert photo(client, event["id"], key).status_code == 201
    repeat = photo(client, event["id"], key)
    assert repeat.status_code == 200 and PublicityPhoto.objects.count() == 1
    assert client.get(repeat.json()["url"]).status_code == 200
    detail = client.get(f"{URL}/{event['id']}").json()
    assert [p["id"] for p in detail["photos"]] == [repeat.json()["id"]]


def test_refusals_in_chinese(personas, client_for):
    client = client_for("xieguan")
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = post(client, body(topic="", kind="party", held_on=future))
    assert response.status_code == 400 and response.json()["detail"] == "输入有误"
    problems = " ".join(response.json()["problems"])
    assert "主题" in problems and "形式" in problems and "不能晚于今天" in problems
    other = EmployerFactory.create(region_id=OTHER_TOWNSHIP + "001")
    assert post(client, body(employer_ids=[other.pk])).status_code == 400
    first = post(client, body()).json()["event"]
    bad = client.post(
        f"{URL}/{first['id']}/photos",
        {"image": SimpleUploadedFile("p.jpg", b"not an image"), "client_uuid": str(uuid.uuid4())},
    )
    assert bad.status_code == 400 and bad.json()["problems"][0].startswith("照片")
    assert PublicityEvent.objects.count() == 1 and not PublicityPhoto.objects.exists()


def test_scoping_and_roles(personas, client_for, client):
    assert post(client, body()).status_code == 401
    assert post(client_for("jiandu"), body()).status_code == 403
    assert post(client_for("sheng"), body()).status_code == 403
    sent = body()
    event = post(client_for("xieguan"), sent).json()["event"]
    assert post(client_for("xieguan2"), sent).status_code == 404  # someone else's UUID
    assert client_for("xieguan2").get(f"{URL}/{event['id']}").status_code == 404
    assert photo(client_for("xieguan2"), event["id"], uuid.uuid4()).status_code == 404
    assert photo(client_for("panzhou"), event["id"], uuid.uuid4()).status_code == 403  # not its recorder
    county = post(client_for("panzhou"), body(region=TOWNSHIP))
    assert county.status_code == 201 and county.json()["event"]["region"] == TOWNSHIP
    assert post(client_for("panzhou"), body(region=OTHER_TOWNSHIP)).status_code == 400
    assert PublicityEvent.objects.count() == 2
