"""Load a province's division tree from the data shipped in regions/data/."""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from xieguan.regions.models import LEVEL_BY_LENGTH, Level, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


class RegionDataError(Exception):
    """The data file is missing, unreadable or inconsistent; nothing was loaded."""


@dataclass
class LoadResult:
    created: int
    updated: int
    unchanged: int
    per_level: dict[int, int]
    source: str


def data_path(province: str) -> Path:
    return DATA_DIR / f"{province}.json.gz"


def read_rows(path: Path, province: str) -> tuple[list[tuple[str, str, str | None]], str]:
    if not path.exists():
        available = sorted(p.name.split(".")[0] for p in DATA_DIR.glob("*.json.gz"))
        raise RegionDataError(
            f"没有省份代码 {province} 的区划数据文件 ({path.name})；可用：{', '.join(available) or '无'}"
        )
    try:
        with gzip.open(path, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
        raw_rows = data["regions"]
        source = str(data.get("source", ""))
    except (
        OSError,
        EOFError,
        zlib.error,
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
    ) as exc:
        raise RegionDataError(f"区划数据文件 {path.name} 已损坏或格式不对：{exc}") from exc
    rows: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for index, row in enumerate(raw_rows, start=1):
        try:
            code, name, parent = str(row[0]), str(row[1]).strip(), row[2]
        except (IndexError, TypeError) as exc:
            raise RegionDataError(f"区划数据第 {index} 行格式不对：{row!r}") from exc
        parent = str(parent) if parent is not None else None
        if not code.isdigit() or len(code) not in LEVEL_BY_LENGTH or not code.startswith(province):
            raise RegionDataError(f"区划数据第 {index} 行代码无效：{code!r}")
        if not name:
            raise RegionDataError(f"区划数据第 {index} 行缺少名称：{code}")
        if parent is not None and (parent not in seen or not code.startswith(parent)):
            raise RegionDataError(f"区划数据第 {index} 行的上级 {parent!r} 不存在或与代码 {code} 不符")
        if parent is None and len(code) != 2:
            raise RegionDataError(f"区划数据第 {index} 行缺少上级：{code}")
        seen.add(code)
        rows.append((code, name, parent))
    if not rows or rows[0][0] != province:
        raise RegionDataError(f"区划数据文件 {path.name} 不含省份 {province}")
    return rows, source


@transaction.atomic
def load_province(province: str, path: Path | None = None) -> LoadResult:
    """Create or update the province's regions; idempotent and all-or-nothing."""
    if not (len(province) == 2 and province.isdigit()):
        raise RegionDataError(f"省份代码应为两位数字，例如 52（贵州省），收到：{province!r}")
    rows, source = read_rows(path or data_path(province), province)
    existing = {
        code: (name, parent)
        for code, name, parent in Region.objects.within(province).values_list("code", "name", "parent_id")
    }
    to_create: list[Region] = []
    to_update: list[Region] = []
    for code, name, parent in rows:
        level = LEVEL_BY_LENGTH[len(code)]
        if code not in existing:
            to_create.append(Region(code=code, name=name, level=level, parent_id=parent))
        elif existing[code] != (name, parent):
            to_update.append(Region(code=code, name=name, level=level, parent_id=parent))
    # Parents come before children in the file, so batches keep foreign keys valid.
    Region.objects.bulk_create(to_create, batch_size=2000)
    Region.objects.bulk_update(to_update, ["name", "parent", "level"], batch_size=2000)
    per_level = Counter(LEVEL_BY_LENGTH[len(code)] for code, _, _ in rows)
    return LoadResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
        per_level={int(level): per_level.get(level, 0) for level in Level},
        source=source,
    )
