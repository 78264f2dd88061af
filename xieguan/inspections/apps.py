from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import ADMIN, NavItem

ASSISTANT = "assistant"


class InspectionsConfig(AppConfig):
    name = "xieguan.inspections"
    label = "inspections"
    verbose_name = _("巡查")
    nav_items = [
        NavItem(_("开始巡查"), "inspections:start", roles=frozenset({ASSISTANT}), order=25),
        NavItem(_("巡查记录"), "inspections:index", order=26),
        NavItem(
            _("巡查表模板"),
            "inspections:templates",
            roles=frozenset({"province_admin"}),
            order=86,
            group=ADMIN,
        ),
    ]
    worklist = "xieguan.inspections.worklist.sections"
    # The employer page (employers app) includes our history section through this hook.
    employer_sections = "xieguan.inspections.employer.sections"
