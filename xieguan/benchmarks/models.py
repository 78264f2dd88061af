from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    SMALL = "small", _("一个县（测试用）")
    GUIZHOU = "guizhou", _("贵州全省")
    NATIONAL = "national", _("全国（贵州的十倍）")


class GeneratedDataset(models.Model):
    """What `manage.py gendata` put in this database: scale, seed, reference day and row counts.

    One row per completed run; `bench` reads it to know whether the data set it needs is here.
    A run that stopped half way leaves no row, and gendata then asks for --reset.
    """

    scale = models.CharField(_("规模"), max_length=20, choices=Scale.choices)
    seed = models.PositiveIntegerField(_("随机种子"))
    today = models.DateField(_("数据截止日"))
    provinces = models.JSONField(_("省份代码"), default=list)
    counts = models.JSONField(_("各表行数"), default=dict)
    seconds = models.FloatField(_("用时(秒)"))
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("基准测试数据集")
        verbose_name_plural = _("基准测试数据集")
        ordering = ["-generated_at"]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} seed={self.seed} {self.today}"
