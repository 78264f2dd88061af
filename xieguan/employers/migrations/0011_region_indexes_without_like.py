# The region and township keys lose db_index, which on PostgreSQL also made a varchar_pattern_ops
# copy of each (`..._like`): the region prefix is served by employer_region_key_idx (the same
# leading column and operator class) and nothing compares township_id with LIKE. Their plain
# indexes stay, declared in Meta.indexes (docs/performance.md, issue 16 round 5).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0010_industry_mapping"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="employer",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="employers",
                to="regions.region",
                verbose_name="所在村(社区)或乡镇",
            ),
        ),
        migrations.AlterField(
            model_name="employer",
            name="township",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.region",
                verbose_name="乡(镇、街道)",
            ),
        ),
        migrations.AddIndex(
            model_name="employer",
            index=models.Index(fields=["region"], name="employer_region_idx"),
        ),
        migrations.AddIndex(
            model_name="employer",
            index=models.Index(fields=["township"], name="employer_township_idx"),
        ),
    ]
