"""Region prefix filters (region_id LIKE 'X%') become a range on this composite index (varchar_pattern_ops)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('employers', '0004_named_hazard_factors'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='employer',
            name='employer_region_key_idx',
        ),
        migrations.AddIndex(
            model_name='employer',
            index=models.Index(fields=['region', 'is_key'], name='employer_region_key_idx', opclasses=['varchar_pattern_ops', 'bool_ops']),
        ),
    ]
