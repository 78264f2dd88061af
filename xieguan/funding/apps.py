from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem

# Role values (accounts.models.Role cannot be imported before the app registry is ready).
MANAGERS = frozenset({"province_admin", "prefecture_viewer", "county_admin"})


class FundingConfig(AppConfig):
    name = "xieguan.funding"
    label = "funding"
    verbose_name = _("工作经费保障")
    nav_items = [NavItem(_("工作经费"), "funding:index", roles=MANAGERS, order=75)]
