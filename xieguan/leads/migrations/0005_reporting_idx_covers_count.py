"""The reporting rate counts lead ids: with the id in the index it is an index-only scan."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0004_lead_discovered_reporting_idx'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_discovered_reporting_idx',
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['discovered_at', 'region', 'reported_at', 'report_due_at', 'id'], name='lead_discovered_reporting_idx'),
        ),
    ]
