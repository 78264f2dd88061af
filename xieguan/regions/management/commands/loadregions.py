from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.regions.loader import RegionDataError, load_province
from xieguan.regions.models import Level


class Command(BaseCommand):
    help = "Load a province's division tree (province to village) from the shipped data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="52", help="two-digit province code (default 52, Guizhou)")
        parser.add_argument("--file", default=None, help="another data file of the same format")

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        started = time.perf_counter()
        try:
            result = load_province(options["province"], Path(options["file"]) if options["file"] else None)
        except RegionDataError as exc:
            raise CommandError(f"{exc}（未写入任何数据）") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(f"区划数据来源：{result.source}")
        for level in Level:
            self.stdout.write(f"  {level.label}: {result.per_level[level]:,}")
        counts = f"新增 {result.created:,}，更新 {result.updated:,}，未变 {result.unchanged:,}"
        self.stdout.write(f"{counts}；用时 {elapsed:.1f} 秒")
