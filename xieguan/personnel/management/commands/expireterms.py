from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xieguan.personnel.actions import expire_terms


class Command(BaseCommand):
    help = (
        "Store EXPIRED for assistants whose term ended (APPOINTED when a renewal began); "
        "idempotent, run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = expire_terms()
        self.stdout.write(f"协管员聘用状态已更新：{changed} 人")
