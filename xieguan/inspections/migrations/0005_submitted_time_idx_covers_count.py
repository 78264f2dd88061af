"""The records indicator counts inspection ids: with the id in the index it is an index-only scan."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0004_region_prefix_pattern_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='inspection',
            name='inspection_submitted_time_idx',
        ),
        migrations.AddIndex(
            model_name='inspection',
            index=models.Index(condition=models.Q(('status', 'submitted')), fields=['inspected_at', 'employer', 'assistant', 'region', 'complete', 'id'], name='inspection_submitted_time_idx'),
        ),
    ]
