from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import ROLE_LEVELS, Agency, Role
from xieguan.lib.forms import Styled
from xieguan.regions.models import Level, Region


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


# --- people and organisations (xieguan.accounts.actions) -----------------------------------------


def region_choices(by: Any, levels: tuple[int, ...]) -> list[tuple[str, str]]:
    """The regions at ``levels`` in ``by``'s subtree, labelled with their path below the province."""
    regions = Region.objects.visible_to(by).filter(level__in=levels).order_by("code")
    names = {r.code: r.name for r in Region.objects.visible_to(by).filter(level__lte=max(levels, default=1))}
    choices = []
    for region in regions:
        path = "".join(names.get(region.code[:n], "") for n in (4, 6) if len(region.code) > n)
        choices.append((region.code, f"{path}{region.name}"))
    return choices


class UserForm(Styled, forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _。")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("角色"))
    region = forms.ChoiceField(label=_("所属区划"))
    agency = forms.ModelChoiceField(label=_("所属机构"), queryset=Agency.objects.none(), required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, by: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xieguan.accounts.actions import manageable_roles

        roles = manageable_roles(by)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in roles]
        levels = tuple(sorted({level for role in roles for level in ROLE_LEVELS[role]}))
        regions = list(region_choices(by, levels))
        if len(regions) == 1:  # a county admin: their county is the only choice, chosen already
            self.fields["region"].choices = regions
            self.fields["region"].initial = regions[0][0]
        else:
            self.fields["region"].choices = [("", "---------"), *regions]
        # The user's own subtree and the agencies of the levels above it (a county's officers may
        # belong to the prefecture's supervision agency), never another county's.
        code = by.region_id or "\0"
        ancestors = [code[:n] for n in (2, 4, 6) if len(code) > n]
        self.fields["agency"].queryset = Agency.objects.filter(
            Q(region_id__in=ancestors) | Q(region__code__startswith=code)
        ).select_related("region")
        self.fields["agency"].help_text = _("执法人员须选择其所在的卫生健康监督机构。")

    def to_data(self) -> Any:
        from xieguan.accounts.actions import UserData

        data = self.cleaned_data
        return UserData(
            username=data["username"],
            full_name=data["full_name"],
            role=data["role"],
            region=Region.objects.get(code=data["region"]),
            agency=data["agency"],
            phone=data["phone"],
            email=data["email"],
        )


class UserFilterForm(Styled, forms.Form):
    STATUS = [
        ("", _("全部状态")),
        ("active", _("在用")),
        ("inactive", _("已停用")),
        ("must_change", _("待修改临时密码")),
        ("locked", _("已锁定")),
    ]
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS)
    region = forms.CharField(label=_("区划代码"), required=False, max_length=12)


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class AgencyForm(Styled, forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=Agency.Kind.choices)
    region = forms.ChoiceField(label=_("所属区划"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args: Any, by: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
        regions = list(region_choices(by, levels))
        if len(regions) == 1:  # a county admin: their county is the only choice, chosen already
            self.fields["region"].choices = regions
            self.fields["region"].initial = regions[0][0]
        else:
            self.fields["region"].choices = [("", "---------"), *regions]

    def to_data(self) -> Any:
        from xieguan.accounts.actions import AgencyData

        data = self.cleaned_data
        return AgencyData(
            name=data["name"],
            kind=data["kind"],
            region=Region.objects.get(code=data["region"]),
            phone=data["phone"],
        )


class OwnPasswordForm(Styled, forms.Form):
    old_password = forms.CharField(
        label=_("原密码（或临时密码）"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不能与姓名、用户名相近。"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


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


# --- the second factor (xieguan.accounts.actions, accounts/twofactor.py) --------------------------


class OtpCodeForm(Styled, forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("验证器应用上当前显示的 6 位数字；手机不在身边时可输入一个恢复码。"),
    )


class OtpConfirmForm(Styled, forms.Form):
    code = forms.CharField(
        label=_("验证器应用显示的 6 位数字"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OtpDisableForm(Styled, forms.Form):
    password = forms.CharField(
        label=_("登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
