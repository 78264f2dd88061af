from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
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
