from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem


class IndicatorsConfig(AppConfig):
    name = "xieguan.indicators"
    label = "indicators"
    verbose_name = _("工作指标")
    nav_items = [NavItem(_("工作指标"), "indicators:dashboard", order=70)]
    worklist = "xieguan.indicators.worklist.sections"

    def ready(self) -> None:
        from xieguan.indicators import catalogue

        catalogue.load()
        # Another app adds an indicator with a module <app>/indicators.py (docs/indicators.md).
        autodiscover_modules("indicators")
