"""Refusals every operation shares: a body that does not fit the schema is 422 in Chinese."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_body_that_does_not_fit_the_schema_is_422_in_chinese(client_for, personas):
    response = client_for("xieguan").post(
        "/api/v1/complaints", '{"channel": "phone", "received_at": "昨天"}', content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求内容格式有误"
    assert "client_uuid：缺少此项。" in body["problems"] and "content：缺少此项。" in body["problems"]
    assert any(p.startswith("received_at：格式不正确") for p in body["problems"])


SYNC_OPERATIONS = [
    ("post", "/api/v1/inspections/submit"),
    ("post", "/api/v1/inspections/{inspection_id}/photos"),
    ("post", "/api/v1/complaints"),
    ("post", "/api/v1/leads"),
    ("post", "/api/v1/leads/{lead_id}/photos"),
    ("post", "/api/v1/assists/{assist_id}/record"),
    ("post", "/api/v1/assists/{assist_id}/photos"),
    ("post", "/api/v1/publicity"),
    ("post", "/api/v1/publicity/{event_id}/photos"),
    ("post", "/api/v1/tasks/assignments/{pk}/complete"),
    ("post", "/api/v1/tasks/assignments/{pk}/unable"),
    ("post", "/api/v1/tasks/assignments/{pk}/files"),
    ("post", "/api/v1/employers"),
    ("put", "/api/v1/employers/{employer_id}"),
    ("get", "/api/v1/offline/bundle"),
]


def test_openapi_documents_every_sync_operation_and_both_auths(client_for, personas):
    schema = client_for("xieguan").get("/api/v1/openapi.json").json()
    for method, path in SYNC_OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["summary"], path
        assert len(operation["security"]) == 2, path  # the bearer token or the session
    assert "docs/sync.md" in schema["info"]["description"]
