"""People and organisations in the app: accounts, agencies, one's own password and sessions.

Thin adapters around ``xieguan.accounts.actions``; every record through ``visible_to`` /
``get_visible_or_404`` (another county's account is 404), every change a POST.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts import actions, twofactor
from xieguan.accounts.actions import AccountRefused
from xieguan.accounts.forms import AgencyForm, OwnPasswordForm, ReasonForm, UserFilterForm, UserForm
from xieguan.accounts.models import AccountEvent, Agency, LoginSession, Role, User
from xieguan.lib.access import AuthedRequest, login_only, scoped
from xieguan.lib.scoping import get_visible_or_404

ADMINS = (Role.PROVINCE_ADMIN, Role.COUNTY_ADMIN)


def _refusal_to_form(form: Any, exc: AccountRefused) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _locked() -> Any:
    return Exists(
        AccessAttempt.objects.filter(
            username=OuterRef("username"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        )
    )


def _users(by: User) -> QuerySet[User]:
    return User.objects.visible_to(by).select_related("region", "agency").annotate(locked=_locked())


@scoped(*ADMINS)
def users(request: AuthedRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    qs = _users(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(
                Q(username__icontains=data["q"])
                | Q(full_name__icontains=data["q"])
                | Q(phone__icontains=data["q"])
            )
        if data["role"]:
            qs = qs.filter(role=data["role"])
        if data["region"]:
            qs = qs.filter(region__code__startswith=data["region"])
        status = data["status"]
        if status == "active":
            qs = qs.filter(is_active=True)
        elif status == "inactive":
            qs = qs.filter(is_active=False)
        elif status == "must_change":
            qs = qs.filter(must_change_password=True)
        elif status == "locked":
            qs = qs.filter(_locked())
    page = Paginator(qs.order_by("region_id", "role", "username"), 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_create": bool(actions.manageable_roles(request.user))}
    return render(request, "accounts/users.html", context)


@scoped(*ADMINS)
def user_new(request: AuthedRequest) -> HttpResponse:
    form = UserForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = actions.create_user(request.user, form.to_data())
        except AccountRefused as exc:
            _refusal_to_form(form, exc)
        else:
            return _show_password(request, user, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


def _show_password(request: AuthedRequest, user: User, password: str, *, created: bool) -> HttpResponse:
    response = render(
        request, "accounts/one_time_password.html", {"target": user, "password": password, "created": created}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _account_context(request: AuthedRequest, target: User) -> dict[str, Any]:
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    sessions = target.login_sessions.filter(session_key__in=live)
    by = request.user
    return {
        "target": target,
        "sessions": sessions,
        "current_key": request.session.session_key,
        "tokens": target.api_tokens.filter(revoked_at__isnull=True),
        "events": AccountEvent.objects.filter(user=target).select_related("actor")[:20],
        "locked": actions.is_locked(target),
        "second_factor": twofactor.has_device(target),
        "can_edit": actions.can_edit(by, target),
        "can_support": actions.can_support(by, target),
        "is_self": by.pk == target.pk,
        "reason_form": ReasonForm(),
    }


@scoped(*ADMINS)
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User.objects.select_related("region", "agency"), request.user, pk=pk)
    return render(request, "accounts/user_detail.html", _account_context(request, target))


@login_only
def me(request: AuthedRequest) -> HttpResponse:
    """Every user's own account: sessions, devices, password, sign out everywhere."""
    return render(request, "accounts/user_detail.html", _account_context(request, request.user))


@scoped(*ADMINS)
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User, request.user, pk=pk)
    if not actions.can_edit(request.user, target):
        raise PermissionDenied(_("您不能修改此账号。"))
    initial = {
        "username": target.username,
        "full_name": target.full_name,
        "role": target.role,
        "region": target.region_id,
        "agency": target.agency_id,
        "phone": target.phone,
        "email": target.email,
    }
    form = UserForm(request.POST or None, by=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_user(request.user, target, form.to_data())
        except AccountRefused as exc:
            _refusal_to_form(form, exc)
        else:
            messages.success(request, _("账号已保存。"))
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


def _post_action(request: AuthedRequest, pk: int, needs: str) -> User:
    target = get_visible_or_404(User, request.user, pk=pk)
    allowed = actions.can_edit if needs == "edit" else actions.can_support
    if not allowed(request.user, target):
        raise PermissionDenied(_("您不能对此账号进行该操作。"))
    return target


@scoped(*ADMINS)
@require_POST
def user_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _post_action(request, pk, "edit")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("停用账号须填写原因。"))
        return redirect("accounts:user_detail", pk=pk)
    actions.set_active(request.user, target, active=False, reason=form.cleaned_data["reason"])
    messages.success(request, _("账号已停用，其所有登录和设备令牌已失效。"))
    return redirect("accounts:user_detail", pk=pk)


@scoped(*ADMINS)
@require_POST
def user_reactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _post_action(request, pk, "edit")
    actions.set_active(request.user, target, active=True)
    messages.success(request, _("账号已启用。"))
    return redirect("accounts:user_detail", pk=pk)


@scoped(*ADMINS)
@require_POST
def user_reset_password(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _post_action(request, pk, "support")
    password = actions.reset_password(request.user, target)
    return _show_password(request, target, password, created=False)


@scoped(*ADMINS)
@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _post_action(request, pk, "support")
    actions.unlock(request.user, target)
    messages.success(request, _("已解除登录锁定。"))
    return redirect("accounts:user_detail", pk=pk)


@scoped(*ADMINS)
@require_POST
def user_sign_out(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _post_action(request, pk, "support")
    actions.sign_out_everywhere(request.user, target)
    messages.success(request, _("该账号已在所有设备上退出登录。"))
    return redirect("accounts:user_detail", pk=pk)


@login_only
@require_POST
def me_sign_out(request: AuthedRequest) -> HttpResponse:
    actions.sign_out_everywhere(request.user, request.user)
    messages.info(request, _("您已在所有设备上退出登录，设备令牌已全部撤销。请重新登录。"))
    return redirect("accounts:login")


@login_only
def password_change(request: AuthedRequest) -> HttpResponse:
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_own_password(
                request.user, old=form.cleaned_data["old_password"], new=form.cleaned_data["new_password1"]
            )
        except AccountRefused as exc:
            _refusal_to_form(form, exc)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, request.user)  # keeps this login, under a new session key
            LoginSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
            messages.success(request, _("密码已修改。"))
            return redirect("accounts:home")
    forced = request.user.must_change_password
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@scoped(*ADMINS)
def agencies(request: AuthedRequest) -> HttpResponse:
    qs = (
        Agency.objects.visible_to(request.user).select_related("region").order_by("region_id", "kind", "name")
    )
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "can_manage": actions.can_manage_agencies(request.user)}
    return render(request, "accounts/agencies.html", context)


@scoped(Role.PROVINCE_ADMIN)
def agency_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    instance = get_visible_or_404(Agency, request.user, pk=pk) if pk is not None else None
    initial = (
        {"name": instance.name, "kind": instance.kind, "region": instance.region_id, "phone": instance.phone}
        if instance
        else {}
    )
    form = AgencyForm(request.POST or None, by=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_agency(request.user, form.to_data(), instance)
        except AccountRefused as exc:
            _refusal_to_form(form, exc)
        else:
            messages.success(request, _("机构已保存。"))
            return redirect("accounts:agencies")
    return render(request, "accounts/agency_form.html", {"form": form, "instance": instance})
