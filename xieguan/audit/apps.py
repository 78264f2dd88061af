from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import ADMIN, NavItem

READERS = frozenset({"county_admin", "province_admin"})  # Role values: who reads the access log


class AuditConfig(AppConfig):
    name = "xieguan.audit"
    label = "audit"
    verbose_name = _("个人信息访问记录")
    nav_items = [NavItem(_("个人信息访问记录"), "audit:log", roles=READERS, order=96, group=ADMIN)]
