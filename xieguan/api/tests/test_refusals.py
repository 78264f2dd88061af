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
