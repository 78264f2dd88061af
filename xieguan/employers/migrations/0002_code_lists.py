"""Load the hazard categories of the 2015 catalogue and the GB/T 4754-2017 divisions.

Data migrations never import app code: the rows are read from the data files here.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

HAZARD_CATEGORIES = [
    ("dust", "粉尘", 52, 1),
    ("chemical", "化学因素", 375, 2),
    ("physical", "物理因素", 15, 3),
    ("radioactive", "放射性因素", 8, 4),
    ("biological", "生物因素", 6, 5),
    ("other", "其他因素", 3, 6),
]


def load(apps, schema_editor):
    HazardCategory = apps.get_model("employers", "HazardCategory")
    IndustryCode = apps.get_model("employers", "IndustryCode")
    for code, name, items, order in HAZARD_CATEGORIES:
        HazardCategory.objects.update_or_create(
            code=code, defaults={"name": name, "catalogue_items": items, "order": order}
        )
    with (DATA / "gbt4754-2017-divisions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            IndustryCode.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "category": row["category"]}
            )


class Migration(migrations.Migration):
    dependencies = [("employers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
