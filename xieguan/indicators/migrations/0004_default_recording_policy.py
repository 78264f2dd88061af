"""The default recording deadlines (editable afterwards by the province admin): an inspection
record within 3 days of the visit, a complaint recorded within 24 hours of receipt."""

from django.db import migrations


def load(apps, schema_editor):
    RecordingPolicy = apps.get_model("indicators", "RecordingPolicy")
    if not RecordingPolicy.objects.exists():
        RecordingPolicy.objects.create(inspection_days=3, complaint_hours=24)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_recording_policy")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
