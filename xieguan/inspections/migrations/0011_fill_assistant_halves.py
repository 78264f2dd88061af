"""Fill AssistantHalf from the submitted inspections already stored (issue 16 item 2)."""

from collections import Counter

from django.db import migrations
from django.utils import timezone

from xieguan.inspections.patrol import half_index


def fill(apps, schema_editor):
    Inspection = apps.get_model("inspections", "Inspection")
    AssistantHalf = apps.get_model("inspections", "AssistantHalf")
    counts: Counter[tuple[int, int]] = Counter()
    rows = Inspection.objects.filter(status="submitted").values_list("assistant_id", "inspected_at")
    for assistant_id, inspected_at in rows.iterator(chunk_size=10_000):
        half = half_index(timezone.localdate(inspected_at))
        if half is not None:
            counts[(assistant_id, half)] += 1
    AssistantHalf.objects.all().delete()
    AssistantHalf.objects.bulk_create(
        (AssistantHalf(assistant_id=a, half=h, inspections=n) for (a, h), n in counts.items()),
        batch_size=5_000,
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0010_assistant_half")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
