"""The log of who saw or exported personal data (个人信息保护法): one row per access.

Written by ``xieguan.audit.log`` from the views and exports that show a complainant's identity,
an assistant's full ID number, or export personal data, and by the retention command
(``applyretention``) for what it erased. Rows are never edited or deleted by the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.lib.scoping import ScopedQuerySet
from xieguan.regions.models import Region


class Kind(models.TextChoices):
    COMPLAINANT = "complainant", _("查看举报人身份")
    ID_NUMBER = "id_number", _("查看完整身份证号")
    EXPORT = "export", _("导出个人信息")
    RETENTION = "retention", _("到期清除")


class AccessLog(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)  # kept if the account goes
    role = models.CharField(_("角色"), max_length=30, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the record's region",
    )
    record = models.CharField(_("记录"), max_length=200)  # e.g. "线索 #12", "协管员 #3"
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["region", "at"], name="audit_region_at")]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()} {self.record}"
