"""The filters of the access log page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xieguan.audit.models import Kind


class LogFilter(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *Kind.choices])
    user = forms.CharField(label=_("用户名"), required=False, max_length=150)
    region = forms.CharField(label=_("区划代码"), required=False, max_length=12)
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean_region(self) -> str:
        code = (self.cleaned_data.get("region") or "").strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("区划代码应为数字。"))
        return code
