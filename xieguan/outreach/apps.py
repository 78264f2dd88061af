from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem


class OutreachConfig(AppConfig):
    name = "xieguan.outreach"
    label = "outreach"
    verbose_name = _("宣传")
    nav_items = [
        NavItem(_("宣传"), "outreach:list", order=60),
        NavItem(_("咨询指导"), "outreach:consultations", order=61),
    ]
    employer_sections = "xieguan.outreach.employer.sections"
