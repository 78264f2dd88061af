from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem


class EmployersConfig(AppConfig):
    name = "xieguan.employers"
    label = "employers"
    verbose_name = _("用人单位台账")
    nav_items = [NavItem(_("用人单位台账"), "employers:ledger", order=20)]
    worklist = "xieguan.employers.worklist.sections"
