"""The measuring part of `manage.py bench`: timing, query counts, peak memory, results.

Each benchmark goes through the code path of a user's request (the Django test client with
``force_login``, or a real server process for the throughput benchmark) and, beside it, a
*floor*: the same numbers computed by one hand-written SQL statement on the same database in
the same run, plus the *base*: a minimal view through the same middleware with the same
logged-in user that returns those rows as plain text (``floor_ms = sql_ms + base_ms``). App,
SQL and base runs are interleaved (app, sql, base, app, sql, base …) after a warm-up, so a busy
machine slows them alike; each figure is the median.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

NOT_AVAILABLE = "not available yet"


@dataclass
class Outcome:
    """One line of the report. Query-shaped benches fill app_ms/floor_ms/ratio/queries/rows;
    throughput benches fill per_s/floor_per_s. ``floor_ms`` is ``sql_ms + base_ms`` (the SQL
    statement, and the minimal view through the same middleware returning its rows as text);
    ``ratio`` is ``app_ms / floor_ms``."""

    bench: str
    kind: str  # query, export, document, throughput
    status: str = "ok"  # ok, mismatch, not available yet, error
    app_ms: float | None = None
    floor_ms: float | None = None
    sql_ms: float | None = None
    base_ms: float | None = None
    ratio: float | None = None
    queries: int | None = None
    rows: int | None = None
    per_s: float | None = None
    floor_per_s: float | None = None
    peak_mb: float | None = None
    subject: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {k: v for k, v in {**data, **extra}.items() if v not in (None, "", {})}


class NotAvailable(Exception):
    """The view this bench measures is not on this branch yet."""


class Mismatch(Exception):
    """The app's numbers differ from the floor's."""


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def interleaved(
    app: Callable[[], Any], floor: Callable[[], Any], repeat: int, warmup: int
) -> tuple[float, float]:
    """Median milliseconds of app and floor, run alternately after ``warmup`` runs of each."""
    for _ in range(warmup):
        app()
        floor()
    app_s: list[float] = []
    floor_s: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        app()
        middle = time.perf_counter()
        floor()
        app_s.append(middle - started)
        floor_s.append(time.perf_counter() - middle)
    return median_ms(app_s), median_ms(floor_s)


def interleaved_many(runs: list[Callable[[], Any]], repeat: int, warmup: int) -> list[float]:
    """Median milliseconds of each callable, run in turn (a, b, c, a, b, c …) after warm-up."""
    for _ in range(warmup):
        for run in runs:
            run()
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, times in zip(runs, samples, strict=True):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return [median_ms(times) for times in samples]


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def peak_memory_mb(fn: Callable[[], Any]) -> float:
    """Peak of Python heap allocations while ``fn`` runs (tracemalloc), in MiB."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 1)


@contextmanager
def rendered_contexts() -> Iterator[list[Any]]:
    """Collect the template contexts of the responses made inside (for checking numbers).

    Uses Django's test instrumentation, only around the checking request: timed requests
    render without it.
    """
    from django.test import signals
    from django.test.utils import _TestState, setup_test_environment, teardown_test_environment

    contexts: list[Any] = []

    def collect(sender: Any, context: Any, **kwargs: Any) -> None:
        contexts.append(context)

    own = not hasattr(_TestState, "saved_data")  # under pytest it is already set up
    if own:
        from django.conf import settings

        debug = settings.DEBUG
        setup_test_environment(debug=debug)
    signals.template_rendered.connect(collect)
    try:
        yield contexts
    finally:
        signals.template_rendered.disconnect(collect)
        if own:
            teardown_test_environment()


def context_value(contexts: list[Any], key: str) -> Any:
    for context in contexts:
        try:
            return context[key]
        except KeyError:
            continue
    raise Mismatch(f"the view rendered no context variable {key!r}")


def fetch(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def table(outcomes: list[Outcome]) -> str:
    """The summary table printed after the JSON lines."""
    columns: list[tuple[str, int]] = [("app", 10), ("floor", 10), ("sql", 9), ("base", 9), ("ratio", 7)]
    columns += [("queries", 8), ("rows", 8), ("peak MB", 8)]
    head = f"{'bench':<22} " + " ".join(f"{name:>{width}}" for name, width in columns) + "  status"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        if o.per_s is not None:
            app, floor = f"{o.per_s:.1f}/s", f"{o.floor_per_s:.1f}/s" if o.floor_per_s else "—"
        else:
            app = f"{o.app_ms:.1f}ms" if o.app_ms is not None else "—"
            floor = f"{o.floor_ms:.1f}ms" if o.floor_ms is not None else "—"
        sql = f"{o.sql_ms:.1f}ms" if o.sql_ms is not None else "—"
        base = f"{o.base_ms:.1f}ms" if o.base_ms is not None else "—"
        ratio = f"{o.ratio:.2f}" if o.ratio is not None else "—"
        queries = str(o.queries) if o.queries is not None else "—"
        rows = str(o.rows) if o.rows is not None else "—"
        peak = f"{o.peak_mb:.1f}" if o.peak_mb is not None else "—"
        status = o.status + (f" ({o.note})" if o.note and o.status != "ok" else "")
        times = f"{app:>10} {floor:>10} {sql:>9} {base:>9} {ratio:>7}"
        lines.append(f"{o.bench:<22} {times} {queries:>8} {rows:>8} {peak:>8}  {status}")
    return "\n".join(lines)
