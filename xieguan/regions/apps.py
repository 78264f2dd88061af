from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import MORE, NavItem


class RegionsConfig(AppConfig):
    name = "xieguan.regions"
    label = "regions"
    verbose_name = _("行政区划")
    nav_items = [NavItem(_("辖区"), "regions:mine", order=90, group=MORE)]
