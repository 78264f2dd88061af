from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xieguan.lib.scoping import ScopedQuerySet
from xieguan.lib.sync import client_uuid_field, unique_client_uuid
from xieguan.regions.models import Region
from xieguan.regions.policy import ProvincePolicy, province_unique


class Industry(models.TextChoices):
    """Key industries of the regulation (巡查: 煤矿、非煤矿山、冶金、建材、化工生产) and 其他."""

    COAL = "coal", _("煤矿")
    NONCOAL_MINING = "noncoal_mining", _("非煤矿山")
    METALLURGY = "metallurgy", _("冶金")
    BUILDING_MATERIALS = "building_materials", _("建材")
    CHEMICAL = "chemical", _("化工")
    OTHER = "other", _("其他")


KEY_INDUSTRIES = frozenset(
    {
        Industry.COAL,
        Industry.NONCOAL_MINING,
        Industry.METALLURGY,
        Industry.BUILDING_MATERIALS,
        Industry.CHEMICAL,
    }
)


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", _("在产")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关闭")


class IndustryCode(models.Model):
    """GB/T 4754-2017 industry codes and the key-industry category each maps to (editable data).

    ``category`` is the national mapping; a province may map a code otherwise
    (``IndustryMapping``); ``category_in(region)`` is the one that applies there."""

    code = models.CharField(_("行业代码"), max_length=5, primary_key=True)
    name = models.CharField(_("行业名称"), max_length=100)
    category = models.CharField(_("重点行业类别"), max_length=20, choices=Industry.choices)

    class Meta:
        verbose_name = _("国民经济行业代码")
        verbose_name_plural = _("国民经济行业代码")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def category_in(self, region: Region | str | None) -> str:
        """The key-industry category of this code in the region's province."""
        override = IndustryMapping.rows_for_region(region).get(self.code)
        return override.category if override is not None else self.category


class IndustryMapping(ProvincePolicy):
    """A province's own mapping of a GB/T 4754 code to a key-industry category, overriding the
    national one (``IndustryCode.category``); a keyed per-province table (regions/policy.py)."""

    policy_key = "industry_code_id"

    industry_code = models.ForeignKey(
        IndustryCode, verbose_name=_("行业代码"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("重点行业类别"), max_length=20, choices=Industry.choices)

    class Meta:
        verbose_name = _("本省行业对照")
        verbose_name_plural = _("本省行业对照")
        constraints = province_unique("industrymapping", "industry_code")

    def __str__(self) -> str:
        return f"{self.industry_code} → {self.get_category_display()}"


class HazardCategory(models.Model):
    """The six categories of 职业病危害因素分类目录 (国卫疾控发〔2015〕92号)."""

    code = models.CharField(_("代码"), max_length=20, primary_key=True)
    name = models.CharField(_("类别"), max_length=20)
    catalogue_items = models.PositiveSmallIntegerField(_("目录条目数"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("职业病危害因素类别")
        verbose_name_plural = _("职业病危害因素类别")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class HazardFactor(models.Model):
    """A named hazard factor of the catalogue (optional detail under a category; editable data)."""

    category = models.ForeignKey(HazardCategory, on_delete=models.PROTECT, related_name="factors")
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("职业病危害因素")
        verbose_name_plural = _("职业病危害因素")
        ordering = ["category__order", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="hazard_factor_unique_name")]

    def __str__(self) -> str:
        return self.name


class FocusIndustry(models.Model):
    """A county's own focus industry, for a county with none of the key industries.

    The regulation: 辖区内没有上述行业领域的可根据辖区情况自定行业领域开展巡查. Employers of a
    focus industry count as key employers for that county's coverage indicator.
    """

    region = models.ForeignKey(Region, verbose_name=_("县(区)"), on_delete=models.PROTECT, related_name="+")
    industry_code = models.ForeignKey(
        IndustryCode, verbose_name=_("行业"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自定重点行业")
        verbose_name_plural = _("自定重点行业")
        constraints = [
            models.UniqueConstraint(fields=["region", "industry_code"], name="focus_industry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.industry_code}"

    def clean(self) -> None:
        if self.region_id and len(self.region_id) != 6:
            raise ValidationError({"region": _("自定行业领域按县(区)设定，请选择县(区)。")})


class EmployerQuerySet(ScopedQuerySet["Employer"]):
    def operating(self) -> EmployerQuerySet:
        """Not closed today (the ledger as it stands; a past period uses ``operating_during``)."""
        return self.exclude(status=OperatingStatus.CLOSED)

    def operating_during(self, start: dt.date, end: dt.date) -> EmployerQuerySet:
        """In the ledger on at least one day of ``[start, end]`` (see ``operating_during_q``)."""
        return self.filter(operating_during_q(start, end))


def operating_during_q(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """THE rule of which employers a period counts: registered before the period ended and not
    closed before it began (``closed_on`` is the first day closed). An employer closed in August
    stays in the first half-year and in the year; it leaves the periods after its closing."""
    end_before = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return Q(**{f"{prefix}created_at__lt": end_before}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": start})
    )


def open_through_q(day: dt.date, prefix: str = "") -> Q:
    """Not closed on or before ``day``: the employer operated to the end of a span ending then
    (a half-year in which it closed is not counted against its patrol)."""
    return Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})


# The audit trail of the ledger. The domain actions (employers.actions) save with
# ``skip_history_when_saving`` and then record one history row per change, with the hazard
# categories and factors as they are after the change (not one row per save and per m2m edit).
EMPLOYER_HISTORY = HistoricalRecords(
    m2m_fields=["hazard_categories", "hazard_factors"],
    excluded_fields=["name_key", "updated_at", "inspected_halves"],
)


class Employer(models.Model):
    """An employer with occupational hazards: one row of the ledger (用人单位基本信息登记台账)."""

    # The header of 附表1
    name = models.CharField(_("用人单位名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Identity and place
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        help_text=_("18 位，含校验位；没有可不填。"),
    )
    # Indexed in Meta.indexes, not by db_index: db_index would add a varchar_pattern_ops copy on
    # PostgreSQL that employer_region_key_idx already is, and one that no query of township needs.
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在村(社区)或乡镇"),
        on_delete=models.PROTECT,
        related_name="employers",
        db_index=False,
    )
    township = models.ForeignKey(
        Region,
        verbose_name=_("乡(镇、街道)"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    # Industry and hazards
    industry = models.CharField(
        _("行业类别"), max_length=20, choices=Industry.choices, default=Industry.OTHER
    )
    industry_code = models.ForeignKey(
        IndustryCode,
        verbose_name=_("国民经济行业代码"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employers",
    )
    hazard_categories = models.ManyToManyField(
        HazardCategory, verbose_name=_("职业病危害因素类别"), blank=True, related_name="employers"
    )
    hazard_factors = models.ManyToManyField(
        HazardFactor, verbose_name=_("职业病危害因素"), blank=True, related_name="employers"
    )
    radiation_work = models.BooleanField(_("从事放射工作"), default=False)
    construction_project = models.BooleanField(_("有在建建设项目"), default=False)
    workers = models.PositiveIntegerField(_("劳动者人数"), null=True, blank=True)
    exposed_workers = models.PositiveIntegerField(_("接触职业病危害因素人数"), null=True, blank=True)
    status = models.CharField(
        _("生产状态"), max_length=20, choices=OperatingStatus.choices, default=OperatingStatus.OPERATING
    )
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    # The first day the employer is closed; kept by employers.actions with the status, so past
    # periods keep the employer in which it was operating (ledger.operating_during).
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True, editable=False)
    serious_hazard = models.BooleanField(_("职业病危害严重"), default=False)
    # 职业病危害项目申报 (check item 1)
    declaration_date = models.DateField(_("最近申报日期"), null=True, blank=True)
    declaration_receipt = models.CharField(_("申报回执编号"), max_length=50, blank=True)
    # Derived, kept by the domain actions (employers.actions, inspections.actions)
    registered = models.BooleanField(_("已登记"), default=False, db_index=True)
    missing_fields = models.JSONField(_("缺少的登记项"), default=list, blank=True)
    is_key = models.BooleanField(
        _("重点巡查单位"), default=False, help_text=_("重点行业或职业病危害严重，须每年巡查覆盖。")
    )
    last_inspected_on = models.DateField(_("最近巡查日期"), null=True, blank=True)
    # Bit i: a submitted inspection in half-year i since 2020 (xieguan/inspections/patrol.py).
    inspected_halves = models.BigIntegerField(_("已巡查的半年"), default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    client_uuid = client_uuid_field()  # registered on the phone: a repeat is stored once (docs/sync.md)

    objects = EmployerQuerySet.as_manager()
    history = EMPLOYER_HISTORY

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["township_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name_key"], name="employer_unique_name_per_township"
            ),
            models.CheckConstraint(
                condition=models.Q(exposed_workers__isnull=True)
                | models.Q(workers__isnull=True)
                | models.Q(exposed_workers__lte=models.F("workers")),
                name="employer_exposed_within_workers",
            ),
            models.CheckConstraint(
                condition=models.Q(status="closed", closed_on__isnull=False)
                | (~models.Q(status="closed") & models.Q(closed_on__isnull=True)),
                name="employer_closed_on_iff_closed",
            ),
            unique_client_uuid("employer"),
        ]
        indexes = [
            # Plain (default operator class) indexes of the two regions: equality, ORDER BY and joins.
            # No varchar_pattern_ops twin (docs/performance.md, issue 16 round 5): the region prefix is
            # served by employer_region_key_idx, and nothing compares township_id with LIKE.
            models.Index(fields=["region"], name="employer_region_idx"),
            models.Index(fields=["township"], name="employer_township_idx"),
            models.Index(fields=["township", "status"], name="employer_township_status_idx"),
            # varchar_pattern_ops: the region prefix (region_id LIKE '520526%') is a range on this index.
            models.Index(
                fields=["region", "is_key"],
                name="employer_region_key_idx",
                opclasses=["varchar_pattern_ops", "bool_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("employers:detail", args=[self.pk])


class LedgerPolicy(ProvincePolicy):
    """Settings of the ledger that are data, not code (one row per province, edited by its admin;
    ``LedgerPolicy.for_region`` reads it, regions/policy.py)."""

    declaration_max_age_days = models.PositiveIntegerField(
        _("申报有效期(天)"),
        default=365,
        help_text=_("职业病危害项目申报日期早于这么多天（或从未申报）的单位，台账中标为“申报超期”。"),
    )

    class Meta:
        verbose_name = _("台账设置")
        verbose_name_plural = _("台账设置")
        constraints = province_unique("ledgerpolicy")

    def __str__(self) -> str:
        return f"申报有效期 {self.declaration_max_age_days} 天"


class EmployerImport(models.Model):
    """One uploaded ledger file: checked first, applied only when the user confirms."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("已检查")
        APPLIED = "applied", _("已导入")

    region = models.ForeignKey(Region, verbose_name=_("导入辖区"), on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    file = models.FileField(_("文件"), upload_to="imports/employers/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.CHECKED)
    summary = models.JSONField(_("结果统计"), default=dict, blank=True)
    issues = models.JSONField(_("问题清单"), default=list, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
