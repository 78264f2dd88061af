from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the private media into DIR, with a manifest of row counts and file hashes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a new or empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup(options["directory"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = f"{summary.tables} 张表，{summary.rows} 行，{summary.files} 个文件"
        self.stdout.write(f"备份完成：{summary.directory}（{counts}）")
