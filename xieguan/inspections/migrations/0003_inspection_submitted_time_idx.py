"""The indicators' "inspected in the period" sub-plans read this narrow index, not the wide rows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0002_builtin_templates'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='inspection',
            index=models.Index(condition=models.Q(('status', 'submitted')), fields=['inspected_at', 'employer', 'assistant', 'region', 'complete'], name='inspection_submitted_time_idx'),
        ),
    ]
