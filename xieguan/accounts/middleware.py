from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class ActiveTermMiddleware:
    """Log out a user whose appointment term has ended (the account works only while current)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.term_is_current():
            logout(request)
            messages.error(request, _("您的聘期已结束，账号已停用。如需续聘请联系县(区)卫生健康行政部门。"))
            return redirect("accounts:login")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """After an admin made the account or reset its password, every page leads to the password
    change until the user has chosen their own (the API answers 403 with the same message)."""

    ALLOWED = ("/password/", "/logout/", "/static/", "/i18n/", "/health/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.ALLOWED)
        ):
            message = _("管理员为您设置了临时密码，请先修改密码。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return redirect("accounts:password_change")
        return self.get_response(request)
