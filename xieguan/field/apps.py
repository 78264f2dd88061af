from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import NavItem


class FieldConfig(AppConfig):
    """The offline-first field app: manifest, service worker, outbox page (docs/offline.md)."""

    name = "xieguan.field"
    label = "field"
    verbose_name = _("离线外勤")
    nav_items = [NavItem(_("待上传"), "field:outbox", roles=frozenset({"assistant"}), order=95)]
