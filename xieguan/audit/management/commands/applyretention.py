"""Apply the retention periods of personal data (run daily from cron; see xieguan/audit/retention.py).

python manage.py applyretention            # erase what is past its period, log it per county
python manage.py applyretention --dry-run  # only count it
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xieguan.audit.retention import apply_retention


class Command(BaseCommand):
    help = (
        "按保存期限清除举报人身份和照片（XIEGUAN_RETENTION_* 设置）；每个县的清除情况写入个人信息访问记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计，不清除")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        result = apply_retention(dry_run=dry_run)
        for county in sorted(set(result.complainants) | set(result.photos)):
            self.stdout.write(
                f"{county}: 举报人身份 {result.complainants[county]} 条，照片 {result.photos[county]} 张"
            )
        erased, deleted = result.total
        verb = "到期（未清除，--dry-run）" if dry_run else "已清除"
        self.stdout.write(f"{verb}：举报人身份 {erased} 条，照片 {deleted} 张")
