"""Employer.inspected_halves: the half-years with a submitted inspection, as a bit mask
(xieguan/inspections/patrol.py), filled here from the inspections already recorded."""

from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone

EPOCH_YEAR = 2020  # as in xieguan/inspections/patrol.py at the time of this migration
YEARS = 31


def fill(apps, schema_editor):
    Employer = apps.get_model("employers", "Employer")
    Inspection = apps.get_model("inspections", "Inspection")
    masks = defaultdict(int)
    rows = Inspection.objects.filter(status="submitted").values_list("employer_id", "inspected_at")
    for employer_id, inspected_at in rows.iterator(chunk_size=5000):
        day = timezone.localdate(inspected_at)
        index = (day.year - EPOCH_YEAR) * 2 + (0 if day.month <= 6 else 1)
        if 0 <= index < YEARS * 2:
            masks[employer_id] |= 1 << index
    for employer_id, mask in masks.items():
        Employer.objects.filter(pk=employer_id).update(inspected_halves=mask)


class Migration(migrations.Migration):

    dependencies = [
        ('employers', '0005_region_prefix_pattern_index'),
        ('inspections', '0006_submitted_region_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='employer',
            name='inspected_halves',
            field=models.BigIntegerField(default=0, editable=False, verbose_name='已巡查的半年'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
