from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import MORE, NavItem


class DocumentsConfig(AppConfig):
    name = "xieguan.documents"
    label = "documents"
    verbose_name = _("文书")
    nav_items = [NavItem(_("空白表格"), "documents:index", order=91, group=MORE)]

    def ready(self) -> None:
        from xieguan.documents.official import FORM_MODULES

        for module in FORM_MODULES:
            import_module(module)
