from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.lib.scoping import ScopedQuerySet
from xieguan.lib.sync import client_uuid_field, unique_client_uuid
from xieguan.regions.models import Region


class PublicityKind(models.TextChoices):
    LAW = "law", _("法律法规宣传")
    KNOWLEDGE = "knowledge", _("职业病防治知识")
    GUIDANCE = "guidance", _("企业指导")


class PublicityEventQuerySet(ScopedQuerySet["PublicityEvent"]):
    def standing(self) -> PublicityEventQuerySet:
        """Events that count: not withdrawn (THE definition for indicators, assessment, lists)."""
        return self.filter(withdrawn_at__isnull=True)

    def held_during(self, start: dt.date, end: dt.date) -> PublicityEventQuerySet:
        """Standing events held on a day of ``[start, end]``: what makes a township count for
        the publicity indicator in a period (THE definition)."""
        return self.standing().filter(held_on__gte=start, held_on__lte=end)


class PublicityEvent(models.Model):
    """A publicity event (宣传): each township's assistants hold at least one a year."""

    region = models.ForeignKey(
        Region, verbose_name=_("乡(镇、街道)"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("日期"))
    kind = models.CharField(_("形式"), max_length=20, choices=PublicityKind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    audience = models.PositiveIntegerField(_("受众人数"), default=0)
    employers = models.ManyToManyField(Employer, verbose_name=_("覆盖用人单位"), blank=True, related_name="+")
    description = models.TextField(_("情况说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Withdrawn (entered in error): kept with its history, out of the lists' default view and the
    # indicators (outreach.actions.withdraw_publicity_event).
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    client_uuid = client_uuid_field()  # recorded on the phone: a repeat is stored once (docs/sync.md)

    objects = PublicityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on"]
        indexes = [
            # varchar_pattern_ops: the region prefix (region_id LIKE '52%') is a range on this index.
            models.Index(
                fields=["region", "held_on"],
                name="publicity_region_date_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]
        constraints = [unique_client_uuid("publicity_event")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class PublicityPhoto(models.Model):
    event = models.ForeignKey(PublicityEvent, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="publicity-photos/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)
    client_uuid = client_uuid_field()

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "event__region"

    class Meta:
        verbose_name = _("宣传照片")
        verbose_name_plural = _("宣传照片")
        constraints = [unique_client_uuid("publicity_photo")]

    def __str__(self) -> str:
        return str(self.image.name)


class ConsultationKind(models.TextChoices):
    """第六条(一): 职业病防治咨询、指导; 第六条(五): 指导企业开展职业健康检查，建立健全健康监护档案."""

    CONSULTATION = "consultation", _("职业病防治咨询")
    GUIDANCE = "guidance", _("职业病防治指导")
    HEALTH_CHECK = "health_check", _("指导企业开展职业健康检查")
    HEALTH_RECORDS = "health_records", _("指导建立健全健康监护档案")


class Consultation(models.Model):
    """A consultation or guidance given to one employer (咨询、指导): who, when, what, outcome."""

    client_uuid = client_uuid_field()  # made by the phone: sent twice, stored once (lib/sync.py)
    region = models.ForeignKey(
        Region, verbose_name=_("乡(镇、街道)"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="consultations"
    )
    given_on = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=20, choices=ConsultationKind.choices)
    contact_person = models.CharField(_("用人单位人员"), max_length=50, blank=True)
    subject = models.TextField(_("咨询或指导内容"))
    outcome = models.TextField(_("结果"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("协管员"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询指导")
        verbose_name_plural = _("咨询指导")
        ordering = ["-given_on", "-pk"]
        constraints = [unique_client_uuid("consultation")]
        indexes = [
            models.Index(
                fields=["region", "given_on"],
                name="consultation_region_date_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_on} {self.get_kind_display()}"


class PublicityRevisionKind(models.TextChoices):
    CORRECTED = "corrected", _("更正")
    WITHDRAWN = "withdrawn", _("撤回")


class PublicityRevision(models.Model):
    """A correction or the withdrawal of a publicity event: who, when, why, before and after."""

    event = models.ForeignKey(PublicityEvent, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(_("类别"), max_length=20, choices=PublicityRevisionKind.choices)
    reason = models.TextField(_("原因"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    before = models.JSONField(_("修改前"))
    after = models.JSONField(_("修改后"))

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "event__region"

    class Meta:
        verbose_name = _("宣传活动更正记录")
        verbose_name_plural = _("宣传活动更正记录")
        ordering = ["event", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.event} {self.get_kind_display()}"
