"""Check-list templates: the built-in data, the 合理缺项 and finding rules, versions."""

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from xieguan.documents.official import fubiao1 as fubiao1_form
from xieguan.employers.models import Employer
from xieguan.inspections import actions
from xieguan.inspections.models import Answer, ChecklistItem, ChecklistTemplate, ItemKind, NotApplicableRule
from xieguan.inspections.tests.factories import load_templates, payload

pytestmark = pytest.mark.django_db


def test_fubiao1_is_the_official_form_word_for_word(fubiao1):
    items = list(fubiao1.items.order_by("number"))
    assert [(i.number, i.wording) for i in items] == list(fubiao1_form.ITEMS)
    assert [i.kind for i in items] == ["document"] * 5 + ["lead"] * 2
    assert [i.na_rule for i in items] == ["never", "no_construction_project"] + ["never"] * 5
    assert [i.lead_type for i in items] == ["illegal"] * 5 + ["abnormal", "complaint"]
    assert fubiao1.is_active and fubiao1.builtin and ChecklistTemplate.active("52") == fubiao1


def test_regulation_text_variant_has_the_dose_item(templates):
    variant = templates["regulation-text"]
    item5 = variant.items.get(number=5)
    assert item5.wording == "具有放射危害因素的用人单位接触放射工作人员年度个人剂量监测情况"
    assert item5.na_rule == NotApplicableRule.NO_RADIATION_WORK and item5.kind == ItemKind.DOCUMENT
    assert variant.items.count() == 7 and not variant.is_active


def test_loading_twice_changes_nothing(templates):
    load_templates()
    assert ChecklistTemplate.objects.count() == 2 and ChecklistItem.objects.count() == 14


def test_only_one_template_is_active(templates):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTemplate.objects.filter(code="regulation-text").update(is_active=True)


@given(
    kind=st.sampled_from(ItemKind.values),
    rule=st.sampled_from(NotApplicableRule.values),
    construction=st.booleans(),
    radiation=st.booleans(),
    answer=st.sampled_from(Answer.values),
)
def test_na_and_finding_rules(kind, rule, construction, radiation, answer):
    item = ChecklistItem(number=1, wording="x", kind=kind, na_rule=rule)
    employer = Employer(construction_project=construction, radiation_work=radiation)
    allowed = item.na_allowed_for(employer)
    expected = {
        "never": False,
        "no_construction_project": not construction,
        "no_radiation_work": not radiation,
    }[rule]
    assert allowed == expected
    finding = item.is_finding(answer)
    if answer == Answer.NOT_APPLICABLE:
        assert not finding
    else:
        assert finding == ((kind == "document") == (answer == Answer.NO))


def test_na_refused_where_not_allowed(personas, fubiao1, employer):
    employer.construction_project = True
    employer.save()
    data = payload(employer, fubiao1, {1: "na", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"})
    with pytest.raises(actions.SubmissionIncomplete) as refused:
        actions.submit_inspection(personas.xieguan, data)
    assert "第1项不允许选“合理缺项”，请选择“有”或“无”。" in refused.value.messages
    assert any(m.startswith("第2项只有无建设项目的用人单位才能选“合理缺项”") for m in refused.value.messages)


def test_dose_item_na_only_without_radiation_work(personas, templates, employer):
    variant = templates["regulation-text"]
    answers = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "na", 6: "no", 7: "no"}
    result = actions.submit_inspection(personas.xieguan, payload(employer, variant, answers))
    assert result.created and result.inspection.findings_count == 0
    employer.radiation_work = True
    employer.save()
    with pytest.raises(actions.SubmissionIncomplete) as refused:
        actions.submit_inspection(personas.xieguan, payload(employer, variant, answers))
    assert any("第5项只有不从事放射工作的用人单位" in m for m in refused.value.messages)


def test_revision_is_a_new_version_and_old_inspections_keep_theirs(personas, fubiao1, employer):
    old = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection
    items = [
        actions.ItemData(i.number, i.wording, i.kind, i.na_rule, i.lead_type) for i in fubiao1.items.all()
    ]
    items[4] = actions.ItemData(5, "劳动者职业健康教育培训及考核情况", "document")
    new = actions.revise_template(fubiao1, personas.sheng, name=fubiao1.name, description="", items=items)
    assert (new.code, new.version, new.is_active, new.province_id) == ("fubiao1", 2, True, "52")
    fubiao1.refresh_from_db()
    assert ChecklistTemplate.active("52") == new and not fubiao1.is_active_in("52")
    assert fubiao1.is_active and ChecklistTemplate.active("53") == fubiao1  # other provinces: unchanged
    assert fubiao1.items.get(number=5).wording == "劳动者职业健康教育培训情况"
    old.refresh_from_db()
    assert old.template_id == fubiao1.pk
    assert old.answers.get(item__number=5).item.wording == "劳动者职业健康教育培训情况"


def test_revision_refuses_bad_items(personas, fubiao1):
    with pytest.raises(actions.InspectionError) as refused:
        actions.revise_template(
            fubiao1,
            personas.sheng,
            name="",
            description="",
            items=[actions.ItemData(2, "", "bogus", "never", "x")],
        )
    assert refused.value.messages == [
        "请填写模板名称。",
        "巡查项目应从 1 开始连续编号。",
        "第2项的巡查内容不能为空。",
        "第2项的性质无效。",
        "第2项的线索类别无效。",
    ]
    assert ChecklistTemplate.objects.count() == 2


def test_activate(personas, templates):
    # A national version chosen by a province admin is copied into the province and in force
    # there only; the national choice (other provinces) is unchanged.
    national = templates["regulation-text"]
    in_force = actions.activate_template(national, personas.sheng)
    assert in_force.province_id == "52" and in_force.code == national.code and in_force.version == 2
    assert list(in_force.items.values_list("wording", flat=True)) == list(
        national.items.order_by("number").values_list("wording", flat=True)
    )
    assert ChecklistTemplate.active("52") == in_force
    assert ChecklistTemplate.active("53") == ChecklistTemplate.objects.get(province=None, is_active=True)
    assert ChecklistTemplate.objects.filter(is_active=True).count() == 2
    # Choosing the national active one again sets the province's own aside.
    fubiao1 = ChecklistTemplate.objects.get(province=None, is_active=True)
    assert actions.activate_template(fubiao1, personas.sheng) == fubiao1
    assert ChecklistTemplate.active("52") == fubiao1
