from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.actions import AccountRefused, create_token, revoke_token
from xieguan.accounts.forms import LoginForm, TokenForm
from xieguan.accounts.models import ApiToken, Role
from xieguan.lib.access import AuthedRequest, login_only, public, scoped
from xieguan.lib.clientip import client_ip
from xieguan.lib.http import safe_next
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.worklist import worklist_for
from xieguan.regions.models import Region


@public
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_is_locked(request):
            return locked_out(request, by_address=True)
        return super().post(request, *args, **kwargs)


def cooloff_text(cooloff: dt.timedelta | None = None) -> str:
    """The lock-out period in words ("30 分钟", "2 小时"), not ISO 8601 ("PT30M")."""
    minutes = int((cooloff or settings.AXES_COOLOFF_TIME).total_seconds() // 60)
    if minutes >= 60 and minutes % 60 == 0:
        return _("%(n)s 小时") % {"n": minutes // 60}
    return _("%(n)s 分钟") % {"n": max(minutes, 1)}


def address_is_locked(request: HttpRequest) -> bool:
    """Password spraying: too many failed logins from this address, for any usernames, lately."""
    from axes.models import AccessFailureLog

    address = client_ip(request)
    if not address:
        return False
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()
    return failures >= settings.XIEGUAN_LOGIN_ADDRESS_LIMIT


def locked_out(request: HttpRequest, *args: Any, by_address: bool = False, **kwargs: Any) -> HttpResponse:
    """The lock page (django-axes' AXES_LOCKOUT_CALLABLE, and the address throttle): 429."""
    context = {"cooloff": cooloff_text(), "by_address": by_address}
    return render(request, "accounts/locked.html", context, status=429)


@login_only
class LogoutView(auth_views.LogoutView):
    pass


@scoped()
def home(request: AuthedRequest) -> HttpResponse:
    """Every user's home page is their work list (SPEC §8)."""
    user = request.user
    region = user.region
    # The region's ancestors (for its full name) and an assistant's villages in one statement.
    above = set(region.ancestor_codes)
    wanted = Region.objects.filter(code__in=above).order_by()
    if user.is_assistant:
        wanted = wanted.union(user.villages.order_by(), all=True)
    rows = list(wanted)
    context = {
        "sections": worklist_for(user),
        "region": region,
        "region_path": region.path_name(ancestors=[r for r in rows if r.code in above]),
        "villages": sorted((r for r in rows if r.code not in above), key=lambda r: r.code),
    }
    return render(request, "accounts/home.html", context)


@login_only
def notifications(request: AuthedRequest) -> HttpResponse:
    qs = request.user.notifications.all()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@login_only
@require_POST
def notifications_read(request: AuthedRequest) -> HttpResponse:
    ids = request.POST.getlist("id")
    qs = request.user.notifications.filter(read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=[i for i in ids if i.isdecimal()])
    qs.update(read_at=timezone.now())
    return redirect(safe_next(request, request.POST.get("next")) or "accounts:notifications")


# --- per-device API tokens (docs/sync.md) ---------------------------------------------------------

TOKEN_ADMINS = (Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)


@login_only
def tokens(request: AuthedRequest) -> HttpResponse:
    """The user's own API tokens: list, create (the key is shown once, on this response only)."""
    form = TokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = create_token(
                request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except AccountRefused as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                _("令牌“%(name)s”已创建。请立即复制保存，离开本页后将无法再次查看。") % {"name": token.name},
            )
            form = TokenForm()
    context = {"form": form, "key": key, "tokens": request.user.api_tokens.select_related("revoked_by")}
    return render(request, "accounts/tokens.html", context)


@login_only
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # someone else's: 404
    revoke_token(token, by=request.user)
    messages.success(request, _("令牌“%(name)s”已撤销，使用它的设备需要重新登录。") % {"name": token.name})
    return redirect("accounts:tokens")


@scoped(*TOKEN_ADMINS)
def admin_tokens(request: AuthedRequest) -> HttpResponse:
    """The tokens of the users in the admin's region (a county admin: their county)."""
    qs = ApiToken.objects.visible_to(request.user).select_related("user", "user__region", "revoked_by")
    page = Paginator(qs.order_by("revoked_at", "-created_at"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/admin_tokens.html", {"page": page})


@scoped(*TOKEN_ADMINS)
@require_POST
def admin_token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_visible_or_404(
        ApiToken.objects.select_related("user"), request.user, pk=pk
    )  # other county: 404
    revoke_token(token, by=request.user)
    messages.success(
        request, _("已撤销 %(user)s 的令牌“%(name)s”。") % {"user": token.user, "name": token.name}
    )
    return redirect("accounts:admin_tokens")
