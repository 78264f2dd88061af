from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "xieguan.indicators"
    label = "indicators"
    verbose_name = _("工作指标")
