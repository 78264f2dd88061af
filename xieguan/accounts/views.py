from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xieguan.accounts.forms import LoginForm
from xieguan.lib.access import AuthedRequest, login_only, public, scoped
from xieguan.lib.worklist import worklist_for


@public
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_only
class LogoutView(auth_views.LogoutView):
    pass


@scoped()
def home(request: AuthedRequest) -> HttpResponse:
    """Every user's home page is their work list (SPEC §8)."""
    user = request.user
    villages = list(user.villages.only("name")) if user.is_assistant else []  # one query, not two
    context = {
        "sections": worklist_for(user),
        "region": user.region,
        "region_path": user.region.path_name(),
        "villages": villages,
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
        qs = qs.filter(pk__in=[i for i in ids if i.isdigit()])
    qs.update(read_at=timezone.now())
    return redirect(request.POST.get("next") or "accounts:notifications")
