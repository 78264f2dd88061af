"""Measure the ledger's Excel import and export on the configured database (docs/ledger.md).

    DATABASE_URL=... python scripts/measure_ledger.py import --rows 10000
    DATABASE_URL=... python scripts/measure_ledger.py export --rows 30000
    DATABASE_URL=... python scripts/measure_ledger.py report --rows 20000 [--profile]

Expects a migrated database with the regions and the demo users (make setup). ``import``
builds a county file of N new employers (盘州市, user panzhou), times the check and the
write, then re-imports it (all unchanged). ``export`` tops the county up to N employers with
bulk inserts (test data, not through the actions), then times the streaming export and its
peak memory: Python allocations by tracemalloc (a second run, since tracing slows it down)
and the process's maximum resident set size. ``report`` checks a county file of N rows of
which every other row has a faulty phone number and builds the import report workbook (the
web page's 上传并检查 and 下载检查报告), with the growth of the maximum resident set size;
``--profile`` prints the 15 most expensive functions (cProfile). Each phase runs once; run them
one at a time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xieguan.settings")

import django

django.setup()

from openpyxl import Workbook  # noqa: E402
from stdnum.cn import uscc  # noqa: E402

from xieguan.accounts.models import User  # noqa: E402
from xieguan.employers.excel import apply_import, read_ledger_file, write_export  # noqa: E402
from xieguan.employers.ledger import ledger_for  # noqa: E402
from xieguan.employers.models import Employer, HazardCategory  # noqa: E402
from xieguan.lib.tabular import report_workbook  # noqa: E402
from xieguan.lib.text import name_key  # noqa: E402
from xieguan.regions.models import Region  # noqa: E402

COUNTY = "520281"
HEADER = ["用人单位名称", "统一社会信用代码", "区划代码", "地址", "法定代表人", "联系电话", "行业类别",
          "国民经济行业代码", "职业病危害因素类别", "劳动者人数", "接触职业病危害因素人数"]  # fmt: skip
KINDS = [("煤矿", "06", "粉尘、物理因素"), ("建材", "30", "粉尘"), ("非煤矿山", "10", "粉尘、物理因素"),
         ("其他", "21", "粉尘、化学因素")]  # fmt: skip


def credit_code(n: int) -> str:
    stem = f"9152028{n:010d}"
    return stem + uscc.calc_check_digit(stem)


def build_file(rows: int, tag: str, faulty_every: int = 0) -> bytes:
    villages = list(Region.objects.filter(code__startswith=COUNTY, level=5).values_list("code", flat=True))
    book = Workbook(write_only=True)
    ws = book.create_sheet("台账")
    ws.append(["盘州市用人单位基本信息登记台账"])
    ws.append(HEADER)
    for n in range(rows):
        industry, code, hazards = KINDS[n % len(KINDS)]
        ws.append([
            f"测量用{tag}单位{n:05d}有限公司",
            credit_code(n) if n % 2 == 0 else "",
            villages[n % len(villages)],
            f"第 {n % 40 + 1} 组",
            "张三",
            "12345"
            if faulty_every and n % faulty_every == 0
            else (f"139{n % 100_000_000:08d}" if n % 3 else f"0858-36{n % 100_000:05d}"),
            industry,
            code,
            hazards,
            100 + n % 50,
            40 + n % 30,
        ])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure_import(rows: int) -> None:
    user = User.objects.get(username="panzhou")
    content = build_file(rows, "导入")
    print(f"file: {rows} rows, {len(content) / 1024:.0f} KiB")
    start, cpu = time.perf_counter(), time.process_time()
    check = read_ledger_file(content, user)
    checked, checked_cpu = time.perf_counter(), time.process_time()
    result = apply_import(check, user, source="measure.xlsx")
    done, done_cpu = time.perf_counter(), time.process_time()
    print(
        f"check (read + validate + plan): {checked - start:.1f} s wall, {checked_cpu - cpu:.1f} s CPU; "
        f"{check.counts()}"
    )
    print(
        f"write (actions, one transaction): {done - checked:.1f} s wall, {done_cpu - checked_cpu:.1f} s CPU"
    )
    print(f"import total: {done - start:.1f} s wall, {done_cpu - cpu:.1f} s CPU; created {result.created}")
    start = time.perf_counter()
    again = read_ledger_file(content, user)
    print(f"re-import check: {time.perf_counter() - start:.1f} s; counts {again.counts()}")


def measure_report(rows: int, profile: bool) -> None:
    user = User.objects.get(username="panzhou")
    content = build_file(rows, "报告", faulty_every=2)
    print(f"file: {rows} rows, {len(content) / 1024:.0f} KiB")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    start, cpu = time.perf_counter(), time.process_time()
    check = read_ledger_file(content, user)
    checked, checked_cpu = time.perf_counter(), time.process_time()
    report = report_workbook(check.table)
    done, done_cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.disable()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"check: {checked - start:.1f} s wall, {checked_cpu - cpu:.1f} s CPU; {check.counts()}")
    print(
        f"report workbook: {done - checked:.1f} s wall, {done_cpu - checked_cpu:.1f} s CPU, "
        f"{len(report) / 1024:.0f} KiB, {len(check.table.issues)} issues"
    )
    print(f"check + report: {done - start:.1f} s wall, {done_cpu - cpu:.1f} s CPU")
    grown = (rss_after - rss_before) / 1024
    print(f"max RSS: {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB (+{grown:.0f})")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def top_up(rows: int) -> None:
    have = Employer.objects.within(COUNTY).count()
    missing = rows - have
    if missing <= 0:
        return
    villages = list(Region.objects.filter(code__startswith=COUNTY, level=5).values_list("code", flat=True))
    dust = HazardCategory.objects.get(code="dust")
    batch = []
    for n in range(missing):
        name = f"测量用导出单位{n:05d}有限公司"
        village = villages[n % len(villages)]
        batch.append(
            Employer(
                name=name,
                name_key=name_key(name),
                region_id=village,
                township_id=village[:9],
                address=f"第 {n % 40 + 1} 组",
                legal_representative="李四",
                phone=f"137{n:08d}",
                industry="coal" if n % 2 else "building_materials",
                industry_code_id="06" if n % 2 else "30",
                workers=120,
                exposed_workers=60,
                registered=True,
                is_key=True,
            )
        )
    created = Employer.objects.bulk_create(batch, batch_size=2000)
    through = Employer.hazard_categories.through
    through.objects.bulk_create(
        [through(employer_id=e.pk, hazardcategory_id=dust.pk) for e in created], batch_size=5000
    )
    print(f"topped up the county with {missing} employers (bulk insert)")


def measure_export(rows: int) -> None:
    top_up(rows)
    user = User.objects.get(username="panzhou")
    query = ledger_for(user, {})
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryFile() as target:
        start, cpu = time.perf_counter(), time.process_time()
        count = write_export(target, query)
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - cpu
        size = target.tell()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"export: {count} rows, {size / 1024 / 1024:.1f} MiB, {elapsed:.1f} s wall, {elapsed_cpu:.1f} s CPU"
    )
    print(
        f"max RSS of the process: {rss_after / 1024:.0f} MiB (before the export: {rss_before / 1024:.0f} MiB)"
    )
    tracemalloc.start()
    with tempfile.TemporaryFile() as target:
        write_export(target, ledger_for(user, {}))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"export peak Python allocations (tracemalloc, second run): {peak / 1024 / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["import", "export", "report"])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"database: {django.db.connection.vendor}")
    if args.phase == "import":
        measure_import(args.rows)
    elif args.phase == "report":
        measure_report(args.rows, args.profile)
    else:
        measure_export(args.rows)


if __name__ == "__main__":
    main()
