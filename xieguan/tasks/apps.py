from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem

# Role values (accounts.models.Role cannot be imported before the app registry is ready).
MANAGERS = frozenset({"province_admin", "prefecture_viewer", "county_admin"})


class TasksConfig(AppConfig):
    name = "xieguan.tasks"
    label = "tasks"
    verbose_name = _("上级交办任务")
    nav_items = [
        NavItem(_("交办任务"), "tasks:index", roles=MANAGERS, order=70),
        NavItem(_("交办任务"), "tasks:mine", roles=frozenset({"assistant"}), order=70),
    ]
    worklist = "xieguan.tasks.worklist.sections"
