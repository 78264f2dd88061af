from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from xieguan.accounts.demo import DEMO_PASSWORD, DemoContext
from xieguan.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create the demo accounts and demo data (idempotent), then the demo year of 六盘水市 "
        "(xieguan/indicators/demo_year.py: once; a second run says it exists), and print the accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="also when DEBUG is false")
        parser.add_argument(
            "--without-year", action="store_true", help="only the small demo of each app (for tests)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "演示数据只用于开发环境（DEBUG=true）；生产环境请勿加载。确需加载请加 --force。"
            )
        if not Region.objects.filter(code="52").exists():
            raise CommandError("尚未加载贵州省区划：请先运行 python manage.py loadregions --province 52")
        ctx = DemoContext()
        lines: list[str] = []
        with transaction.atomic():
            # Each app seeds its own demo data in xieguan/<app>/demo.py, in INSTALLED_APPS order.
            for config in apps.get_app_configs():
                if not config.name.startswith("xieguan."):
                    continue
                module = f"{config.name}.demo"
                if importlib.util.find_spec(module) is None:
                    continue
                lines.extend(importlib.import_module(module).seed(ctx) or [])
            if not options["without_year"]:
                from xieguan.indicators.demo_year import seed_year

                lines.extend(seed_year(ctx))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for line in lines:
            self.stdout.write(line)
