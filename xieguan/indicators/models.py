from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.regions.policy import ProvincePolicy, province_unique


class Comparison(models.TextChoices):
    AT_LEAST = "ge", _("不低于")
    AT_MOST = "le", _("不高于")


class Target(ProvincePolicy):
    """The target of one indicator (100%, >= 90% …): data the province admin may edit.

    A keyed per-province table: ``Target.rows_for_region(region)`` gives the province's targets,
    the national default for an indicator the province has not set (regions/policy.py)."""

    policy_key = "indicator"

    indicator = models.CharField(_("指标"), max_length=50, help_text=_("指标代码，如 registration。"))
    threshold = models.DecimalField(_("目标值(%)"), max_digits=4, decimal_places=1)
    comparison = models.CharField(
        _("比较方式"), max_length=2, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("指标目标值")
        verbose_name_plural = _("指标目标值")
        ordering = ["indicator"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0, threshold__lte=100), name="target_threshold_percent"
            ),
            *province_unique("target", "indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_label} {self.get_comparison_display()} {self.threshold}%"

    @property
    def indicator_label(self) -> str:
        """The indicator's name (登记率 …), or its code when no registered indicator has it."""
        from xieguan.indicators.registry import get_indicator

        found = get_indicator(self.indicator)
        return str(found.label) if found else self.indicator

    def is_met(self, rate: Decimal | None) -> bool | None:
        """Met, not met, or None when there is nothing to judge (denominator zero)."""
        if rate is None:
            return None
        if self.comparison == Comparison.AT_MOST:
            return rate <= self.threshold
        return rate >= self.threshold

    @property
    def label(self) -> str:
        sign = "≤" if self.comparison == Comparison.AT_MOST else "≥"
        return f"{sign}{self.threshold.normalize():f}%"


class RecordingPolicy(ProvincePolicy):
    """How soon a record must be made (记录及报告: 及时): data the province admin may edit.

    One row per province (``RecordingPolicy.for_region``), the national default loaded by
    migration ``0003_default_recording_policy``; leads' own deadlines are
    ``leads.ReportingPolicy`` (重要情况立即报告). Read by the ``records`` indicator.
    """

    inspection_days = models.PositiveSmallIntegerField(
        _("巡查个案提交时限(天)"),
        default=3,
        help_text=_("巡查个案应在巡查之日起多少天内提交。"),
    )
    complaint_hours = models.PositiveSmallIntegerField(
        _("投诉举报登记时限(小时)"),
        default=24,
        help_text=_("接到群众投诉举报后应在多少小时内登记。"),
    )

    class Meta:
        verbose_name = _("记录时限")
        verbose_name_plural = _("记录时限")
        constraints = province_unique("recordingpolicy")

    def __str__(self) -> str:
        return f"巡查个案 {self.inspection_days} 天 / 投诉举报 {self.complaint_hours} 小时"
