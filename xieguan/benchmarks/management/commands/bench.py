from __future__ import annotations

import contextlib
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from xieguan.benchmarks.benches import BENCHES, Options, choose_subjects
from xieguan.benchmarks.generator import PROVINCE, GenerationRefused, generate
from xieguan.benchmarks.harness import NOT_AVAILABLE, Mismatch, NotAvailable, Outcome, table
from xieguan.benchmarks.models import GeneratedDataset

# Every benchmark (issues 8 and 16), in report order, with its kind.
ALL = [
    ("page_overhead", "query"),
    ("province_indicators", "query"),
    ("county_indicators", "query"),
    ("township_drilldown", "query"),
    ("worklist_assistant", "query"),
    ("ledger_export_county", "export"),
    ("ledger_export_province", "export"),
    ("register_fu2", "export"),
    ("form_fu1_pdf", "document"),
    ("inspection_submit", "throughput"),
]


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages * size / 2**30, 1)
    except (ValueError, OSError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            info["shared_buffers"] = cursor.fetchone()[0]
        else:
            info["database"] = connection.vendor
    with contextlib.suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return info


class Command(BaseCommand):
    help = "Benchmarks at province scale, each beside its SQL floor (docs/performance.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", default="guizhou", choices=["small", "guizhou", "national"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--only", action="append", default=[], help="run only this bench (repeatable)")
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "bench" / "latest.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = set(options["only"]) - {name for name, _ in ALL}
        if unknown:
            raise CommandError(f"没有这些基准：{', '.join(sorted(unknown))}")
        call_command("migrate", interactive=False, verbosity=0)  # a fresh database works too
        if connection.vendor != "postgresql":
            self.stderr.write(
                "注意：发布的数据以 PostgreSQL 为准（DATABASE_URL=postgres://…），此次运行在 SQLite 上。"
            )
        dataset = self.dataset(options["scale"], options["seed"])
        settings.DEBUG = False  # measure as production runs: no query log, no debug templates
        subjects = choose_subjects(PROVINCE, dataset.today)
        opts = Options(repeat=options["repeat"], warmup=options["warmup"])
        outcomes: list[Outcome] = []
        started = time.perf_counter()
        # Every request through the project's URLs plus the benches' minimal views (the base).
        with override_settings(ROOT_URLCONF="xieguan.benchmarks.server_urls"):
            self.run_all(options["only"], subjects, opts, outcomes)
        self.stdout.write("")
        self.stdout.write(table(outcomes))
        report = {
            "generated_at": timezone.now().isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
            "dataset": {
                "scale": dataset.scale,
                "seed": dataset.seed,
                "today": dataset.today.isoformat(),
                "provinces": dataset.provinces,
                "counts": dataset.counts,
            },
            "subjects": subjects.describe(),
            "machine": machine(),
            "options": {"repeat": opts.repeat, "warmup": opts.warmup},
            "results": [o.as_json() for o in outcomes],
        }
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"结果已写入 {out}")

    def run_all(self, only: list[str], subjects: Any, opts: Options, outcomes: list[Outcome]) -> None:
        for name, kind in ALL:
            if only and name not in only:
                continue
            bench = BENCHES.get(name)
            try:
                if bench is None:
                    raise NotAvailable("该基准所测的视图尚未合入")
                outcome = bench(subjects, opts)
            except NotAvailable as exc:
                outcome = Outcome(name, kind, status=NOT_AVAILABLE, note=str(exc))
            except Mismatch as exc:
                outcome = Outcome(name, kind, status="mismatch", note=str(exc))
            outcomes.append(outcome)
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))

    def dataset(self, scale: str, seed: int) -> GeneratedDataset:
        found = GeneratedDataset.objects.first()
        if found is not None:
            if found.scale != scale:
                self.stderr.write(
                    f"注意：数据库中的数据集规模为 {found.scale}（非 {scale}），按现有数据测量。"
                )
            return found
        self.stdout.write(f"数据库中没有基准数据集：先生成 {scale}（种子 {seed}）……")
        try:
            return generate(scale, seed, timezone.localdate(), self.stdout.write)
        except GenerationRefused as exc:
            raise CommandError(str(exc)) from exc
