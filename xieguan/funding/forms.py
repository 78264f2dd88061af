"""Forms of work funding, and the one reader of money amounts typed by people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Role, User
from xieguan.funding.models import (
    MAX_YEAR,
    MIN_YEAR,
    MONEY_DIGITS,
    MONEY_PLACES,
    Budget,
    FundingSource,
    Purpose,
    SubsidyBasis,
)
from xieguan.lib.text import fold
from xieguan.personnel.models import Assessment
from xieguan.tasks.forms import StyledForm

MAX_AMOUNT = Decimal(10 ** (MONEY_DIGITS - MONEY_PLACES)) - Decimal("0.01")
CENT = Decimal("0.01")


def clean_money(value: object) -> Decimal:
    """A positive amount in yuan with at most two decimal places, exactly (never a float).

    Accepts what people type: 12000, 12,000.50, １２０００ (full-width), 12000元, ¥12000.
    """
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a str or Decimal")
    text = fold(str(value if value is not None else ""))
    for noise in (",", "，", " ", "元", "¥", "￥"):
        text = text.replace(noise, "")
    if not text:
        raise ValidationError(_("请填写金额。"), code="money_required")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(
            _("金额“%(value)s”无法识别：请填写数字，如 12000 或 12000.50。") % {"value": value},
            code="money_invalid",
        ) from exc
    if not amount.is_finite():
        raise ValidationError(_("金额无效。"), code="money_invalid")
    if amount <= 0:
        raise ValidationError(_("金额必须大于 0 元。"), code="money_positive")
    if amount != amount.quantize(CENT):
        raise ValidationError(_("金额最多保留两位小数（到分）。"), code="money_places")
    if amount > MAX_AMOUNT:
        raise ValidationError(
            _("金额过大（不能超过 %(max)s 元）。") % {"max": f"{MAX_AMOUNT:,}"}, code="money_max"
        )
    return amount.quantize(CENT)


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年度应在 %(lo)d 至 %(hi)d 之间。") % {"lo": MIN_YEAR, "hi": MAX_YEAR}, code="year_range"
        )
    return year


class MoneyField(forms.CharField):
    """A text input read by ``clean_money``; the cleaned value is a Decimal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Decimal:
        return clean_money(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class BudgetForm(StyledForm):
    source = forms.ChoiceField(label=_("经费来源"), choices=FundingSource.choices)
    amount = MoneyField(label=_("下达金额(元)"))
    allocated_on = forms.DateField(label=_("下达日期"), required=False, widget=DateInput())
    document_no = forms.CharField(label=_("文号"), max_length=100, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BudgetEditForm(BudgetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["source"]


class BudgetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        doc = f"，{obj.document_no}" if obj.document_no else ""
        return f"{obj.get_source_display()}（{obj.amount:,} 元{doc}）"


class DisbursementForm(StyledForm):
    budget = BudgetChoiceField(label=_("经费来源"), queryset=Budget.objects.none())
    amount = MoneyField(label=_("金额(元)"))
    paid_on = forms.DateField(label=_("支出日期"), widget=DateInput())
    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices)
    payee = forms.CharField(label=_("收款方"), max_length=200, required=False)
    voucher_no = forms.CharField(label=_("凭证号"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, budgets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = budgets  # type: ignore[attr-defined]


class AssistantField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        suffix = "" if obj.is_active else "，已停用"
        return f"{obj.full_name or obj.username}（{obj.region.name}{suffix}）"


class AssessmentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        grade = obj.get_grade_display() or "未评定"
        return f"{obj.assistant.name} {obj.year} 年度考核：{grade}"


class SubsidyForm(StyledForm):
    budget = BudgetChoiceField(label=_("经费来源"), queryset=Budget.objects.none())
    assistant = AssistantField(label=_("协管员"), queryset=User.objects.none())
    amount = MoneyField(label=_("金额(元)"))
    period_start = forms.DateField(label=_("补助期间起"), widget=DateInput())
    period_end = forms.DateField(label=_("补助期间止"), widget=DateInput())
    basis = forms.ChoiceField(label=_("发放依据"), choices=SubsidyBasis.choices)
    basis_note = forms.CharField(
        label=_("依据说明"),
        max_length=200,
        required=False,
        help_text=_("如：每月 300 元；考核优秀上浮 20%。"),
    )
    assessment = AssessmentField(label=_("关联年度考核"), queryset=Assessment.objects.none(), required=False)
    paid_on = forms.DateField(label=_("发放日期"), widget=DateInput())

    def __init__(self, *args: Any, budgets: Any, county: str, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = budgets  # type: ignore[attr-defined]
        self.fields["assistant"].queryset = (  # type: ignore[attr-defined]
            User.objects.visible_to(user)
            .within(county)
            .filter(role=Role.ASSISTANT)
            .select_related("region")
            .order_by("-is_active", "region_id", "full_name")
        )
        self.fields["assessment"].queryset = (  # type: ignore[attr-defined]
            Assessment.objects.visible_to(user).within(county).select_related("assistant").order_by("-year")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("period_start")
        end: dt.date | None = data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("补助期间止不能早于补助期间起。"))
        return data
