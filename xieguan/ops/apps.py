from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health check, request logging, backup and restore (README, 运维)."""

    name = "xieguan.ops"
    label = "ops"
    verbose_name = _("运维")
