from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import OUTREACH, NavItem


class OutreachConfig(AppConfig):
    name = "xieguan.outreach"
    label = "outreach"
    verbose_name = _("宣传")
    nav_items = [
        NavItem(_("宣传"), "outreach:list", order=60, group=OUTREACH),
        NavItem(_("咨询指导"), "outreach:consultations", order=61, group=OUTREACH),
    ]
    employer_sections = "xieguan.outreach.employer.sections"
