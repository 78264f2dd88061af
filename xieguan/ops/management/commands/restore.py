from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup DIR into an empty database and media directory, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm: restore now")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("恢复会写入当前配置的数据库和媒体目录；确认无误后加 --yes 再运行。")
        try:
            summary = restore(options["directory"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"恢复完成并已核对：{summary.tables} 张表，{summary.rows} 行，{summary.files} 个文件。"
        )
