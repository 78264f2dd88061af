"""The client's address, behind the documented reverse proxy (README: nginx in front of gunicorn).

``TRUSTED_PROXY_COUNT`` says how many proxies of our own stand in front of the app (0: none, the
development server; 1: nginx as in deploy/nginx/xieguan.conf). Each proxy appends the address it
saw to ``X-Forwarded-For``, so the client is the entry that many places from the right; anything
further left was sent by the client and is not believed. With no proxy, or a header shorter than
the count (a request that did not pass through them), the socket's address is used.

django-axes takes its addresses from here (``AXES_CLIENT_IP_CALLABLE``), as do the login sessions.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
