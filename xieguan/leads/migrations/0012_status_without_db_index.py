# The status loses db_index (its plain index and, on PostgreSQL, a varchar_pattern_ops copy):
# lead_status_due_idx (status, report_due_at) has the same leading column and operator class and
# serves every comparison of the status (docs/performance.md, issue 16 round 5).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0011_province_policies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lead",
            name="status",
            field=models.CharField(
                choices=[
                    ("discovered", "已发现"),
                    ("reported", "已报告"),
                    ("handling", "处理中"),
                    ("closed", "已办结"),
                    ("withdrawn", "已撤回"),
                ],
                default="discovered",
                max_length=20,
                verbose_name="状态",
            ),
        ),
    ]
