"""The reporting rate of a period (indicators) reads only this narrow index: an index-only scan."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0003_region_prefix_pattern_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['discovered_at', 'region', 'reported_at', 'report_due_at'], name='lead_discovered_reporting_idx'),
        ),
    ]
