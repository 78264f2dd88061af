"""Inspection photos uploaded one by one from the phone's outbox: exactly once by client_uuid."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xieguan.inspections import actions
from xieguan.inspections.models import InspectionPhoto
from xieguan.inspections.tests.factories import api_payload, jpeg
from xieguan.lib import sync

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inspections"


def upload(client, inspection_id, key):
    data = {"image": SimpleUploadedFile("x.jpg", jpeg(), content_type="image/jpeg"), "caption": "车间"}
    if key is not None:
        data["client_uuid"] = str(key)
    return client.post(f"{BASE}/{inspection_id}/photos", data)


def draft(client, employer, fubiao1):
    body = api_payload(employer, fubiao1, {1: "yes"})
    response = client.put(f"{BASE}/{body['id']}/draft", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return body


def test_a_repeated_upload_is_stored_once(client_for, fubiao1, employer):
    client = client_for("xieguan")
    body = draft(client, employer, fubiao1)
    key = uuid.uuid4()
    first = upload(client, body["id"], key)
    assert first.status_code == 201 and first.json()["client_uuid"] == str(key)
    again = upload(client, body["id"], key)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert InspectionPhoto.objects.count() == 1
    assert upload(client, body["id"], uuid.uuid4()).status_code == 201  # another photo
    assert upload(client, body["id"], None).status_code == 201  # no UUID: the web form's old way
    assert InspectionPhoto.objects.count() == 3


def test_a_repeat_after_submission_is_still_the_stored_photo(client_for, fubiao1, employer):
    client = client_for("xieguan")
    body = draft(client, employer, fubiao1)
    key = uuid.uuid4()
    assert upload(client, body["id"], key).status_code == 201
    full = api_payload(employer, fubiao1, id=body["id"])
    response = client.post(f"{BASE}/submit", json.dumps(full), content_type="application/json")
    assert response.status_code == 201
    assert upload(client, body["id"], key).status_code == 200
    refused = upload(client, body["id"], uuid.uuid4())
    assert refused.status_code == 422 and "已提交" in refused.json()["problems"][0]
    assert InspectionPhoto.objects.count() == 1


def test_uuid_of_another_inspection_or_person_is_not_found(client_for, fubiao1, employer, personas):
    client = client_for("xieguan")
    one, two = draft(client, employer, fubiao1), draft(client, employer, fubiao1)
    key = uuid.uuid4()
    assert upload(client, one["id"], key).status_code == 201
    assert upload(client, two["id"], key).status_code == 404
    assert upload(client_for("xieguan2"), one["id"], uuid.uuid4()).status_code == 404
    assert upload(client_for("panzhou"), one["id"], uuid.uuid4()).status_code == 403
    assert InspectionPhoto.objects.count() == 1


def test_the_race_loser_keeps_no_file(personas, fubiao1, employer, monkeypatch, tmp_path):
    inspection = actions.save_draft(
        personas.xieguan, actions.InspectionData(id=uuid.uuid4(), employer=employer, template=fubiao1)
    )
    key = uuid.uuid4()
    winner, created = actions.add_photo(
        inspection, personas.xieguan, actions.PhotoData(jpeg(), client_uuid=key)
    )
    assert created
    real = sync.stored
    looks = {"n": 0}

    def stale_first_look(queryset, client_uuid, *, user, field="client_uuid"):
        looks["n"] += 1
        return None if looks["n"] == 1 else real(queryset, client_uuid, user=user, field=field)

    monkeypatch.setattr(sync, "stored", stale_first_look)
    loser, created = actions.add_photo(
        inspection, personas.xieguan, actions.PhotoData(jpeg(), client_uuid=key)
    )
    assert not created and loser.pk == winner.pk and InspectionPhoto.objects.count() == 1
    files = list((tmp_path / "media" / "inspection-photos").rglob("*.jpg"))
    assert len(files) == 1  # the loser's stamped file was removed
