"""Domain actions on accounts. Each validates its whole input and refuses with ``AccountRefused``.

``bootstrap_province_admin`` is the first step of a new installation (``manage.py bootstrap``):
it creates the one account from which everything else is done in the app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.accounts import twofactor
from xieguan.accounts.models import ROLE_LEVELS, AccountEvent, Agency, ApiToken, Role, User
from xieguan.regions.models import Level, Region


class AccountRefused(ValidationError):
    """Invalid input or a step the accounts' state does not allow; the message says why, in Chinese."""


@transaction.atomic
def bootstrap_province_admin(
    *, province_code: str, username: str, password: str, full_name: str = ""
) -> User:
    """Create the first province admin of ``province_code``; refuse when the province has one."""
    region = Region.objects.filter(code=province_code, level=Level.PROVINCE).first()
    if region is None:
        raise AccountRefused(
            _("尚未加载区划 %(code)s：请先运行 python manage.py loadregions --province %(code)s")
            % {"code": province_code}
        )
    existing = User.objects.filter(role=Role.PROVINCE_ADMIN, region=region).order_by("pk").first()
    if existing is not None:
        raise AccountRefused(
            _("%(province)s已有省级管理员（%(username)s）；其余账号请在系统中由管理员创建。")
            % {"province": region.name, "username": existing.username}
        )
    if User.objects.filter(username=username).exists():
        raise AccountRefused(_("用户名 %(username)s 已被使用。") % {"username": username})
    user = User(
        username=username,
        full_name=full_name or _("%(province)s管理员") % {"province": region.name},
        role=Role.PROVINCE_ADMIN,
        region=region,
        is_staff=True,  # the province's code lists and templates are edited in Django admin
        is_superuser=True,
    )
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountRefused(exc.messages) from exc
    user.set_password(password)
    user.save()
    return user


# --- people and organisations, managed in the app (issue 17) ----------------------------------
#
# Who manages whom (``manageable_roles``): the province admin creates and edits prefecture
# viewers, county admins and officers anywhere in the province; a county admin creates and edits
# the officers of their county. Both may reset the password of, unlock and sign out any user in
# their subtree below them, assistants included (an assistant's account is created from the
# assistant's record in personnel and ends with the appointment or the dismissal, never here).

CREATABLE_BY: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: frozenset({Role.PREFECTURE_VIEWER, Role.COUNTY_ADMIN, Role.OFFICER}),
    Role.COUNTY_ADMIN: frozenset({Role.OFFICER}),
}
SUPPORTED_BY: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: frozenset({Role.PREFECTURE_VIEWER, Role.COUNTY_ADMIN, Role.OFFICER, Role.ASSISTANT}),
    Role.COUNTY_ADMIN: frozenset({Role.OFFICER, Role.ASSISTANT}),
}
ONE_TIME_PASSWORD_LENGTH = 12


def manageable_roles(by: User) -> frozenset[str]:
    """Roles whose accounts ``by`` may create, edit and deactivate."""
    return CREATABLE_BY.get(by.role, frozenset())


def _in_scope(by: User, target: User) -> bool:
    return target.pk != by.pk and bool(by.region_id) and target.region_id.startswith(by.region_id)


def can_edit(by: User, target: User) -> bool:
    return _in_scope(by, target) and target.role in manageable_roles(by)


def can_support(by: User, target: User) -> bool:
    """Reset the password, lift a lock-out, sign out everywhere."""
    return _in_scope(by, target) and target.role in SUPPORTED_BY.get(by.role, frozenset())


def _record(
    by: User, kind: str, *, user: User | None = None, agency: Agency | None = None, detail: str = ""
) -> None:
    region = user.region if user is not None else agency.region if agency is not None else by.region
    AccountEvent.objects.create(
        actor=by, user=user, agency=agency, region=region, kind=kind, detail=detail[:500]
    )


def _one_time_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I
    return "".join(secrets.choice(alphabet) for _ in range(ONE_TIME_PASSWORD_LENGTH))


@dataclass
class UserData:
    username: str
    full_name: str
    role: str
    region: Region
    agency: Agency | None = None
    phone: str = ""
    email: str = ""


def _check_user_data(by: User, data: UserData, instance: User | None) -> None:
    errors: dict[str, list[str]] = {}
    if data.role not in manageable_roles(by):
        errors.setdefault("role", []).append(_("您不能创建或修改该角色的账号。"))
    if not data.region.code.startswith(by.region_id or "\0"):
        errors.setdefault("region", []).append(_("所选区划不在您的管辖范围内。"))
    allowed = ROLE_LEVELS.get(data.role, ())
    if data.region.level not in allowed:
        names = "、".join(str(Level(level).label) for level in allowed)
        errors.setdefault("region", []).append(_("该角色只能设在%(levels)s一级。") % {"levels": names})
    if data.role == Role.OFFICER:
        if data.agency is None:
            errors.setdefault("agency", []).append(_("执法人员须属于一个卫生健康监督机构。"))
        elif data.agency.kind != Agency.Kind.SUPERVISION or not data.region.code.startswith(
            data.agency.region_id
        ):
            errors.setdefault("agency", []).append(_("所选机构须是该区划或其上级的卫生健康监督机构。"))
    elif data.agency is not None and not data.region.code.startswith(data.agency.region_id):
        errors.setdefault("agency", []).append(_("所选机构不在该账号的区划内。"))
    clash = User.objects.filter(username=data.username)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        errors.setdefault("username", []).append(_("用户名已被使用。"))
    if not data.full_name.strip():
        errors.setdefault("full_name", []).append(_("请填写姓名。"))
    if errors:
        raise AccountRefused(errors)


@transaction.atomic
def create_user(by: User, data: UserData) -> tuple[User, str]:
    """Create an account; returns it with a one-time password the user must change at first login."""
    _check_user_data(by, data, None)
    user = User(
        username=data.username,
        full_name=data.full_name.strip(),
        role=data.role,
        region=data.region,
        agency=data.agency,
        phone=data.phone,
        email=data.email,
        must_change_password=True,
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise AccountRefused(exc.message_dict) from exc
    password = _one_time_password()
    user.set_password(password)
    user.save()
    _record(by, AccountEvent.Kind.CREATED, user=user, detail=f"{user.get_role_display()} {user.region_id}")
    return user, password


@transaction.atomic
def update_user(by: User, target: User, data: UserData) -> User:
    if not can_edit(by, target):
        raise AccountRefused(_("您不能修改此账号。"))
    _check_user_data(by, data, target)
    changed = [
        name
        for name, value in (
            ("username", data.username),
            ("full_name", data.full_name.strip()),
            ("role", data.role),
            ("region_id", data.region.code),
            ("agency_id", data.agency.pk if data.agency else None),
            ("phone", data.phone),
            ("email", data.email),
        )
        if getattr(target, name) != value
    ]
    target.username, target.full_name, target.role = data.username, data.full_name.strip(), data.role
    target.region, target.agency, target.phone, target.email = (
        data.region,
        data.agency,
        data.phone,
        data.email,
    )
    try:
        target.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise AccountRefused(exc.message_dict) from exc
    target.save()
    if changed:
        _record(by, AccountEvent.Kind.UPDATED, user=target, detail=", ".join(changed))
    return target


def _end_sessions(target: User) -> int:
    keys = list(target.login_sessions.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    target.login_sessions.all().delete()
    revoked = target.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return len(keys) + revoked


@transaction.atomic
def set_active(by: User, target: User, *, active: bool, reason: str = "") -> User:
    if not can_edit(by, target):
        raise AccountRefused(_("您不能停用或启用此账号。"))
    if not active and not reason.strip():
        raise AccountRefused({"reason": [_("请填写停用原因。")]})
    if target.is_active == active:
        return target
    target.is_active = active
    target.save(update_fields=["is_active"])
    if not active:
        _end_sessions(target)
    kind = AccountEvent.Kind.REACTIVATED if active else AccountEvent.Kind.DEACTIVATED
    _record(by, kind, user=target, detail=reason.strip())
    return target


@transaction.atomic
def reset_password(by: User, target: User) -> str:
    """A new one-time password (shown once to ``by``); the user must change it at the next login."""
    if not can_support(by, target):
        raise AccountRefused(_("您不能重置此账号的密码。"))
    password = _one_time_password()
    target.set_password(password)
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    _end_sessions(target)
    axes_reset(username=target.username)
    _record(by, AccountEvent.Kind.PASSWORD_RESET, user=target)
    return password


@transaction.atomic
def unlock(by: User, target: User) -> int:
    """Lift a login lock-out (django-axes) of the user; returns how many lock records were cleared."""
    if not can_support(by, target):
        raise AccountRefused(_("您不能解除此账号的锁定。"))
    cleared = axes_reset(username=target.username)
    _record(
        by, AccountEvent.Kind.UNLOCKED, user=target, detail=_("清除 %(n)d 条登录失败记录") % {"n": cleared}
    )
    return cleared


def is_locked(user: User) -> bool:
    from axes.models import AccessAttempt

    limit = settings.AXES_FAILURE_LIMIT
    return AccessAttempt.objects.filter(username=user.username, failures_since_start__gte=limit).exists()


@transaction.atomic
def sign_out_everywhere(by: User, target: User) -> int:
    """End every session and revoke every device token of ``target`` (``by`` may be ``target``)."""
    if by.pk != target.pk and not can_support(by, target):
        raise AccountRefused(_("您不能让此账号退出登录。"))
    ended = _end_sessions(target)
    _record(
        by, AccountEvent.Kind.SIGNED_OUT, user=target, detail=_("结束 %(n)d 个登录或设备令牌") % {"n": ended}
    )
    return ended


@transaction.atomic
def change_own_password(user: User, *, old: str, new: str) -> None:
    errors: dict[str, list[str]] = {}
    if not user.check_password(old):
        errors["old_password"] = [_("原密码不正确。")]
    try:
        validate_password(new, user)
    except ValidationError as exc:
        errors["new_password1"] = list(exc.messages)
    if not errors and old == new:
        errors["new_password1"] = [_("新密码不能与原密码相同。")]
    if errors:
        raise AccountRefused(errors)
    user.set_password(new)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _record(user, AccountEvent.Kind.PASSWORD_CHANGED, user=user)


# --- agencies ------------------------------------------------------------------------------


def can_manage_agencies(by: User) -> bool:
    return by.role == Role.PROVINCE_ADMIN


@dataclass
class AgencyData:
    name: str
    kind: str
    region: Region
    phone: str = ""


@transaction.atomic
def save_agency(by: User, data: AgencyData, instance: Agency | None = None) -> Agency:
    """Create or edit a supervision agency or administration department of any level in the province."""
    if not can_manage_agencies(by):
        raise AccountRefused(_("只有省级管理员可以设置机构。"))
    errors: dict[str, list[str]] = {}
    if not data.region.code.startswith(by.region_id):
        errors["region"] = [_("所选区划不在您的管辖范围内。")]
    if data.region.level not in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY):
        errors.setdefault("region", []).append(_("机构设在省、市(州)或县(区)一级。"))
    if not data.name.strip():
        errors["name"] = [_("请填写机构名称。")]
    clash = Agency.objects.filter(region=data.region, kind=data.kind, name=data.name.strip())
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        errors.setdefault("name", []).append(_("该区划已有同名同类机构。"))
    if errors:
        raise AccountRefused(errors)
    agency = instance or Agency()
    created = instance is None
    agency.name, agency.kind, agency.region, agency.phone = (
        data.name.strip(),
        data.kind,
        data.region,
        data.phone,
    )
    agency.save()
    kind = AccountEvent.Kind.AGENCY_CREATED if created else AccountEvent.Kind.AGENCY_UPDATED
    _record(by, kind, agency=agency, detail=f"{agency.get_kind_display()} {agency.region_id}")
    return agency


# --- per-device API tokens ----------------------------------------------------------------------

TOKEN_PREFIX = "xg_"  # noqa: S105 (a marker, not a secret)
TOKEN_TOUCH_SECONDS = 300  # last_used_at is written at most every 5 minutes per token


def hash_key(key: str) -> str:
    """The stored form of a key. The key is 256 random bits, so a plain SHA-256 suffices (no
    password stretching is needed for a secret nobody chose)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(user: User, *, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``'s device ``name``; returns (token, key). The key is not stored:
    the caller shows it once."""
    label = (name or "").strip()
    if not label:
        raise AccountRefused(_("请填写设备名称（例如：张三的手机）。"), code="name")
    if len(label) > 50:
        raise AccountRefused(_("设备名称不能超过 50 个字。"), code="name")
    if days is not None and not 1 <= days <= 3650:
        raise AccountRefused(_("有效天数须在 1 到 3650 之间。"), code="days")
    if not user.is_active or not user.term_is_current():
        raise AccountRefused(_("账号已停用，不能创建令牌。"), code="state")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=label,
        prefix=key[:10],
        key_hash=hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User) -> ApiToken:
    """Revoke a token (its owner, or an admin who sees the owner; the caller fetched it through
    the scope). Revoking twice is harmless."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def user_for_key(key: str) -> User | None:
    """The user a bearer key stands for, or None (unknown, revoked, expired, or an account that
    may not work: inactive, dismissed, term over). Marks the token used."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    user = token.user
    if not user.is_active or not user.term_is_current():
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


# --- the second factor (TOTP and recovery codes; accounts/twofactor.py, docs/security.md) ------
#
# Verification is deliberately not one transaction: a wrong code must leave its throttle step
# (django-otp's exponential back-off per device) and its AccountEvent behind although it refuses.

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "验证器应用"
RECOVERY_DEVICE_NAME = "恢复码"


def _wait_text(data: dict[str, object] | None) -> str:
    until = (data or {}).get("locked_until")
    seconds = (
        max(int((until - timezone.now()).total_seconds()) + 1, 1) if isinstance(until, dt.datetime) else 1
    )
    return _("验证码错误次数过多，请 %(n)d 秒后再试。") % {"n": seconds}


def _delete_second_factor(user: User) -> int:
    """Delete the user's devices (their recovery codes with them); returns how many devices."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _total, per_model = model.objects.filter(user=user).delete()
        removed += per_model.get(model._meta.label, 0)
    return removed


def _new_recovery_codes(user: User) -> list[str]:
    device, _c = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def start_enrolment(user: User, *, reuse: int | None = None) -> TOTPDevice:
    """The unconfirmed TOTP device one login is enrolling: ``reuse`` (the pk that login was
    shown before, kept in its session) while it is still the user's and unconfirmed, else a new
    one with a new random key. Never another login's device: a secret shown to one session (an
    attacker's, who has only the password) must not become the device the user confirms."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise AccountRefused(_("您已启用两步验证。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=reuse).first() if reuse else None
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _end_browser_sessions(target: User, *, keep: str | None = None) -> int:
    """End ``target``'s browser sessions (all but ``keep``); device tokens stay."""
    keys = [k for k in target.login_sessions.values_list("session_key", flat=True) if k != keep]
    Session.objects.filter(session_key__in=keys).delete()
    target.login_sessions.filter(session_key__in=keys).delete()
    return len(keys)


def confirm_enrolment(
    user: User, token: str, *, device_id: int | None, keep_session: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the device this login is enrolling (``device_id``, from ``start_enrolment``) with
    a code from the app; returns the device and the new recovery codes (shown once). The user's
    other unconfirmed devices (other logins' enrolments) are deleted. A wrong code refuses and
    counts towards the throttle. The user's other browser sessions end (``keep_session``, the
    one enrolling, stays): from now on every login passes the second factor."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first() if device_id else None
    )
    if device is None:
        raise AccountRefused(_("请先打开“两步验证”页面扫描二维码。"))
    code = "".join((token or "").split())
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise AccountRefused(_wait_text(data))
    if not device.verify_token(code):  # a wrong code counts towards the throttle
        raise AccountRefused(_("验证码不正确：请输入验证器应用上当前显示的 6 位数字。"))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        ended = _end_browser_sessions(user, keep=keep_session)
        _record(
            user,
            AccountEvent.Kind.OTP_ENROLLED,
            user=user,
            detail=_("其他登录 %(n)d 个已退出") % {"n": ended},
        )
    return device, codes


RECOVERY_LOOKALIKES = str.maketrans("01", "ol")


def verify_second_factor(user: User, token: str) -> Device:
    """The device that accepts ``token`` (a 6-digit code of the app, or an unused recovery code,
    which is used up; case, spaces and a 0 or 1 for the letter o or l do not matter), or
    ``AccountRefused``. Every refusal is an AccountEvent."""
    code = "".join((token or "").split()).lower()
    if not code:
        raise AccountRefused(_("请输入验证码。"))
    if code.isdigit():
        devices: list[Device] = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        # Recovery codes are base32 (a-z, 2-7: never 0 or 1): a 0 or 1 copied by hand from a
        # printed code is the letter o or l.
        code = code.translate(RECOVERY_LOOKALIKES)
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            _record(user, AccountEvent.Kind.OTP_FAILED, user=user, detail=_("错误次数过多，暂停验证"))
            raise AccountRefused(_wait_text(data))
        if device.verify_token(code):
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                _record(
                    user,
                    AccountEvent.Kind.OTP_RECOVERY_USED,
                    user=user,
                    detail=_("剩余 %(n)d 个恢复码") % {"n": left},
                )
            return device
    _record(user, AccountEvent.Kind.OTP_FAILED, user=user)
    raise AccountRefused(_("验证码不正确：请输入验证器应用上当前显示的 6 位数字，或一个未用过的恢复码。"))


@transaction.atomic
def new_recovery_codes(user: User, *, password: str) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); shown once. The password
    confirms it is the user (a login left open must not mint codes that outlive it)."""
    if not user.check_password(password or ""):
        raise AccountRefused({"password": [_("密码不正确。")]})
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise AccountRefused(_("请先启用两步验证。"))
    codes = _new_recovery_codes(user)
    _record(user, AccountEvent.Kind.OTP_RECOVERY_CODES, user=user)
    return codes


@transaction.atomic
def disable_second_factor(user: User, *, password: str) -> None:
    """Turn the user's own second factor off (the password confirms it is them)."""
    if not user.check_password(password or ""):
        raise AccountRefused({"password": [_("密码不正确。")]})
    if twofactor.required_for(user):
        raise AccountRefused(_("本系统要求管理员使用两步验证，不能关闭；换手机请先在新手机上重新启用。"))
    if _delete_second_factor(user):
        _record(user, AccountEvent.Kind.OTP_DISABLED, user=user)


@transaction.atomic
def reset_second_factor(by: User, target: User) -> int:
    """Remove ``target``'s second factor (a lost phone): the next login needs the password only
    (and enrolment again where it is required). Ends ``target``'s browser sessions, so a login
    that stopped at the verify step cannot continue without it; device tokens stay."""
    if not can_support(by, target):
        raise AccountRefused(_("您不能重置此账号的两步验证。"))
    removed = _delete_second_factor(target)
    _end_browser_sessions(target)
    _record(by, AccountEvent.Kind.OTP_RESET, user=target, detail=_("删除 %(n)d 个验证设备") % {"n": removed})
    return removed
