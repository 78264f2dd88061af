"""The project's URLs plus the floor of inspection_submit, for the benchmark server only.

The floor is the least a submission can cost on this server: the same middleware, the same
request body, and one INSERT of one row (into ``bench_floor``, a table `bench` creates and drops).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xieguan.lib.access import public
from xieguan.urls import urlpatterns as project_urlpatterns

FLOOR_TABLE = "bench_floor"


@public
@csrf_exempt
@require_POST
def floor_insert(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (body) VALUES (%s)", [request.body.decode()])  # noqa: S608
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [path("bench/floor/", floor_insert, name="bench_floor"), *project_urlpatterns]
