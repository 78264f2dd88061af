from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xieguan.leads.notify import notify_overdue


class Command(BaseCommand):
    help = (
        "Notify assistants and county admins of leads not reported in time (idempotent: each overdue "
        "lead notifies each recipient once). Run it from cron, e.g. every 10 minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = notify_overdue()
        self.stdout.write(f"逾期未报告线索：新建通知 {created} 条。")
