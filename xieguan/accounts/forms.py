from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。请注意密码区分大小写。"),
        "inactive": _("此账号已停用。如有疑问请联系县(区)卫生健康行政部门。"),
        "term_ended": _("您的聘期已结束，账号已停用。如需续聘请联系县(区)卫生健康行政部门。"),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def confirm_login_allowed(self, user: object) -> None:
        super().confirm_login_allowed(user)  # type: ignore[arg-type]
        if not user.term_is_current():  # type: ignore[attr-defined]
            raise forms.ValidationError(self.error_messages["term_ended"], code="term_ended")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("设备名称"),
        max_length=50,
        help_text=_("例如：张三的手机、数据交换服务器。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    days = forms.IntegerField(
        label=_("有效天数"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("留空表示长期有效（直到撤销或账号停用）。"),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
