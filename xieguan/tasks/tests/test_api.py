import json

import pytest

from xieguan.lib.testing import TOWNSHIP
from xieguan.tasks import actions
from xieguan.tasks.models import AssignmentStatus, TaskAssignment
from xieguan.tasks.tests.factories import assistant, document, issue

pytestmark = pytest.mark.django_db
LIST = "/api/v1/tasks/assignments"


def complete_url(pk: int) -> str:
    return f"/api/v1/tasks/assignments/{pk}/complete"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def assignment(personas):
    return issue(personas.panzhou, regions=[TOWNSHIP], files=[document()]).assignments.get()


def test_anonymous_gets_401(client, assignment):
    assert client.get(LIST).status_code == 401
    assert post(client, complete_url(assignment.pk), {"note": "完成"}).status_code == 401


def test_managers_and_officers_get_403(client_for, assignment):
    for name in ("panzhou", "sheng", "jiandu"):
        client = client_for(name)
        assert client.get(LIST).status_code == 403, name
        response = post(client, complete_url(assignment.pk), {"note": "完成"})
        assert response.status_code == 403 and response.json()["detail"] == "只有协管员可以使用交办任务接口。"


def test_another_assistant_gets_404(personas, client, client_for, assignment):
    assert client_for("xieguan2").get(LIST).json() == []
    response = post(client_for("xieguan2"), complete_url(assignment.pk), {"note": "完成"})
    assert response.status_code == 404 and response.json() == {"detail": "未找到"}
    client.force_login(assistant())  # same township, not the assignee
    assert post(client, complete_url(assignment.pk), {"note": "完成"}).status_code == 404


def test_list_and_complete(personas, client_for, assignment):
    client = client_for("xieguan")
    (item,) = client.get(LIST).json()
    assert item["id"] == assignment.pk and item["status"] == "open" and item["overdue"] is False
    assert item["attachments"][0]["name"] == "通知.pdf"
    assert item["attachments"][0]["url"].startswith("/tasks/files/")
    response = post(client, complete_url(assignment.pk), {"note": "已完成排查"})
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert client.get(LIST).json() == []
    assert [i["status"] for i in client.get(LIST + "?status=all").json()] == ["done"]


def test_complete_is_idempotent_and_conflicts_are_409(personas, client_for, assignment):
    client = client_for("xieguan")
    assert post(client, complete_url(assignment.pk), {"note": "完成"}).status_code == 200
    assert post(client, complete_url(assignment.pk), {"note": "完成"}).status_code == 200  # a retry
    assert TaskAssignment.objects.get(pk=assignment.pk).history.count() == 2  # created, done: stored once
    response = post(client, complete_url(assignment.pk), {"note": "另一个答复"})
    assert response.status_code == 409 and "不能重复填报" in response.json()["detail"]


def test_bad_input_is_400_in_chinese(client_for, assignment):
    response = post(client_for("xieguan"), complete_url(assignment.pk), {"note": "  "})
    assert response.status_code == 400 and response.json()["detail"] == "请填写完成情况。"
    assert post(client_for("xieguan"), complete_url(assignment.pk), {}).status_code == 422


def test_unable(personas, client_for, assignment):
    url = f"/api/v1/tasks/assignments/{assignment.pk}/unable"
    response = post(client_for("xieguan"), url, {"reason": "辖区无新项目"})
    assert response.status_code == 200 and response.json()["status"] == AssignmentStatus.UNABLE
    assert post(client_for("xieguan2"), url, {"reason": "x"}).status_code == 404


def test_closed_task_is_409(personas, client_for, assignment):
    actions.close_task(assignment.task, by=personas.panzhou)
    response = post(client_for("xieguan"), complete_url(assignment.pk), {"note": "完成"})
    assert response.status_code == 409 and "已关闭" in response.json()["detail"]


def test_schema_documents_the_router(client_for):
    schema = client_for("xieguan").get("/api/v1/openapi.json").json()
    assert "/api/v1/tasks/assignments" in schema["paths"]
    assert "/api/v1/tasks/assignments/{pk}/complete" in schema["paths"]
