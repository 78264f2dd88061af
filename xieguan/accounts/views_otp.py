"""The second factor in the browser: the verify step after the password, enrolment (QR code,
recovery codes), turning it off, and an admin's reset. Thin adapters around the actions in
``xieguan.accounts.actions``; the state of a login is ``xieguan.accounts.twofactor``."""

from __future__ import annotations

import base64

import django_otp
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.accounts import actions, twofactor
from xieguan.accounts.actions import AccountRefused
from xieguan.accounts.forms import OtpCodeForm, OtpConfirmForm, OtpDisableForm
from xieguan.accounts.views_people import ADMINS, _post_action, _refusal_to_form
from xieguan.lib.access import AuthedRequest, login_only, scoped
from xieguan.lib.http import safe_next

CODES_PREFIX = "codes"  # the password field of 重新生成恢复码, beside the one of 关闭两步验证
ENROLLING = "xieguan_2fa_enrolling"  # the pk of the unconfirmed device this session was shown


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"  # a secret or recovery codes on the page
    return response


@login_only
def otp_verify(request: AuthedRequest) -> HttpResponse:
    """The second step of a login: a code of the app or a recovery code."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next")) or "/"
    if twofactor.pending(request) != twofactor.VERIFY:
        return redirect(next_url)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.verify_second_factor(request.user, form.cleaned_data["code"])
        except AccountRefused as exc:
            _refusal_to_form(form, exc)
        else:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("已使用一个恢复码，还剩 %(n)d 个。用完前请在“我的账号 → 两步验证”重新生成。")
                    % {"n": left},
                )
            return redirect(next_url)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _recovery_page(request: AuthedRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    context = {"codes": codes, "enrolled": enrolled}
    return _no_store(render(request, "accounts/otp_recovery_codes.html", context))


@login_only
def two_factor(request: AuthedRequest) -> HttpResponse:
    """两步验证: the state, enrolment (QR code + secret, confirmed with a code), new recovery
    codes, turning it off."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = OtpConfirmForm(request.POST or None)
    context: dict[str, object] = {
        "confirmed": confirmed,
        "required": twofactor.required_for(user),
        "disable_form": OtpDisableForm(),
        "codes_form": OtpDisableForm(prefix=CODES_PREFIX),
    }
    if confirmed is not None:
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        context["recovery_left"] = recovery.token_set.count() if recovery else 0
        return render(request, "accounts/two_factor.html", context)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = actions.confirm_enrolment(
                user,
                form.cleaned_data["code"],
                device_id=request.session.get(ENROLLING),
                keep_session=request.session.session_key,
            )
        except AccountRefused as exc:
            _refusal_to_form(form, exc)
        else:
            django_otp.login(request, device)  # this login counts as verified
            twofactor.remember(request, True)
            return _recovery_page(request, codes, enrolled=True)
    device = actions.start_enrolment(user, reuse=request.session.get(ENROLLING))
    request.session[ENROLLING] = device.pk  # this login confirms this device only
    secret = base64.b32encode(device.bin_key).decode()
    context.update(
        form=form,
        qr=twofactor.qr_svg(device.config_url),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
    return _no_store(render(request, "accounts/two_factor.html", context))


@login_only
@require_POST
def two_factor_recovery(request: AuthedRequest) -> HttpResponse:
    form = OtpDisableForm(request.POST, prefix=CODES_PREFIX)
    if not form.is_valid():
        messages.error(request, _("重新生成恢复码须输入登录密码。"))
        return redirect("accounts:two_factor")
    try:
        codes = actions.new_recovery_codes(request.user, password=form.cleaned_data["password"])
    except AccountRefused as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:two_factor")
    return _recovery_page(request, codes, enrolled=False)


@login_only
@require_POST
def two_factor_disable(request: AuthedRequest) -> HttpResponse:
    form = OtpDisableForm(request.POST)
    if form.is_valid():
        try:
            actions.disable_second_factor(request.user, password=form.cleaned_data["password"])
        except AccountRefused as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            twofactor.remember(request, False)
            messages.success(request, _("两步验证已关闭，登录时只需密码。"))
    else:
        messages.error(request, _("关闭两步验证须输入登录密码。"))
    return redirect("accounts:two_factor")


@scoped(*ADMINS)
@require_POST
def user_reset_two_factor(request: AuthedRequest, pk: int) -> HttpResponse:
    """A county admin (the province admin: anyone) removes a user's second factor, e.g. a lost phone."""
    target = _post_action(request, pk, "support")
    actions.reset_second_factor(request.user, target)
    messages.success(
        request, _("已重置该账号的两步验证，其网页登录已全部退出；下次登录只需密码，可重新启用。")
    )
    return redirect("accounts:user_detail", pk=pk)
