"""Domain actions on accounts. Each validates its whole input and refuses with ``AccountRefused``.

``bootstrap_province_admin`` is the first step of a new installation (``manage.py bootstrap``):
it creates the one account from which everything else is done in the app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import ApiToken, Role, User
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
