from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from xieguan.ops.logs import ContextFilter


@pytest.fixture
def json_lines() -> Any:
    """Capture xieguan.request lines through the production formatter and filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config: Any = settings.LOGGING["formatters"]["json"]  # type: ignore[index]
    handler.setFormatter(JsonFormatter(config["fmt"], rename_fields=config["rename_fields"]))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("xieguan.request")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old)


def test_each_request_gets_an_id_and_one_json_line(client_for: Any, personas: Any, json_lines: Any) -> None:
    response = client_for("panzhou").get("/employers/?q=张三")
    rid = response["X-Request-ID"]
    assert len(rid) == 32
    [line] = [entry for entry in json_lines() if entry["path"] == "/employers/"]
    assert line["request_id"] == rid
    assert line["user_id"] == str(personas.panzhou.pk)
    assert line["role"] == "county_admin"
    assert line["region"] == "520281"
    assert line["status"] == 200
    assert line["level"] == "INFO" and line["logger"] == "xieguan.request"
    text = json.dumps(line, ensure_ascii=False)
    assert "张三" not in text  # no query string
    assert "panzhou" not in text and personas.panzhou.full_name not in text  # no names


def test_a_proxy_request_id_is_kept_when_plain_and_replaced_when_not(db: Any, json_lines: Any) -> None:
    kept = Client().get("/login/", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert kept["X-Request-ID"] == "edge-1234abcd"
    replaced = Client().get("/login/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
    anonymous = [e for e in json_lines() if e["request_id"] == "edge-1234abcd"]
    assert anonymous and anonymous[0]["user_id"] == "-"


def test_lines_outside_a_request_carry_dashes() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    ContextFilter().filter(record)
    assert (record.request_id, record.user_id, record.region) == ("-", "-", "-")  # type: ignore[attr-defined]
