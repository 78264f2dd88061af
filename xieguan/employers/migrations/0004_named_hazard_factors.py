"""Load a first list of named hazard factors (data/hazard-factors.csv; see data/README.md).

Data migrations never import app code: the rows are read from the data file here.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    HazardFactor = apps.get_model("employers", "HazardFactor")
    with (DATA / "hazard-factors.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            HazardFactor.objects.get_or_create(category_id=row["category"], name=row["name"])


class Migration(migrations.Migration):
    dependencies = [("employers", "0003_ledger_policy_imports_factor_history")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
