"""Feedback while a file is made: the server's half (the page's half is in static/xieguan/app.js).

A link marked ``data-download`` (an export: the province's lead register takes about 10 s before
its first byte) is followed by the page with ``?xg_download=<token>`` added, the link disabled and
saying 正在生成文件，请稍候…. ``DownloadStartedMiddleware`` answers any request carrying a
well-formed token with a cookie ``xg_dl_<token>=1`` set on the response itself, so the browser
has it when the response begins: for an export written to a temporary file first, when the file
is ready and its download starts; for a streamed one, when the stream starts. The page polls for
that cookie, deletes it and gives the link back. Without JavaScript the link is a plain link and no
token is sent. The cookie says nothing but "the answer to this token has begun": readable by the
page (not HttpOnly), for five minutes (a background tab polls seldom), on the whole site (the
page reading it is not under the export's path).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

PARAM = "xg_download"
COOKIE_PREFIX = "xg_dl_"
TOKEN = re.compile(r"[0-9a-f]{16,32}")
MAX_AGE = 300


def started_cookie(token: str) -> str:
    return COOKIE_PREFIX + token


class DownloadStartedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        token = request.GET.get(PARAM, "")
        if token and TOKEN.fullmatch(token):
            response.set_cookie(
                started_cookie(token),
                "1",
                max_age=MAX_AGE,
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,
                samesite="Lax",
            )
        return response
