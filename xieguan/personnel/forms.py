"""Forms of the personnel pages. They validate input; personnel.actions does the writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.lib import tabular
from xieguan.lib.forms import Styled
from xieguan.lib.validators import clean_id_number, clean_phone
from xieguan.personnel import rules
from xieguan.personnel.models import (
    Assessment,
    Assistant,
    AssistantStatus,
    DismissalGround,
    RewardGround,
    TrainingSession,
)
from xieguan.regions.models import Level, Region
from xieguan.regions.pickers import grouped

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _township_field(user: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("所在乡(镇、街道)"),
        queryset=Region.objects.visible_to(user).filter(level=Level.TOWNSHIP).order_by("code"),
        empty_label=_("请选择"),
    )


class AssistantForm(Styled, forms.ModelForm):
    class Meta:
        model = Assistant
        fields = [
            "name",
            "gender",
            "id_number",
            "phone",
            "education",
            "specialty",
            "origin",
            "township",
            "villages",
            "photo",
        ]
        widgets = {"villages": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"] = _township_field(user)
        township = self.instance.township_id if self.instance.pk else None
        villages = self.fields["villages"]
        if township:
            villages.queryset = Region.objects.visible_to(user).filter(parent_id=township).order_by("code")
            villages.help_text = _("乡聘村用时勾选其负责的村(社区)；不勾选表示负责全乡镇。")
        else:
            del self.fields["villages"]
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["photo"].widget = forms.FileInput(attrs={"accept": "image/*"})
        self.style()

    def clean_id_number(self) -> str:
        return clean_id_number(self.cleaned_data.get("id_number"))

    def clean_phone(self) -> str:
        phone = clean_phone(self.cleaned_data.get("phone"))
        if not phone:
            raise ValidationError(_("请填写联系电话。"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        township = data.get("township")
        if township is not None and "villages" in data:
            wrong = [v.name for v in data["villages"] if v.parent_id != township.code]
            if wrong:
                self.add_error("villages", _("这些村(社区)不属于所选乡镇：%s。") % "、".join(wrong))
        return data

    def validate_unique(self) -> None:
        """The ID number's uniqueness is checked by personnel.actions, with a plainer message."""


class EligibilityForm(Styled, forms.Form):
    def __init__(self, *args: Any, assistant: Assistant, **kwargs: Any) -> None:
        initial = {f: getattr(assistant, f) for c in rules.CONDITIONS for f in (c.field, c.evidence_field)}
        super().__init__(*args, initial=initial, **kwargs)
        for c in rules.CONDITIONS:
            self.fields[c.field] = forms.BooleanField(label=c.label, required=False)
            self.fields[c.evidence_field] = forms.CharField(
                label=_("依据或本人声明"),
                max_length=200,
                required=False,
                help_text=_("如：无违法犯罪记录证明、体检报告、学历证书、培训考核、本人书面声明"),
            )
        self.style()

    def condition_rows(self) -> list[tuple[Any, Any]]:
        return [(self[c.field], self[c.evidence_field]) for c in rules.CONDITIONS]


class AccountForm(Styled, forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字；请当面告知协管员并提醒其修改。"),
    )


class AppointmentForm(Styled, forms.Form):
    start = forms.DateField(label=_("聘期开始"), widget=DATE)
    end = forms.DateField(label=_("聘期结束"), widget=DATE)
    document_no = forms.CharField(label=_("聘任文号"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["end"].initial = rules.default_term_end(today)
        self.fields["end"].help_text = _("聘期一般为 %(n)s 年，最长 %(m)s 年。") % {
            "n": rules.DEFAULT_TERM_YEARS,
            "m": rules.MAX_TERM_YEARS,
        }


class RenewalForm(Styled, forms.Form):
    end = forms.DateField(label=_("新聘期结束"), widget=DATE)
    document_no = forms.CharField(label=_("续聘文号"), max_length=50, required=False)

    def __init__(self, *args: Any, start: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end"].initial = rules.default_term_end(start)


def invitee_label(assistant: Assistant) -> str:
    """姓名（乡镇）, with the status when it is not 在聘 (姓名（乡镇·待聘）): most invitees are in
    service, and the province's form lists some 2,500 of them."""
    if assistant.status == AssistantStatus.APPOINTED:
        return f"{assistant.name}（{assistant.township.name}）"
    return f"{assistant.name}（{assistant.township.name}·{assistant.get_status_display()}）"


class TrainingSessionForm(Styled, forms.ModelForm):
    invited = forms.ModelMultipleChoiceField(
        label=_("参训协管员"),
        queryset=Assistant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TrainingSession
        fields = ["kind", "held_on", "topic", "location", "has_exam", "pass_mark"]
        widgets = {"held_on": DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not dismissed, and whoever this session invited already (dismissed since or not): the
        # form shows every invitation it keeps, so saving it never drops one unseen.
        offered = ~Q(status=AssistantStatus.DISMISSED)
        if self.instance.pk:
            offered |= Q(Exists(self.instance.records.filter(assistant=OuterRef("pk"))))
        invitable = (
            Assistant.objects.visible_to(user)
            .filter(offered)
            .select_related("township")
            .order_by("township_id", "name")
        )
        field = self.fields["invited"]
        field.queryset = invitable
        field.label_from_instance = invitee_label
        # searchable and grouped below the organiser: the province's assistants by prefecture and
        # county (全选本市州, 全选本县(区)), a prefecture's by county, a county's by township
        levels = {2: ("prefecture", "county"), 4: ("county",)}
        by = levels.get(len(user.region_id or ""), ("township",))
        grouped(field, by, lambda assistant: assistant.township_id, scope=user.region_id or "", people=True)
        if self.instance.pk:
            field.initial = list(self.instance.records.values_list("assistant_id", flat=True))
        self.style()

    def clean_pass_mark(self) -> Any:
        mark = self.cleaned_data.get("pass_mark")
        if mark is not None and not (0 <= mark <= 100):
            raise ValidationError(_("合格分数线应在 0 到 100 之间。"))
        return mark


class AssessmentForm(Styled, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["duty_score", "service_score", "discipline_score", "comments"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from xieguan.personnel.assessment import ASPECT_MAX

        super().__init__(*args, **kwargs)
        for name, top in ASPECT_MAX.items():
            field = self.fields[name]
            field.required = True
            field.help_text = _("满分 %s 分") % top
            field.widget.attrs.update({"min": 0, "max": top, "step": "0.5", "inputmode": "decimal"})


class RewardForm(Styled, forms.Form):
    ground = forms.ChoiceField(label=_("表彰奖励情形（第十一条）"), choices=RewardGround.choices)
    description = forms.CharField(label=_("事迹"), widget=forms.Textarea(attrs={"rows": 3}))
    awarded_on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    document_no = forms.CharField(label=_("文号"), max_length=50, required=False)


class DismissalForm(Styled, forms.Form):
    ground = forms.ChoiceField(label=_("解聘情形（第十二条）"), choices=DismissalGround.choices)
    dismissed_on = forms.DateField(label=_("解聘日期"), widget=DATE, initial=timezone.localdate)
    document_no = forms.CharField(label=_("解聘文号"), max_length=50)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RosterUploadForm(Styled, forms.Form):
    file = forms.FileField(
        label=_("花名册文件（.xlsx）"),
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = tabular.limits_text()
