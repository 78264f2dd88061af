"""The second factor (TOTP with django-otp, and one-time recovery codes): the state of a login.

A user with a confirmed device must pass the verify step (``accounts:otp_verify``) after the
password before any page (``SecondFactorMiddleware``); with ``XIEGUAN_REQUIRE_2FA`` on, province
and county admins without one are sent to enrolment (``accounts:two_factor``) first. Whether the
user has a device is remembered in the session at login (``remember_at_login``), so an ordinary
request costs no query; the blocking states are checked against the database again, so a device
added or removed in another session is seen. The changes themselves (enrol, verify, disable,
reset) are actions in ``xieguan.accounts.actions``.
"""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import user_has_device

from xieguan.accounts.models import ADMIN_ROLES

SESSION_KEY = "xieguan_2fa"  # "device" or "none"
VERIFY = "verify"
ENROL = "enrol"


def required_for(user: Any) -> bool:
    """Whether ``user`` must have a second factor (``XIEGUAN_REQUIRE_2FA``: province and county admins)."""
    return bool(getattr(settings, "XIEGUAN_REQUIRE_2FA", False)) and user.role in ADMIN_ROLES


def has_device(user: Any) -> bool:
    return bool(user_has_device(user, confirmed=True))


def remember(request: HttpRequest, device: bool) -> None:
    request.session[SESSION_KEY] = "device" if device else "none"


def remember_at_login(request: HttpRequest, user: Any) -> None:
    remember(request, has_device(user))


def pending(request: HttpRequest) -> str | None:
    """What the logged-in user of ``request`` must do before anything else: ``VERIFY`` (enter a
    code), ``ENROL`` (required and not enrolled) or nothing (``None``)."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = request.session.get(SESSION_KEY)
    verified = bool(getattr(user, "is_verified", lambda: False)())
    if cached == "device" and verified:
        return None
    if cached == "none" and not required_for(user):
        return None
    # a blocking state, or a session from before the second factor existed: ask the database
    device = has_device(user)
    remember(request, device)
    if device:
        return None if verified else VERIFY
    return ENROL if required_for(user) else None


def qr_svg(url: str) -> SafeString:
    """``url`` (an otpauth:// URL) as an inline SVG QR code, made here (no external service, no
    script or style the CSP would refuse)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # size it by CSS (the class), not in millimetres
    svg = svg.replace('width="', 'data-w="', 1).replace('height="', 'data-h="', 1)
    return format_html(
        '<div class="otp-qr" role="img" aria-label="{}">{}</div>',
        _("两步验证二维码"),
        mark_safe(svg),  # noqa: S308 (made above from a URL, no user markup)
    )
