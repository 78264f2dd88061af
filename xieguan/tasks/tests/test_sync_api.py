"""Answers to assigned tasks and their files from the phone: exactly once by client_uuid."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xieguan.accounts.models import Notification
from xieguan.inspections.tests.factories import jpeg
from xieguan.tasks import actions
from xieguan.tasks.models import AnswerFile, AssignmentStatus, TaskAssignment
from xieguan.tasks.tests.factories import issue

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tasks/assignments"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def upload(client, pk, key, content=None, name="现场.jpg"):
    data: dict[str, object] = {"file": SimpleUploadedFile(name, content or jpeg(), content_type="image/jpeg")}
    if key is not None:
        data["client_uuid"] = str(key)
    return client.post(f"{BASE}/{pk}/files", data)


@pytest.fixture
def assignment(personas):
    task = issue(personas.panzhou, assistants=[personas.xieguan])
    return TaskAssignment.objects.get(task=task, assignee=personas.xieguan)


def test_an_answer_is_stored_once_whatever_the_repeat_says(personas, client_for, assignment):
    client = client_for("xieguan")
    key = str(uuid.uuid4())
    first = post(client, f"{BASE}/{assignment.pk}/complete", {"note": "已排查 3 家", "client_uuid": key})
    assert first.status_code == 200 and first.json()["status"] == AssignmentStatus.DONE
    again = post(client, f"{BASE}/{assignment.pk}/complete", {"note": "改了", "client_uuid": key})
    assert again.status_code == 200 and again.json()["note"] == "已排查 3 家"
    empty = post(client, f"{BASE}/{assignment.pk}/complete", {"note": "", "client_uuid": key})
    assert empty.status_code == 200  # a repeat is answered before the body is checked
    unable = post(client, f"{BASE}/{assignment.pk}/unable", {"reason": "联系不上", "client_uuid": key})
    assert unable.status_code == 200 and unable.json()["status"] == AssignmentStatus.DONE
    other = post(
        client, f"{BASE}/{assignment.pk}/complete", {"note": "再报", "client_uuid": str(uuid.uuid4())}
    )
    assert other.status_code == 409 and "不能重复填报" in other.json()["detail"]
    assert Notification.objects.filter(kind="task_answered").count() == 1


def test_answer_refusals_and_scoping(personas, client_for, assignment):
    client = client_for("xieguan")
    key = str(uuid.uuid4())
    response = post(client, f"{BASE}/{assignment.pk}/unable", {"reason": " ", "client_uuid": key})
    assert response.status_code == 400 and "原因" in response.json()["detail"]
    assert post(client_for("xieguan2"), f"{BASE}/{assignment.pk}/complete", {"note": "x"}).status_code == 404
    assert post(client_for("panzhou"), f"{BASE}/{assignment.pk}/complete", {"note": "x"}).status_code == 403
    assert (
        post(client, f"{BASE}/{assignment.pk}/unable", {"reason": "暴雨封路", "client_uuid": key}).status_code
        == 200
    )
    other_task = issue(personas.panzhou, assistants=[personas.xieguan], title="另一项")
    second = TaskAssignment.objects.get(task=other_task)
    # the same UUID on another assignment names the first answer: not found
    assert post(client, f"{BASE}/{second.pk}/complete", {"note": "x", "client_uuid": key}).status_code == 404
    second.refresh_from_db()
    assert second.status == AssignmentStatus.OPEN


def test_files_are_stored_once(personas, client_for, assignment):
    client = client_for("xieguan")
    key = uuid.uuid4()
    first = upload(client, assignment.pk, key)
    assert first.status_code == 201 and first.json()["name"] == "现场.jpg"
    again = upload(client, assignment.pk, key)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert client.get(first.json()["url"]).status_code == 200
    assert upload(client, assignment.pk, uuid.uuid4(), b"%PDF-1.4 report", name="报告.pdf").status_code == 201
    bad = upload(client, assignment.pk, uuid.uuid4(), b"not an image")
    assert bad.status_code == 400 and "照片" in bad.json()["detail"]
    assert upload(client_for("xieguan2"), assignment.pk, uuid.uuid4()).status_code == 404
    assert upload(client_for("panzhou"), assignment.pk, uuid.uuid4()).status_code == 403
    actions.close_task(assignment.task, by=personas.panzhou)
    closed = upload(client, assignment.pk, uuid.uuid4())
    assert closed.status_code == 409 and "已关闭" in closed.json()["detail"]
    assert upload(client, assignment.pk, key).status_code == 200  # a repeat is still the stored file
    assert AnswerFile.objects.count() == 2
