"""First run of a new installation: create the province admin, and nothing else.

    python manage.py migrate
    python manage.py loadregions --province 52
    python manage.py bootstrap --province 52 --admin sheng

The password is asked on the terminal (twice), or read from ``XIEGUAN_ADMIN_PASSWORD`` for
automation. Refuses when the province already has an admin. Everything after this is done in the app.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.accounts.actions import AccountRefused, bootstrap_province_admin


class Command(BaseCommand):
    help = (
        "Create the first province admin of a new installation "
        "(password from the terminal or XIEGUAN_ADMIN_PASSWORD)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="province code, e.g. 52")
        parser.add_argument("--admin", required=True, help="username of the province admin")
        parser.add_argument("--name", default="", help="full name shown in the app")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("XIEGUAN_ADMIN_PASSWORD") or self._ask_password()
        try:
            user = bootstrap_province_admin(
                province_code=options["province"],
                username=options["admin"],
                password=password,
                full_name=options["name"],
            )
        except AccountRefused as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建省级管理员 {user.username}（{user.region.name}）。请登录系统继续设置。"
            )
        )

    def _ask_password(self) -> str:
        try:
            first = getpass.getpass("密码：")
            second = getpass.getpass("再次输入密码：")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("未输入密码；自动化部署可设置环境变量 XIEGUAN_ADMIN_PASSWORD。") from exc
        if first != second:
            raise CommandError("两次输入的密码不一致。")
        return first
