"""Who may call which view: the deny-by-default guard.

Every view declares its access with one of three decorators:

- ``@public`` — anyone, logged in or not (login page, health check);
- ``@scoped(*roles)`` — a logged-in user of one of ``roles`` (all roles when none given),
  and the view promises to reach records only through ``visible_to`` /
  ``get_visible_or_404`` (xieguan.lib.scoping), so a record outside the user's region is 404;
- ``@login_only`` — any logged-in user, for views that touch no regional record
  (own profile, language switch).

``ScopeGuardMiddleware`` refuses every view that has no declaration, so a new view is
closed until its author says how it is scoped. Django admin is open to province admins
only; the JSON API declares access per operation (xieguan.api). A test walks every URL
pattern and fails on an undeclared one (xieguan/accounts/tests/test_url_guard.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

ACCESS_ATTR = "xieguan_access"
OPEN_NAMESPACES = {"api-1"}  # the API authenticates and scopes per operation
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Access:
    kind: str  # "public", "login", "scoped"
    roles: frozenset[str] = frozenset()


def _mark(access: Access) -> Callable[[Any], Any]:
    def decorate(view: Any) -> Any:
        setattr(view, ACCESS_ATTR, access)
        return view

    return decorate


def public(view: Any) -> Any:
    return _mark(Access("public"))(view)


def login_only(view: Any) -> Any:
    return _mark(Access("login"))(view)


def scoped(*roles: str) -> Callable[[Any], Any]:
    """Declare a view region-scoped, optionally limited to some roles."""
    return _mark(Access("scoped", frozenset(str(r) for r in roles)))


def access_of(callback: Any) -> Access | None:
    """The declaration of a resolved URL callback (function or class-based view)."""
    for candidate in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        if candidate is not None and hasattr(candidate, ACCESS_ATTR):
            found: Access = getattr(candidate, ACCESS_ATTR)
            return found
    return None


def user_has_role(user: Any, roles: Iterable[str]) -> bool:
    roles = frozenset(roles)
    return not roles or getattr(user, "role", None) in roles


class ScopeGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        namespaces = set(match.namespaces) if match else set()
        if ADMIN_NAMESPACE in namespaces:
            return self._guard_admin(request)
        if namespaces & OPEN_NAMESPACES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        access = access_of(view_func)
        if access is None:
            # Deny by default: the view has not said how it is scoped.
            raise Http404("未声明访问范围的页面")
        if access.kind == "public":
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if access.kind == "scoped" and not user_has_role(request.user, access.roles):
            raise PermissionDenied("您的角色无权访问此页面")
        return None

    @staticmethod
    def _guard_admin(request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None  # the admin's own login page
        if getattr(user, "is_province_admin", False) or user.is_superuser:
            return None
        raise Http404("无权访问")


if TYPE_CHECKING:
    from xieguan.accounts.models import User

    class AuthedRequest(HttpRequest):
        """The request of a view behind @scoped or @login_only: the user is logged in."""

        user: User

else:
    AuthedRequest = HttpRequest
