from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xieguan.accounts import twofactor

API_PREFIX = "/api/"


class ActiveTermMiddleware:
    """Log out a user whose appointment term has ended (the account works only while current).

    The JSON API is answered 401 JSON instead of a redirect to the login page, so the offline
    client knows to ask for the password and keeps its outbox (docs/sync.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.term_is_current():
            logout(request)
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": _("您的聘期已结束，账号已停用。")}, status=401)
            messages.error(request, _("您的聘期已结束，账号已停用。如需续聘请联系县(区)卫生健康行政部门。"))
            return redirect("accounts:login")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """After an admin made the account or reset its password, every page leads to the password
    change until the user has chosen their own (the API answers 403 with the same message)."""

    ALLOWED = ("/password/", "/login/verify/", "/logout/", "/static/", "/i18n/", "/health/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.ALLOWED)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("管理员为您设置了临时密码，请先修改密码。")}, status=403)
            return redirect("accounts:password_change")  # the page says why
        return self.get_response(request)


class SecondFactorMiddleware:
    """A user with a second factor enters a code (``accounts:otp_verify``) after the password,
    before any page; with ``XIEGUAN_REQUIRE_2FA`` a province or county admin without one is sent
    to enrolment (``accounts:two_factor``) and can do nothing else (the password change excepted,
    when an admin set a temporary one). The API answers such a session 401 JSON (not verified
    yet: like an ended session, so the phone keeps its outbox) or 403 (enrolment required); a request
    with a bearer device token is left to the API's own authentication (the token is the
    device's credential; accounts/twofactor.py, docs/security.md)."""

    ALWAYS = ("/login/verify/", "/logout/", "/static/", "/i18n/", "/health/")
    WHILE_ENROLLING = ("/account/two-factor/", "/password/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(self.ALWAYS) or not request.user.is_authenticated:
            return self.get_response(request)
        is_api = path.startswith(API_PREFIX)
        if is_api and request.headers.get("Authorization", "").startswith("Bearer "):
            return self.get_response(request)
        todo = twofactor.pending(request)
        if todo is None or (todo == twofactor.ENROL and path.startswith(self.WHILE_ENROLLING)):
            return self.get_response(request)
        if is_api and todo == twofactor.VERIFY:
            # 401 like an ended session: the phone keeps its outbox and asks to log in (verify)
            body = {
                "detail": _("请先完成两步验证（输入验证器应用上的验证码）后再同步。"),
                "login_url": reverse("accounts:otp_verify"),
            }
            return JsonResponse(body, status=401)
        if is_api:
            return JsonResponse({"detail": _("管理员须先启用两步验证。")}, status=403)
        target = reverse("accounts:otp_verify" if todo == twofactor.VERIFY else "accounts:two_factor")
        if request.method == "GET" and todo == twofactor.VERIFY and path != "/":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
