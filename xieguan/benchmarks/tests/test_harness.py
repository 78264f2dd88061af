"""The bench harness: report shape, the explicit "not available yet", numbers checked before timing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from xieguan.benchmarks import benches
from xieguan.benchmarks.harness import (
    NOT_AVAILABLE,
    NotAvailable,
    Outcome,
    interleaved,
    interleaved_many,
    table,
)


def test_outcome_json_lines_have_the_issue_keys() -> None:
    line = Outcome("county_indicators", "query", app_ms=12.5, floor_ms=10.0, ratio=1.25, queries=15, rows=41)
    data = json.loads(json.dumps(line.as_json()))
    assert {"bench", "app_ms", "floor_ms", "ratio", "queries", "rows"} <= data.keys()
    submit = Outcome("inspection_submit", "throughput", per_s=20.0, floor_per_s=30.0).as_json()
    assert {"per_s", "floor_per_s"} <= submit.keys() and "app_ms" not in submit


def test_a_missing_view_is_reported_as_not_available_never_with_a_number() -> None:
    with pytest.raises(NotAvailable):
        benches._url("indicators:no_such_view")
    missing = Outcome("register_fu2", "export", status=NOT_AVAILABLE, note="视图尚未合入")
    assert missing.app_ms is None and "not available yet" in table([missing])


def test_a_mismatch_is_reported_and_not_timed() -> None:
    calls: list[str] = []
    outcome = benches._query_bench(
        "worklist_assistant",
        "query",
        lambda: calls.append("app"),
        lambda: calls.append("floor"),
        {"待报告的线索": 3},
        {"待报告的线索": 4},
        rows=4,
        opts=benches.Options(repeat=3, warmup=1),
        subject="",
    )
    assert outcome.status == "mismatch" and "app=3 floor=4" in outcome.note
    assert outcome.app_ms is None and calls == []


def test_interleaved_runs_app_and_floor_alternately_after_warmup() -> None:
    calls: list[str] = []
    app_ms, floor_ms = interleaved(lambda: calls.append("a"), lambda: calls.append("f"), repeat=3, warmup=2)
    assert calls == ["a", "f"] * 5
    assert app_ms >= 0 and floor_ms >= 0


def test_interleaved_many_runs_each_in_turn_after_warmup() -> None:
    calls: list[str] = []
    runs = [lambda: calls.append("a"), lambda: calls.append("s"), lambda: calls.append("b")]
    medians = interleaved_many(runs, repeat=2, warmup=1)
    assert calls == ["a", "s", "b"] * 3
    assert len(medians) == 3 and all(m >= 0 for m in medians)


def test_the_base_view_answers_its_rows_to_a_logged_in_user_only(client_for: Any, settings: Any) -> None:
    from django.test import Client

    from xieguan.benchmarks.server_urls import BASE_PAGES, rows_text

    settings.ROOT_URLCONF = "xieguan.benchmarks.server_urls"
    BASE_PAGES["t"] = lambda: (rows_text([("520526", 3), ("520527", 0)]), "text/plain; charset=utf-8")
    try:
        answer = client_for("xieguan").get("/bench/base/t/")
        assert answer.status_code == 200 and answer.content == b"520526\t3\n520527\t0"
        assert client_for("xieguan").get("/bench/base/unknown/").status_code == 404
        anonymous = Client().get("/bench/base/t/")
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    finally:
        del BASE_PAGES["t"]


def test_query_bench_with_a_base_reports_floor_as_sql_plus_base(db: Any) -> None:
    outcome = benches._query_bench(
        "page_overhead",
        "query",
        lambda: sum(range(20000)),
        lambda: None,
        True,
        True,
        rows=0,
        opts=benches.Options(repeat=3, warmup=1),
        subject="",
        base=lambda: sum(range(1000)),
    )
    data = outcome.as_json()
    assert {"app_ms", "sql_ms", "base_ms", "floor_ms", "ratio"} <= data.keys()
    assert data["floor_ms"] == round(data["sql_ms"] + data["base_ms"], 2)
