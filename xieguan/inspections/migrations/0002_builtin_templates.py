"""The two built-in check-list templates (data, not code; this migration imports no app code).

- ``fubiao1``: 附表1 职业健康监督协管巡查个案信息表 word for word (active by default).
- ``regulation-text``: the check-list as the regulation's text words it (巡查主要内容), whose
  item 5 is the annual personal dose monitoring of radiation workers, applicable only to
  employers doing radiation work.

第1-5项为检查资料有无（非建设项目第2项可为合理缺项），第6-7项为发现线索.
"""

from django.db import migrations

CONSTRUCTION = "no_construction_project"
RADIATION = "no_radiation_work"
NEVER = "never"

TEMPLATES = [
    {
        "code": "fubiao1",
        "name": "附表1 职业健康监督协管巡查个案信息表",
        "description": "《贵州省职业健康监督协管员制度》附表1，逐字照录。",
        "is_active": True,
        "items": [
            (1, "职业病危害项目申报情况", "document", NEVER, "illegal"),
            (
                2,
                "建设项目的职业病危害预评价报告、职业病防护设施设计、职业病危害控制效果评价报告完成情况",
                "document",
                CONSTRUCTION,
                "illegal",
            ),
            (3, "工作场所职业病危害因素检测与评价情况", "document", NEVER, "illegal"),
            (4, "劳动者职业健康检查及职业健康监护档案情况", "document", NEVER, "illegal"),
            (5, "劳动者职业健康教育培训情况", "document", NEVER, "illegal"),
            (6, "工作场所异常情况", "lead", NEVER, "abnormal"),
            (7, "群众投诉举报情况", "lead", NEVER, "complaint"),
        ],
    },
    {
        "code": "regulation-text",
        "name": "制度正文巡查主要内容（第5项为放射工作人员个人剂量监测）",
        "description": "按制度正文“巡查主要内容”逐字照录；第5项仅适用于具有放射危害因素的用人单位，"
        "其他单位可合理缺项。",
        "is_active": False,
        "items": [
            (1, "职业病危害项目申报情况", "document", NEVER, "illegal"),
            (
                2,
                "建设项目的职业病危害预评价报告、职业病防护设施设计、职业病危害控制效果评价报告完成情况",
                "document",
                CONSTRUCTION,
                "illegal",
            ),
            (3, "工作场所职业病危害因素检测与评价情况", "document", NEVER, "illegal"),
            (4, "劳动者职业健康检查及监护档案情况", "document", NEVER, "illegal"),
            (
                5,
                "具有放射危害因素的用人单位接触放射工作人员年度个人剂量监测情况",
                "document",
                RADIATION,
                "illegal",
            ),
            (6, "工作场所异常情况（放射、粉尘、噪声、化学毒物等）", "lead", NEVER, "abnormal"),
            (7, "群众投诉举报情况", "lead", NEVER, "complaint"),
        ],
    },
]


def load_builtin_templates(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    any_active = Template.objects.filter(is_active=True).exists()
    for spec in TEMPLATES:
        if Template.objects.filter(code=spec["code"]).exists():
            continue
        template = Template.objects.create(
            code=spec["code"],
            version=1,
            name=spec["name"],
            description=spec["description"],
            builtin=True,
            is_active=spec["is_active"] and not any_active,
        )
        Item.objects.bulk_create(
            Item(template=template, number=n, wording=w, kind=k, na_rule=na, lead_type=lt)
            for n, w, k, na, lt in spec["items"]
        )


def remove_builtin_templates(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    builtin = Template.objects.filter(builtin=True, version=1, code__in=[t["code"] for t in TEMPLATES])
    Item.objects.filter(template__in=builtin).delete()
    builtin.delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load_builtin_templates, remove_builtin_templates)]
