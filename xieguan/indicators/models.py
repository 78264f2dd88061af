from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Comparison(models.TextChoices):
    AT_LEAST = "ge", _("不低于")
    AT_MOST = "le", _("不高于")


class Target(models.Model):
    """The target of one indicator (100%, >= 90% …): data the province admin may edit."""

    indicator = models.CharField(
        _("指标"), max_length=50, unique=True, help_text=_("指标代码，如 registration。")
    )
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
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_comparison_display()} {self.threshold}%"

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
