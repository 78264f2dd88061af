from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xieguan.benchmarks.generator import (
    GENERATED_PASSWORD,
    SCALES,
    USERNAME_PREFIX,
    GenerationRefused,
    generate,
)


class Command(BaseCommand):
    help = "Fill the database with a reproducible generated province for benchmarks (docs/performance.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="guizhou")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="reference day YYYY-MM-DD (default: today); same seed and day give the same data",
        )
        parser.add_argument(
            "--reset", action="store_true", help="first empty every table gendata fills (all users included)"
        )
        parser.add_argument("--force", action="store_true", help="also when DEBUG is false")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("gendata 只用于基准测试数据库（DEBUG=true）；确需在此库运行请加 --force。")
        today = options["today"] or timezone.localdate()
        started = time.perf_counter()
        self.stdout.write(f"生成数据：规模 {options['scale']}，种子 {options['seed']}，截止日 {today}")
        try:
            dataset = generate(
                options["scale"], options["seed"], today, self.stdout.write, reset=options["reset"]
            )
        except GenerationRefused as exc:
            raise CommandError(str(exc)) from exc
        for table, rows in dataset.counts.items():
            self.stdout.write(f"  {table:<48} {rows:>12,}")
        self.stdout.write(
            f"完成，用时 {time.perf_counter() - started:.1f} 秒。生成的账号以 {USERNAME_PREFIX} 开头，"
            f"密码均为 {GENERATED_PASSWORD}。"
        )
