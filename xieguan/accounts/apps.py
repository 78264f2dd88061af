from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xieguan.lib.nav import ADMIN, NavItem

TOKEN_ADMINS = frozenset({"county_admin", "province_admin"})


class AccountsConfig(AppConfig):
    name = "xieguan.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")
    nav_items = [
        NavItem(_("工作台"), "accounts:home", order=0),
        NavItem(_("账号与机构"), "accounts:users", roles=TOKEN_ADMINS, order=85, group=ADMIN),
        NavItem(_("接口令牌"), "accounts:admin_tokens", roles=TOKEN_ADMINS, order=95, group=ADMIN),
        # The province's policies, targets and code lists are edited in the Django admin (is_staff).
        NavItem(_("政策与代码表"), "admin:index", roles=frozenset({"province_admin"}), order=97, group=ADMIN),
    ]

    def ready(self) -> None:
        from xieguan.accounts import signals  # noqa: F401 - connects the login/logout receivers
