"""``GET /health/``: is this instance able to serve? (database, private storage, migrations)

Built on django-health-check's checks (``Database`` runs ``SELECT 1``, ``Storage`` writes, reads
and deletes a probe file in the private media storage), plus one of ours: every migration applied.
The answer is JSON, 200 when all pass and 503 when one fails, so a load balancer or systemd's
watchdog can act on the status code alone. It names no user, record or setting value.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from health_check.base import HealthCheck, HealthCheckResult
from health_check.checks import Database, Storage
from health_check.exceptions import ServiceUnavailable

from xieguan.lib.access import public


class Migrations(HealthCheck):
    """Every migration the code ships is applied (a deploy that skipped ``migrate`` is unhealthy)."""

    def run(self) -> None:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        connection.close()  # this runs in a worker thread: do not leave its connection open
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) not applied")

    def __repr__(self) -> str:
        return "Migrations"


CHECKS: dict[str, HealthCheck] = {
    "database": Database(),
    "storage": Storage(),
    "migrations": Migrations(),
}


async def run_checks() -> dict[str, HealthCheckResult]:
    results = await asyncio.gather(*(check.get_result() for check in CHECKS.values()))
    return dict(zip(CHECKS, results, strict=True))


def report(results: dict[str, HealthCheckResult]) -> tuple[int, dict[str, Any]]:
    failed = {name: str(r.error) for name, r in results.items() if r.error}
    body = {
        "status": "error" if failed else "ok",
        "checks": {name: failed.get(name, "ok") for name in results},
        "ms": {name: round(r.time_taken * 1000, 1) for name, r in results.items()},
    }
    return (503 if failed else 200), body


@public
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    # A WSGI request thread has no running event loop; the checks' blocking work runs in
    # worker threads (each with its own database connection, closed after the check).
    status, body = report(asyncio.run(run_checks()))
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response
