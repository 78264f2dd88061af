"""Region prefix filters (region_id LIKE 'X%') become a range on this composite index (varchar_pattern_ops)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0002_lead_acknowledged_by_and_action_reason'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_region_discovered_idx',
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['region', 'discovered_at'], name='lead_region_discovered_idx', opclasses=['varchar_pattern_ops', 'timestamptz_ops']),
        ),
    ]
