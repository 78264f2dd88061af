"""Domain actions on accounts. Each validates its whole input and refuses with ``AccountRefused``.

``bootstrap_province_admin`` is the first step of a new installation (``manage.py bootstrap``):
it creates the one account from which everything else is done in the app.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role, User
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
