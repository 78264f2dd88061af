"""Work funding (工作经费保障): budgets allocated per county and year, what was spent, and the
subsidies paid to each assistant.

The regulation: 各地必须将职业健康监督协管纳入国家基本公共卫生服务监督协管项目，并给予工作经费保障.
Money is ``Decimal`` yuan with two places (fen), never a float. Disbursements and subsidies
are both spending out of one budget line; a line can never be overspent (funding.actions).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xieguan.lib.scoping import ScopedQuerySet
from xieguan.regions.models import Region

MONEY_DIGITS = 14
MONEY_PLACES = 2
MIN_YEAR = 2000
MAX_YEAR = 2100


class FundingSource(models.TextChoices):
    PUBLIC_HEALTH = "public_health", _("基本公共卫生服务监督协管项目")
    LOCAL = "local", _("地方财政")


class Budget(models.Model):
    """Money allocated to one county's 协管 work for one year, from one source (one document)."""

    region = models.ForeignKey(Region, verbose_name=_("县(区)"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("经费来源"), max_length=20, choices=FundingSource.choices)
    amount = models.DecimalField(_("下达金额(元)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    allocated_on = models.DateField(_("下达日期"), null=True, blank=True)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费预算")
        verbose_name_plural = _("经费预算")
        ordering = ["region", "-year", "source", "pk"]
        indexes = [models.Index(fields=["region", "year"], name="budget_region_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_amount_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="budget_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()} {self.amount} 元"


class Purpose(models.TextChoices):
    TRAINING = "training", _("培训")
    PUBLICITY = "publicity", _("宣传")
    EQUIPMENT = "equipment", _("设备与耗材")
    TRAVEL = "travel", _("交通与差旅")
    OTHER = "other", _("其他")


class Disbursement(models.Model):
    """Money spent out of a budget line (other than assistants' subsidies)."""

    budget = models.ForeignKey(
        Budget, verbose_name=_("经费来源"), on_delete=models.PROTECT, related_name="disbursements"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("县(区)"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the budget's county",
    )
    year = models.PositiveSmallIntegerField(_("年度"), help_text="the budget's year")
    amount = models.DecimalField(_("金额(元)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    paid_on = models.DateField(_("支出日期"))
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    payee = models.CharField(_("收款方"), max_length=200, blank=True)
    voucher_no = models.CharField(_("凭证号"), max_length=50, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["-paid_on", "-pk"]
        indexes = [models.Index(fields=["region", "year"], name="disbursement_region_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.get_purpose_display()} {self.amount} 元"


class SubsidyBasis(models.TextChoices):
    FIXED = "fixed", _("固定标准")
    ASSESSMENT = "assessment", _("按年度考核等次")
    WORKLOAD = "workload", _("按工作量")
    OTHER = "other", _("其他")


class Subsidy(models.Model):
    """A subsidy paid to one assistant for a period, out of a budget line."""

    budget = models.ForeignKey(
        Budget, verbose_name=_("经费来源"), on_delete=models.PROTECT, related_name="subsidies"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("乡(镇、街道)"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the assistant's township when paid",
    )
    year = models.PositiveSmallIntegerField(_("年度"), help_text="the budget's year")
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("协管员"), on_delete=models.PROTECT, related_name="subsidies"
    )
    amount = models.DecimalField(_("金额(元)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    period_start = models.DateField(_("补助期间起"))
    period_end = models.DateField(_("补助期间止"))
    basis = models.CharField(_("发放依据"), max_length=20, choices=SubsidyBasis.choices)
    basis_note = models.CharField(_("依据说明"), max_length=200, blank=True)
    assessment = models.ForeignKey(
        "personnel.Assessment",
        verbose_name=_("关联年度考核"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("发放日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协管员补助")
        verbose_name_plural = _("协管员补助")
        ordering = ["-paid_on", "-pk"]
        indexes = [
            models.Index(fields=["region", "year"], name="subsidy_region_year_idx"),
            models.Index(fields=["assistant", "year"], name="subsidy_assistant_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="subsidy_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assistant} {self.period_start}—{self.period_end} {self.amount} 元"
