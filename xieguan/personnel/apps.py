from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import PEOPLE, NavItem

MANAGERS = frozenset({"county_admin", "prefecture_viewer", "province_admin"})


class PersonnelConfig(AppConfig):
    name = "xieguan.personnel"
    label = "personnel"
    verbose_name = _("协管员管理")
    nav_items = [
        NavItem(_("协管员"), "personnel:list", roles=MANAGERS, order=60, group=PEOPLE),
        NavItem(_("培训"), "personnel:training", roles=MANAGERS, order=61, group=PEOPLE),
        NavItem(_("配备"), "personnel:staffing", roles=MANAGERS, order=62, group=PEOPLE),
        NavItem(_("我的档案"), "personnel:me", roles=frozenset({"assistant"}), order=90),
    ]
    worklist = "xieguan.personnel.worklist.sections"
