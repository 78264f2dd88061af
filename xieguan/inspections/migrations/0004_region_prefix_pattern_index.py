"""Region prefix filters (region_id LIKE 'X%') become a range on this composite index (varchar_pattern_ops)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0003_inspection_submitted_time_idx'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='inspection',
            name='inspection_region_time_idx',
        ),
        migrations.AddIndex(
            model_name='inspection',
            index=models.Index(fields=['region', 'inspected_at'], name='inspection_region_time_idx', opclasses=['varchar_pattern_ops', 'timestamptz_ops']),
        ),
    ]
