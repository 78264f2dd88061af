"""Keep LoginSession in step with logins and logouts (the account page lists them); remember at
login whether the user has a second factor (accounts/twofactor.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from xieguan.accounts import twofactor
from xieguan.lib.clientip import client_ip


@receiver(user_logged_in, dispatch_uid="xieguan.accounts.login_session")
def remember_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    from xieguan.accounts.models import LoginSession

    session = getattr(request, "session", None)
    if request is not None and session is not None:
        twofactor.remember_at_login(request, user)  # the second factor's state, without a query per request
    key = getattr(session, "session_key", None)
    if request is None or not key:
        return
    LoginSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
    )


@receiver(user_logged_out, dispatch_uid="xieguan.accounts.logout_session")
def forget_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    from xieguan.accounts.models import LoginSession

    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        LoginSession.objects.filter(session_key=key).delete()
