from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.inspections import actions
from xieguan.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    ItemKind,
    NotApplicableRule,
)
from xieguan.leads.models import LeadType

BIG_INPUT = {"class": "form-control"}


class AmendForm(forms.Form):
    """A correction of a submitted inspection: every field of the form plus the reason."""

    employer_name = forms.CharField(
        label=_("用人单位名称"), max_length=200, widget=forms.TextInput(BIG_INPUT)
    )
    address = forms.CharField(
        label=_("地址"), max_length=300, required=False, widget=forms.TextInput(BIG_INPUT)
    )
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=50, required=False, widget=forms.TextInput(BIG_INPUT)
    )
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(BIG_INPUT)
    )
    inspected_at = forms.DateTimeField(
        label=_("巡查时间"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    accompanying_person = forms.CharField(
        label=_("用人单位陪同人员"), max_length=50, widget=forms.TextInput(BIG_INPUT)
    )
    legal_publicity = forms.TypedChoiceField(
        label=_("巡查时开展普法宣传"),
        choices=[("", _("未记录")), ("yes", _("是")), ("no", _("否"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=_("修改原因"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=1000,
    )

    def __init__(
        self, *args: Any, inspection: Inspection, items: Sequence[ChecklistItem], **kwargs: Any
    ) -> None:
        self.inspection = inspection
        self.items = list(items)
        answers = {a.item_id: a for a in inspection.answers.all()}
        initial = {
            "employer_name": inspection.employer_name,
            "address": inspection.address,
            "legal_representative": inspection.legal_representative,
            "phone": inspection.phone,
            "inspected_at": timezone.localtime(inspection.inspected_at),
            "accompanying_person": inspection.accompanying_person,
            "legal_publicity": {True: "yes", False: "no"}.get(inspection.legal_publicity, ""),  # type: ignore[arg-type]
        }
        for item in self.items:
            row = answers.get(item.pk)
            initial[f"answer_{item.number}"] = row.answer if row else ""
            initial[f"note_{item.number}"] = row.note if row else ""
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for item in self.items:
            choices = [(Answer.YES, "有"), (Answer.NO, "无")]
            if item.na_rule != NotApplicableRule.NEVER:
                choices.append((Answer.NOT_APPLICABLE, "合理缺项"))
            self.fields[f"answer_{item.number}"] = forms.ChoiceField(
                label=f"{item.number}. {item.wording}", choices=choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{item.number}"] = forms.CharField(
                label=_("情况说明"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    def item_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"answer_{i.number}"], self[f"note_{i.number}"]) for i in self.items]

    def to_data(self) -> actions.InspectionData:
        data = self.cleaned_data
        inspected_at: dt.datetime = data["inspected_at"]
        return actions.InspectionData(
            id=self.inspection.pk,
            employer=self.inspection.employer,
            template=self.inspection.template,
            employer_name=data["employer_name"],
            address=data["address"],
            legal_representative=data["legal_representative"],
            phone=data["phone"],
            inspected_at=inspected_at,
            accompanying_person=data["accompanying_person"],
            legal_publicity=data["legal_publicity"],
            answers=[
                actions.AnswerData(i.number, data[f"answer_{i.number}"], data[f"note_{i.number}"])
                for i in self.items
            ],
        )


class TemplateReviseForm(forms.Form):
    """Edit a check-list template; saving creates a new version (blank wording removes an item)."""

    name = forms.CharField(label=_("名称"), max_length=100, widget=forms.TextInput(BIG_INPUT))
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    def __init__(self, *args: Any, template: ChecklistTemplate, **kwargs: Any) -> None:
        self.template = template
        items = list(template.items.all())
        self.rows = len(items) + 1  # one empty row to add an item
        initial: dict[str, Any] = {"name": template.name, "description": template.description}
        for index, item in enumerate(items, start=1):
            initial.update(
                {
                    f"wording_{index}": item.wording,
                    f"kind_{index}": item.kind,
                    f"na_rule_{index}": item.na_rule,
                    f"lead_type_{index}": item.lead_type,
                }
            )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        select = {"class": "form-select"}
        for index in range(1, self.rows + 1):
            self.fields[f"wording_{index}"] = forms.CharField(
                label=_("巡查内容"), required=False, max_length=300, widget=forms.TextInput(BIG_INPUT)
            )
            self.fields[f"kind_{index}"] = forms.ChoiceField(
                label=_("性质"),
                choices=ItemKind.choices,
                initial=ItemKind.DOCUMENT,
                widget=forms.Select(select),
            )
            self.fields[f"na_rule_{index}"] = forms.ChoiceField(
                label=_("合理缺项"),
                choices=NotApplicableRule.choices,
                initial=NotApplicableRule.NEVER,
                widget=forms.Select(select),
            )
            self.fields[f"lead_type_{index}"] = forms.ChoiceField(
                label=_("发现问题时的线索类别"),
                choices=[("", _("按性质推断")), *LeadType.choices],
                required=False,
                widget=forms.Select(select),
            )

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "index": index,
                "wording": self[f"wording_{index}"],
                "kind": self[f"kind_{index}"],
                "na_rule": self[f"na_rule_{index}"],
                "lead_type": self[f"lead_type_{index}"],
            }
            for index in range(1, self.rows + 1)
        ]

    def items(self) -> list[actions.ItemData]:
        data = self.cleaned_data
        result: list[actions.ItemData] = []
        for index in range(1, self.rows + 1):
            wording = (data.get(f"wording_{index}") or "").strip()
            if not wording:
                continue
            result.append(
                actions.ItemData(
                    number=len(result) + 1,
                    wording=wording,
                    kind=data[f"kind_{index}"],
                    na_rule=data[f"na_rule_{index}"],
                    lead_type=data.get(f"lead_type_{index}") or "",
                )
            )
        return result
