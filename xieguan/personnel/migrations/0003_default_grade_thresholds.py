"""Default assessment grade thresholds (优秀≥90, 合格≥75, 基本合格≥60, 不合格 below) and staffing load.

Both are data the province admin edits in the admin site; these are only the starting values.
Data migrations never import app code: the values are repeated here.
"""

from decimal import Decimal

from django.db import migrations

THRESHOLDS = [
    ("excellent", Decimal("90")),
    ("good", Decimal("75")),
    ("basic", Decimal("60")),
    ("fail", Decimal("0")),
]


def load(apps, schema_editor):
    GradeThreshold = apps.get_model("personnel", "GradeThreshold")
    StaffingPolicy = apps.get_model("personnel", "StaffingPolicy")
    for grade, min_score in THRESHOLDS:
        GradeThreshold.objects.get_or_create(grade=grade, defaults={"min_score": min_score})
    if not StaffingPolicy.objects.exists():
        StaffingPolicy.objects.create(max_inspections_per_assistant=60)


class Migration(migrations.Migration):
    dependencies = [("personnel", "0002_training_pass_mark_and_staffing_policy")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
