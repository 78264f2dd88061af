"""The targets of the regulation's 主要工作指标 (editable afterwards by the province admin)."""

from decimal import Decimal

from django.db import migrations

TARGETS = [
    ("registration", "100", "本辖区内职业病危害用人单位基本信息登记率100%"),
    ("reporting", "100", "需要报告的信息要及时上报，重要情况立即报告"),
    ("assistant_patrol", "100", "每半年至少开展一次巡查工作"),
    ("key_coverage", "100", "重点行业领域及职业病危害严重的用人单位巡查覆盖率100%"),
    ("records", "100", "开展巡查工作应当填写相关工作表，做到全面、及时、客观、真实、准确"),
    ("training_participation", "90", "业务培训参加率达90%以上"),
    ("training_pass", "90", "业务培训合格率达90%以上"),
    ("publicity", "100", "乡(镇、办)协管员全年开展卫生法律法规和相关卫生知识宣传1次以上"),
]


def load(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    for key, threshold, basis in TARGETS:
        Target.objects.get_or_create(
            indicator=key, defaults={"threshold": Decimal(threshold), "comparison": "ge", "basis": basis}
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_targets")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
