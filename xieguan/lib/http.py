"""Small helpers for reading requests safely."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: a ``next`` parameter never sends the
    user to another site (an open redirect) nor to a ``javascript:`` URL."""
    if not target or "\x00" in target:
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target
