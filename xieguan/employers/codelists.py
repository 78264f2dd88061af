"""The ledger's code lists from the data files (the same files the data migrations read).

Migrations load them in a real database; the test suite runs without migrations, so its
fixtures call ``ensure_code_lists()``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from xieguan.employers.models import HazardCategory, HazardFactor, IndustryCode

DATA = Path(__file__).resolve().parent / "data"

HAZARD_CATEGORIES = [
    ("dust", "粉尘", 52, 1),
    ("chemical", "化学因素", 375, 2),
    ("physical", "物理因素", 15, 3),
    ("radioactive", "放射性因素", 8, 4),
    ("biological", "生物因素", 6, 5),
    ("other", "其他因素", 3, 6),
]


def ensure_code_lists() -> None:
    if HazardFactor.objects.exists() and IndustryCode.objects.exists():
        return
    for code, name, items, order in HAZARD_CATEGORIES:
        HazardCategory.objects.update_or_create(
            code=code, defaults={"name": name, "catalogue_items": items, "order": order}
        )
    with (DATA / "gbt4754-2017-divisions.csv").open(encoding="utf-8") as fh:
        IndustryCode.objects.bulk_create(
            [
                IndustryCode(code=r["code"], name=r["name"], category=r["category"])
                for r in csv.DictReader(fh)
            ],
            ignore_conflicts=True,
        )
    with (DATA / "hazard-factors.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            HazardFactor.objects.get_or_create(category_id=row["category"], name=row["name"])
