"""Region prefix filters (region_id LIKE 'X%') become a range on this composite index (varchar_pattern_ops)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='publicityevent',
            name='publicity_region_date_idx',
        ),
        migrations.AddIndex(
            model_name='publicityevent',
            index=models.Index(fields=['region', 'held_on'], name='publicity_region_date_idx', opclasses=['varchar_pattern_ops', 'date_ops']),
        ),
    ]
