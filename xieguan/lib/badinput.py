"""No 500 from odd input (issue 14 item 6): a clear 400 in Chinese instead.

``BadInputMiddleware`` refuses, before any view runs, a request whose path, query string or form
fields contain a NUL byte (PostgreSQL cannot store one, and no page needs it). Afterwards it turns
the database's own refusals of out-of-range input into a 400: an integer too large for a column
(``OverflowError`` on SQLite, ``DataError`` on PostgreSQL), a NUL inside a JSON body. Views still
validate their input (a year, a region code, a ``next`` URL: see xieguan/lib/http.py); this is the
net under them, so that a probe finds a refusal and never a server error. Pages get templates/400.html,
the API ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def refusal(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "400.html", {"message": message}, status=400)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return True
    return False


class BadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return refusal(request, _("请求中含有不允许的字符（空字符），请检查输入后重试。"))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError | DataError):
            return refusal(request, _("输入的数值超出允许范围或格式不正确，请检查后重试。"))
        if isinstance(exception, ValueError) and "NUL" in str(exception):
            return refusal(request, _("请求中含有不允许的字符（空字符），请检查输入后重试。"))
        return None
