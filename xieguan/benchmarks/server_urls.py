"""The project's URLs plus the benches' minimal views, for the benchmark only.

- ``bench/floor/``: the floor of inspection_submit, the least a submission can cost on this
  server: the same middleware, the same request body, and one INSERT of one row (into
  ``bench_floor``, a table `bench` creates and drops).
- ``bench/base/<key>/``: the *base* of a page bench (``base_ms``): a minimal view through the
  same middleware, for the same logged-in user, that returns what ``BASE_PAGES[key]`` gives
  (the floor SQL's rows as plain text, or the same rows as CSV, or a one-page PDF). `bench`
  uses this URL configuration for all its requests (``ROOT_URLCONF`` overridden), so app and
  base go through the same resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xieguan.lib.access import login_only, public
from xieguan.urls import urlpatterns as project_urlpatterns

FLOOR_TABLE = "bench_floor"


@public
@csrf_exempt
@require_POST
def floor_insert(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (body) VALUES (%s)", [request.body.decode()])  # noqa: S608
    return JsonResponse({"ok": True}, status=201)


# key -> a function answering the response body (bytes, or a file object sent by FileResponse)
# and its content type; set by the bench before it times the base.
BASE_PAGES: dict[str, Callable[[], tuple[Any, str]]] = {}


@login_only
def base_page(request: HttpRequest, key: str) -> HttpResponseBase:
    render = BASE_PAGES.get(key)
    if render is None:
        raise Http404
    body, content_type = render()
    if hasattr(body, "read"):
        from django.http import FileResponse

        return FileResponse(body, content_type=content_type)
    return HttpResponse(body, content_type=content_type)


def rows_text(rows: Any) -> bytes:
    """Rows as plain text: one line per row, values separated by tabs."""
    return "\n".join("\t".join(map(str, row)) for row in rows).encode()


urlpatterns = [
    path("bench/floor/", floor_insert, name="bench_floor"),
    path("bench/base/<str:key>/", base_page, name="bench_base"),
    *project_urlpatterns,
]
