# The status loses db_index, which on PostgreSQL also made a varchar_pattern_ops copy
# (`..._like`) that no query needs (the status is compared for equality only); the plain index
# stays, declared in Meta.indexes (docs/performance.md, issue 16 round 5).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0012_province_policies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inspection",
            name="status",
            field=models.CharField(
                choices=[("draft", "草稿"), ("submitted", "已提交")],
                default="draft",
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(fields=["status"], name="inspection_status_idx"),
        ),
    ]
