from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from health_check.exceptions import ServiceUnavailable

from xieguan.ops import health

pytestmark = pytest.mark.django_db


def test_health_is_public_and_answers_each_check() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "storage": "ok", "migrations": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["database", "storage", "migrations"])
def test_a_failing_check_answers_503_and_names_it(name: str, monkeypatch: Any) -> None:
    def broken(self: Any) -> None:
        raise ServiceUnavailable("down")

    monkeypatch.setattr(type(health.CHECKS[name]), "run", broken)
    response = Client().get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "down" in body["checks"][name]
    assert [k for k, v in body["checks"].items() if v != "ok"] == [name]


def test_pending_migrations_are_unhealthy(monkeypatch: Any) -> None:
    class Executor:
        def __init__(self, connection: Any) -> None:
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets: Any) -> list[Any]:
            return [("accounts", "0099_future")]

    monkeypatch.setattr(health, "MigrationExecutor", Executor)
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"].endswith("1 migration(s) not applied")


def test_only_get() -> None:
    assert Client().post("/health/").status_code == 405
