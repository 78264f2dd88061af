"""The client's address: the one helper (audit log, sessions), correct behind the reverse proxy.

Behind the documented nginx (deploy/nginx/xieguan.conf, ``X-Forwarded-For
$proxy_add_x_forwarded_for``), the address that reached the app is the proxy's; the client is
the entry the last trusted proxy appended. ``XIEGUAN_TRUSTED_PROXY_COUNT`` (default 0: no proxy,
``REMOTE_ADDR`` is the client) says how many proxies stand in front of the app; the entries
before those are written by the client and are never trusted.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The client's IP address as a string, or None when it cannot be told."""
    meta = getattr(request, "META", {})
    proxies = int(getattr(settings, "XIEGUAN_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return _valid(hops[-proxies])
    return _valid(str(meta.get("REMOTE_ADDR") or ""))
