"""Logs as one JSON object per line, each carrying the request id, the user and the region.

``RequestContextMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` when it is a
plain token, else a new one), returns it in the ``X-Request-ID`` response header, keeps it with the
user's id, role and region code in context variables while the request runs, and writes one
access line when the response is ready. ``ContextFilter`` copies those variables onto every log
record, so a line from deep inside an action is tied to its request. Nothing personal is logged:
users appear by their numeric id, paths without their query string (a search may hold a name).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="-")
role_var: contextvars.ContextVar[str] = contextvars.ContextVar("role", default="-")
region_var: contextvars.ContextVar[str] = contextvars.ContextVar("region", default="-")

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("xieguan.request")


class ContextFilter(logging.Filter):
    """Adds request_id, user_id, role and region to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_var.get()
        record.role = role_var.get()
        record.region = region_var.get()
        return True


class RequestContextMiddleware:
    """Sits after AuthenticationMiddleware, so the user is known when the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        tokens = [request_id_var.set(rid)]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tokens += [
                user_var.set(str(user.pk)),
                role_var.set(str(getattr(user, "role", "") or "-")),
                region_var.set(str(getattr(user, "region_id", "") or "-")),
            ]
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
            return response
        finally:
            for var, token in zip((request_id_var, user_var, role_var, region_var), tokens, strict=False):
                var.reset(token)
