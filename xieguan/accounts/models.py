from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.lib.scoping import ScopedQuerySet
from xieguan.regions.models import Level, Region


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("省卫生健康委管理员")
    PREFECTURE_VIEWER = "prefecture_viewer", _("市(州)卫生健康局")
    COUNTY_ADMIN = "county_admin", _("县(区)卫生健康行政部门")
    OFFICER = "officer", _("卫生健康监督执法人员")
    ASSISTANT = "assistant", _("职业健康监督协管员")


# The region levels each role may be placed at.
ROLE_LEVELS: dict[str, tuple[int, ...]] = {
    Role.PROVINCE_ADMIN: (Level.PROVINCE,),
    Role.PREFECTURE_VIEWER: (Level.PREFECTURE,),
    Role.COUNTY_ADMIN: (Level.COUNTY,),
    Role.OFFICER: (Level.COUNTY, Level.PREFECTURE),
    Role.ASSISTANT: (Level.TOWNSHIP,),
}

ADMIN_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.COUNTY_ADMIN})
MANAGER_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.PREFECTURE_VIEWER, Role.COUNTY_ADMIN})


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="users"
    )
    villages = models.ManyToManyField(
        Region,
        verbose_name=_("负责的村(社区)"),
        blank=True,
        related_name="assistants",
        help_text=_("协管员可选：乡聘村用时负责的村(社区)，须属于其乡镇。"),
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    agency = models.ForeignKey(
        "Agency",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    access_until = models.DateField(
        _("账号有效期至"),
        null=True,
        blank=True,
        help_text=_("协管员的聘期结束日；过期后无法登录。空表示不限。"),
    )

    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("管理员创建账号或重置密码后，用户下次登录须先修改密码。"),
    )

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()
    REQUIRED_FIELDS: ClassVar[list[str]] = ["email", "full_name", "role", "region"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        indexes = [models.Index(fields=["role", "region"], name="user_role_region_idx")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.region_id and self.role:
            allowed = ROLE_LEVELS.get(self.role, ())
            if self.region.level not in allowed:
                names = "、".join(str(Level(level).label) for level in allowed)
                raise ValidationError({"region": _("该角色只能设在%(levels)s一级。") % {"levels": names}})

    @property
    def is_province_admin(self) -> bool:
        return self.role == Role.PROVINCE_ADMIN

    @property
    def is_assistant(self) -> bool:
        return self.role == Role.ASSISTANT

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_county_admin(self) -> bool:
        return self.role == Role.COUNTY_ADMIN

    def term_is_current(self, today: object | None = None) -> bool:
        """Whether the account's term covers today (an assistant's appointment term)."""
        day = today or timezone.localdate()
        return self.access_until is None or self.access_until >= day  # type: ignore[operator]

    def can_work(self, today: dt.date | None = None) -> bool:
        """This user, by the rule of ``can_work`` below (for a user already loaded)."""
        return self.is_active and self.term_is_current(today)


def can_work(today: dt.date | None = None, prefix: str = "") -> Q:
    """THE rule of an account that can receive work on ``today`` (default today): active, and its
    term not over (``access_until``, which personnel's actions keep at the end of an assistant's
    last term or the day before the dismissal). Every picker of people, every refusal of a
    person who cannot take work, and every recipient list of notifications uses it; an expired
    assistant's account is still active but can no longer log in (LoginForm,
    ActiveTermMiddleware), so it is not offered. ``prefix`` reaches the user through a relation
    (e.g. ``"assignee__"``)."""
    day = today or timezone.localdate()
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}access_until__isnull": True}) | Q(**{f"{prefix}access_until__gte": day})
    )


class Agency(models.Model):
    """A health administration or supervision agency (行政部门 / 卫生健康监督机构)."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("卫生健康行政部门")
        SUPERVISION = "supervision", _("卫生健康监督机构")

    name = models.CharField(_("机构名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="agencies"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["region", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="agency_unique_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """An in-app notification (the bell). ``key`` makes each event notify once."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    key = models.CharField(max_length=200, help_text="event identity: one notification per recipient and key")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A per-device API key (``Authorization: Bearer <key>``) for clients other than the browser.

    Only a SHA-256 hash of the key is stored (the key is shown once, when made); ``prefix`` (the
    key's first characters) lets the owner tell their devices apart. A token acts exactly as its
    user's session would (same role, same region scope) while the token is neither revoked nor
    expired and the account itself may work (active, not dismissed, term current).
    """

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("设备名称"), max_length=50)
    prefix = models.CharField(_("令牌开头"), max_length=12)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "user__region"

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["key_hash"], name="api_token_unique_key_hash")]

    def __str__(self) -> str:
        return f"{self.user} {self.name} ({self.prefix}…)"

    def is_usable(self, now: object | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)  # type: ignore[operator]


class LoginSession(models.Model):
    """A browser session of a user (made at login, removed at logout): the account page lists
    them and "sign out everywhere" ends them. The session itself lives in Django's session store."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("登录地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "user__region"

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class AccountEvent(models.Model):
    """Who did what to which account or agency, when: the audit of account administration."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建账号")
        UPDATED = "updated", _("修改账号")
        DEACTIVATED = "deactivated", _("停用账号")
        REACTIVATED = "reactivated", _("启用账号")
        PASSWORD_RESET = "password_reset", _("重置密码")
        PASSWORD_CHANGED = "password_changed", _("修改本人密码")
        UNLOCKED = "unlocked", _("解除锁定")
        SIGNED_OUT = "signed_out", _("退出全部登录")
        AGENCY_CREATED = "agency_created", _("新建机构")
        AGENCY_UPDATED = "agency_updated", _("修改机构")
        OTP_ENROLLED = "otp_enrolled", _("启用两步验证")
        OTP_DISABLED = "otp_disabled", _("关闭两步验证")
        OTP_RESET = "otp_reset", _("重置两步验证")
        OTP_FAILED = "otp_failed", _("两步验证码错误")
        OTP_RECOVERY_USED = "otp_recovery_used", _("使用恢复码登录")
        OTP_RECOVERY_CODES = "otp_recovery_codes", _("重新生成恢复码")

    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        User,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="account_events",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("机构"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("操作"), max_length=20, choices=Kind.choices)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("账号操作记录")
        verbose_name_plural = _("账号操作记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["region", "at"], name="account_event_region_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
