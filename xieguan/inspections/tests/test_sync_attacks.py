"""Attacks on the inspection sync (helper atka's review): another assistant of the same
township, or of another county, naming someone else's draft, inspection or photo UUID; hostile
photos in the multipart step; a session marked as one user sending another's record."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from xieguan.accounts.models import Role
from xieguan.inspections.models import Inspection, InspectionPhoto
from xieguan.inspections.tests.factories import api_payload, jpeg
from xieguan.lib.testing import TOWNSHIP, UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inspections"


def put_draft(client: Client, body: dict[str, Any]) -> Any:
    return client.put(f"{BASE}/{body['id']}/draft", json.dumps(body), content_type="application/json")


def photo(client: Client, inspection_id: str, data: bytes, key: uuid.UUID | None = None, name="x.jpg") -> Any:
    form: dict[str, Any] = {"image": SimpleUploadedFile(name, data, content_type="image/jpeg")}
    if key is not None:
        form["client_uuid"] = str(key)
    return client.post(f"{BASE}/{inspection_id}/photos", form)


@pytest.fixture
def neighbour(personas):
    """A second assistant of the same township (柏果镇) as ``xieguan``, logged in."""
    user: Any = UserFactory(
        username="xieguan_b", full_name="同镇协管员", role=Role.ASSISTANT, region_id=TOWNSHIP
    )
    client = Client()
    client.force_login(user)
    return client


def test_a_neighbour_cannot_touch_anothers_draft_photos_or_submission(
    client_for, neighbour, fubiao1, employer
):
    owner = client_for("xieguan")
    body = api_payload(employer, fubiao1, {1: "yes"})
    assert put_draft(owner, body).status_code == 200
    key = uuid.uuid4()
    mine = photo(owner, body["id"], jpeg(), key)
    assert mine.status_code == 201

    other = neighbour
    # overwrite the draft, attach a photo, delete it, delete the draft, submit over it
    hijack = dict(body, notes="改写") if "notes" in body else dict(body)
    assert put_draft(other, hijack).status_code == 404
    assert photo(other, body["id"], jpeg(), uuid.uuid4()).status_code == 404
    assert other.delete(f"{BASE}/photos/{mine.json()['id']}").status_code == 404
    assert other.delete(f"{BASE}/{body['id']}/draft").status_code == 404
    full = api_payload(employer, fubiao1, id=body["id"])
    assert other.post(f"{BASE}/submit", json.dumps(full), content_type="application/json").status_code == 404
    inspection = Inspection.objects.get(pk=body["id"])
    assert inspection.assistant.username == "xieguan" and not inspection.is_submitted
    # the neighbour's own draft naming the owner's photo UUID gets nothing back
    theirs = api_payload(employer, fubiao1, {1: "yes"})
    assert put_draft(other, theirs).status_code == 200
    reused = photo(other, theirs["id"], jpeg(), key)
    assert reused.status_code == 404 and "image" not in reused.json()
    assert InspectionPhoto.objects.get(client_uuid=key).inspection_id == inspection.pk
    assert InspectionPhoto.objects.count() == 1

    # once submitted by the owner, a repeat by the neighbour is not "the same record"
    assert owner.post(f"{BASE}/submit", json.dumps(full), content_type="application/json").status_code == 201
    again = other.post(f"{BASE}/submit", json.dumps(full), content_type="application/json")
    assert again.status_code == 404 and "inspection" not in again.json()
    assert other.get(f"{BASE}/{body['id']}").status_code in (200, 404)  # the scope decides reading


def test_another_county_gets_404_for_every_uuid(client_for, fubiao1, employer):
    owner = client_for("xieguan")
    body = api_payload(employer, fubiao1, {1: "yes"})
    put_draft(owner, body)
    key = uuid.uuid4()
    photo(owner, body["id"], jpeg(), key)
    far = client_for("xieguan2")
    assert photo(far, body["id"], jpeg(), key).status_code == 404
    assert put_draft(far, body).status_code == 404  # the employer is not theirs either
    assert far.get(f"{BASE}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    "name,data",
    [
        ("notes.jpg", b"not an image at all" * 100),
        ("html.jpg", b"<html><script>alert(1)</script></html>"),
        ("empty.jpg", b""),
        ("cut.jpg", jpeg()[:200]),
    ],
)
def test_garbage_photos_are_refused_and_nothing_is_stored(client_for, fubiao1, employer, name, data):
    owner = client_for("xieguan")
    body = api_payload(employer, fubiao1, {1: "yes"})
    put_draft(owner, body)
    response = photo(owner, body["id"], data, uuid.uuid4(), name=name)
    assert response.status_code == 422, response.content[:300]
    assert "照片" in response.json()["problems"][0]
    assert InspectionPhoto.objects.count() == 0


def test_a_pixel_bomb_and_an_oversize_file_are_refused(client_for, fubiao1, employer, settings):
    owner = client_for("xieguan")
    body = api_payload(employer, fubiao1, {1: "yes"})
    put_draft(owner, body)
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")  # 144 megapixels in a small file
    bomb = photo(owner, body["id"], buf.getvalue(), uuid.uuid4(), name="bomb.png")
    assert bomb.status_code == 422, bomb.content[:300]
    settings.XIEGUAN_MAX_IMAGE_BYTES = 10_000
    big = photo(owner, body["id"], jpeg((2000, 1500)) + b"\0" * 20_000, uuid.uuid4())
    assert big.status_code in (413, 422), big.content[:300]
    assert InspectionPhoto.objects.count() == 0


def test_a_session_marked_as_its_user_cannot_send_another_users_record(
    client_for, neighbour, fubiao1, employer
):
    """The outbox header names the session's own user, the body is another user's draft UUID:
    the owner check of the action still refuses (the header is not an authority)."""
    owner = client_for("xieguan")
    body = api_payload(employer, fubiao1, {1: "yes"})
    put_draft(owner, body)
    other = neighbour
    full = api_payload(employer, fubiao1, id=body["id"])
    sent = other.post(
        f"{BASE}/submit",
        json.dumps(full),
        content_type="application/json",
        headers={"X-Xieguan-User": "xieguan_b"},
    )
    assert sent.status_code == 404
    # and a header naming the draft's owner under the neighbour's session is 401 (ask that password)
    named = other.post(
        f"{BASE}/submit",
        json.dumps(full),
        content_type="application/json",
        headers={"X-Xieguan-User": "xieguan"},
    )
    assert named.status_code == 401
    assert not Inspection.objects.get(pk=body["id"]).is_submitted


def test_another_countys_uuid_is_looked_up_only_through_the_scope(
    client_for, personas, neighbour, fubiao1, employer, other_employer, tmp_path
):
    """The submission's and the draft's look for a UUID go through the user's scope: another
    county's inspection is not seen (as if it did not exist); naming it is met at the insert and
    answered 404 exactly like a UUID of someone else in the scope, nothing written, no file left.
    The same for a photo's UUID. The owner's own repeat still gets the first result."""
    from xieguan.inspections import actions
    from xieguan.inspections.api import visible_employer

    far = client_for("xieguan2")
    theirs = api_payload(other_employer, fubiao1)
    assert far.post(f"{BASE}/submit", json.dumps(theirs), content_type="application/json").status_code == 201
    their_draft = api_payload(other_employer, fubiao1, {1: "yes"})
    assert put_draft(far, their_draft).status_code == 200
    key = uuid.uuid4()
    assert photo(far, their_draft["id"], jpeg(), key).status_code == 201
    near = api_payload(employer, fubiao1, {1: "yes"})  # a draft of someone in xieguan's township
    assert put_draft(neighbour, near).status_code == 200
    near_key = uuid.uuid4()
    assert photo(neighbour, near["id"], jpeg(), near_key).status_code == 201

    user, their_id = personas.xieguan, uuid.UUID(theirs["id"])
    assert actions._stored(user, their_id) is None
    seen: Any = visible_employer(user, employer.pk, their_id)
    assert seen.inspection_stored is False
    seen = visible_employer(user, employer.pk, uuid.UUID(near["id"]))
    assert seen.inspection_stored is True
    files = sorted(tmp_path.rglob("*.*"))
    rows = sorted(Inspection.objects.values_list("pk", "status", "assistant__username", "updated_at"))

    owner = client_for("xieguan")
    for uuid_text in (theirs["id"], their_draft["id"]):
        body = api_payload(employer, fubiao1, id=uuid_text)
        far_answer = owner.post(f"{BASE}/submit", json.dumps(body), content_type="application/json")
        near_body = api_payload(employer, fubiao1, id=near["id"])
        near_answer = owner.post(f"{BASE}/submit", json.dumps(near_body), content_type="application/json")
        assert (far_answer.status_code, far_answer.json()) == (near_answer.status_code, near_answer.json())
        assert far_answer.status_code == 404
        assert put_draft(owner, dict(body, id=uuid_text)).status_code == 404
    mine = api_payload(employer, fubiao1, {1: "yes"})
    assert put_draft(owner, mine).status_code == 200
    far_photo, near_photo = photo(owner, mine["id"], jpeg(), key), photo(owner, mine["id"], jpeg(), near_key)
    assert (far_photo.status_code, far_photo.json()) == (near_photo.status_code, near_photo.json())
    assert far_photo.status_code == 404
    assert (
        sorted(
            Inspection.objects.exclude(pk=mine["id"]).values_list(
                "pk", "status", "assistant__username", "updated_at"
            )
        )
        == rows
    )
    assert sorted(p for p in tmp_path.rglob("*.*") if mine["id"] not in p.name) == files
    # idempotent resubmission by the owner is untouched
    again = far.post(f"{BASE}/submit", json.dumps(theirs), content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
