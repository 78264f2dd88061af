"""The statutory retirement ages as data: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定
(2024-09-13, in force 2025-01-01), 附件 《国务院关于渐进式延迟法定退休年龄的办法》 第二条:
men 60 → 63 and women 55 → 58, one month later for every four months of birth from 1965-01 and
1970-01; women 50 → 55, one month later for every two months of birth from 1975-01. Women
assistants follow the 50 rule by default (the province may choose the 55 rule); the county is
warned 180 days ahead. All editable by the province admin."""

import datetime as dt

from django.db import migrations

RULES = [
    ("male", "男职工（原60周岁）", "male", 60, dt.date(1965, 1, 1), 4, 36),
    ("female_cadre", "女干部（原55周岁）", "female", 55, dt.date(1970, 1, 1), 4, 36),
    ("female_worker", "女职工（原50周岁）", "female", 50, dt.date(1975, 1, 1), 2, 60),
]


def load(apps, schema_editor):
    Rule = apps.get_model("personnel", "RetirementRule")
    Policy = apps.get_model("personnel", "RetirementPolicy")
    rows = {}
    for key, label, gender, base, reform_from, step, max_delay in RULES:
        rows[key], _ = Rule.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "gender": gender,
                "base_years": base,
                "reform_from_birth": reform_from,
                "step_months": step,
                "max_delay_months": max_delay,
                "effective_from": dt.date(2025, 1, 1),
            },
        )
    if not Policy.objects.exists():
        Policy.objects.create(warning_days=180, male_rule=rows["male"], female_rule=rows["female_worker"])


class Migration(migrations.Migration):
    dependencies = [("personnel", "0004_retirement_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
