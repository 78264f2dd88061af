from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "xieguan.personnel"
    label = "personnel"
    verbose_name = _("协管员管理")
