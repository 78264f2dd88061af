from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem


class LeadsConfig(AppConfig):
    name = "xieguan.leads"
    label = "leads"
    verbose_name = _("信息报告")
    # Role values as strings: accounts.models cannot be imported while apps load.
    nav_items = [
        NavItem(_("收件箱"), "leads:inbox", roles=frozenset({"officer"}), order=30),
        NavItem(_("线索"), "leads:list", order=31),
        NavItem(
            _("协查"), "leads:assists", roles=frozenset({"assistant", "officer", "county_admin"}), order=32
        ),
    ]
    worklist = "xieguan.leads.worklist.sections"
    employer_sections = "xieguan.leads.employer.sections"
