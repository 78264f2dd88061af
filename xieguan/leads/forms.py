"""Forms of the leads pages. Validation of the life cycle itself lives in actions.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Agency, Role, User, can_work
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.leads import actions
from xieguan.leads.models import (
    IMPORTANT_BY_DEFAULT,
    AbnormalKind,
    ComplaintChannel,
    Handling,
    Importance,
    Lead,
    LeadType,
    OfficerAction,
    ReportMethod,
)
from xieguan.regions.models import Region

MAX_PHOTOS = 9


class StyledForm(forms.Form):
    """Bootstrap 5 classes on every widget (rendered by leads/_field.html)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.ImageField):
    """Several photos in one input; each is checked to be a real image (Pillow) of bounded size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("照片最多 %(n)s 张。") % {"n": MAX_PHOTOS})
        cleaned = []
        for upload in files:
            if upload.size > settings.XIEGUAN_MAX_IMAGE_BYTES:
                limit = settings.XIEGUAN_MAX_IMAGE_BYTES // (1024 * 1024)
                raise ValidationError(
                    _("照片“%(name)s”超过 %(mb)s MB。") % {"name": upload.name, "mb": limit}
                )
            cleaned.append(super().clean(upload, initial))
        return cleaned


def local_input(**attrs: Any) -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format="%Y-%m-%dT%H:%M")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def not_future(value: Any) -> Any:
    if value and value > timezone.now():
        raise ValidationError(_("时间不能晚于现在。"))
    return value


class _PlaceMixin(StyledForm):
    """Employer (optional) or place text, and the region the record belongs to."""

    employer = forms.ModelChoiceField(
        label=_("用人单位"),
        queryset=Employer.objects.none(),
        required=False,
        empty_label=_("（不明确或不在台账中）"),
    )
    place = forms.CharField(
        label=_("地点"),
        max_length=200,
        required=False,
        help_text=_("没有选择用人单位时必填：写明单位名称或具体地点。"),
    )
    region = forms.ChoiceField(
        label=_("所在乡镇或村(社区)"), help_text=_("选择了用人单位时以单位所在地为准。")
    )

    @property
    def region_field(self) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields["region"])

    def setup_place(self, user: User) -> None:
        self.fields["employer"].queryset = (  # type: ignore[attr-defined]
            Employer.objects.visible_to(user)
            .exclude(status=OperatingStatus.CLOSED)
            .only("pk", "name", "region_id")
            .order_by("name")
        )
        self.region_field.choices = [(r.code, r.name) for r in actions.region_choices_for(user)]
        if user.role == Role.ASSISTANT:
            self.fields["region"].initial = user.region_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("employer") and not (data.get("place") or "").strip():
            self.add_error("place", _("请选择用人单位，或填写地点。"))
        return data

    def region_obj(self) -> Region:
        employer: Employer | None = self.cleaned_data.get("employer")
        if employer is not None:
            return employer.region
        return Region.objects.get(code=self.cleaned_data["region"])


class LeadForm(_PlaceMixin):
    """Direct entry of a lead by an assistant (直接录入)."""

    lead_type = forms.ChoiceField(label=_("信息类别"), choices=[("", "---------"), *LeadType.choices])
    abnormal_kind = forms.ChoiceField(
        label=_("异常类别"), choices=[("", "---------"), *AbnormalKind.choices], required=False
    )
    importance = forms.ChoiceField(
        label=_("重要程度"),
        choices=[("", _("按类别默认（可疑职业病人、职业中毒事故为重要）")), *Importance.choices],
        required=False,
    )
    discovered_at = forms.DateTimeField(label=_("发现时间"), widget=local_input(), validators=[not_future])
    description = forms.CharField(label=_("信息内容"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("照片"))

    field_order = ["lead_type", "abnormal_kind", "importance", "employer", "place", "region"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place(user)
        self.fields["discovered_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lead_type") == LeadType.ABNORMAL and not data.get("abnormal_kind"):
            self.add_error(
                "abnormal_kind", _("工作场所异常请选择异常类别（放射、粉尘、噪声、化学毒物或其他）。")
            )
        if data.get("lead_type") != LeadType.ABNORMAL:
            data["abnormal_kind"] = ""
        return data


class ComplaintForm(_PlaceMixin):
    """Intake of a public complaint (群众投诉举报)."""

    received_at = forms.DateTimeField(label=_("接报时间"), widget=local_input(), validators=[not_future])
    channel = forms.ChoiceField(label=_("渠道"), choices=[("", "---------"), *ComplaintChannel.choices])
    content = forms.CharField(label=_("举报内容"), widget=forms.Textarea(attrs={"rows": 4}))
    importance = forms.ChoiceField(label=_("重要程度"), choices=Importance.choices, initial=Importance.NORMAL)
    anonymous = forms.BooleanField(label=_("匿名举报"), required=False)
    complainant_name = forms.CharField(label=_("举报人姓名"), max_length=50, required=False)
    complainant_contact = forms.CharField(label=_("举报人联系方式"), max_length=50, required=False)

    field_order = ["received_at", "channel", "content", "employer", "place", "region", "importance"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place(user)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("anonymous") and (
            (data.get("complainant_name") or "").strip() or (data.get("complainant_contact") or "").strip()
        ):
            self.add_error("anonymous", _("匿名举报不记录举报人姓名和联系方式，请清空这两项或取消“匿名”。"))
        return data


class ReportForm(StyledForm):
    """Report a lead: to which agency or officer, how, and when."""

    target = forms.ChoiceField(
        label=_("报告给"),
        error_messages={
            "invalid_choice": _("请选择报告的监督机构或执法人员。"),
            "required": _("请选择报告的监督机构或执法人员。"),
        },
    )
    method = forms.ChoiceField(label=_("报告方式"), choices=ReportMethod.choices, initial=ReportMethod.SYSTEM)
    reported_at = forms.DateTimeField(
        label=_("报告时间"),
        widget=local_input(),
        validators=[not_future],
        help_text=_("电话或当面报告的，填实际报告时间。"),
    )
    administration = forms.ChoiceField(
        label=_("同时报告卫生健康行政部门"),
        required=False,
        help_text=_("可疑职业病人、职业中毒事故可同时报告上级职业卫生行政部门。"),
        error_messages={"invalid_choice": actions.ADMINISTRATION_REFUSED},
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.administrations: dict[str, Agency] = {}
        if lead.lead_type in IMPORTANT_BY_DEFAULT:
            self.administrations = {str(a.pk): a for a in actions.administrations_for(lead)}
        if self.administrations:
            cast(forms.ChoiceField, self.fields["administration"]).choices = [
                ("", _("（不报告）")),
                *((pk, str(a)) for pk, a in self.administrations.items()),
            ]
        else:
            del self.fields["administration"]
        self.agencies = {str(a.pk): a for a in actions.supervision_agencies_for(lead)}
        self.officers = {str(u.pk): u for u in actions.officers_for(lead)}
        choices: list[Any] = [(f"agency:{pk}", str(a)) for pk, a in self.agencies.items()]
        if self.officers:
            officer_choices = [
                (f"officer:{pk}", f"{u}（{u.agency or u.region}）") for pk, u in self.officers.items()
            ]
            choices.append((_("执法人员"), officer_choices))
        cast(forms.ChoiceField, self.fields["target"]).choices = choices
        self.fields["reported_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_target(self) -> tuple[Agency | None, User | None]:
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        if kind == "agency" and pk in self.agencies:
            return self.agencies[pk], None
        if kind == "officer" and pk in self.officers:
            return None, self.officers[pk]
        raise ValidationError(_("请选择报告的监督机构或执法人员。"))

    def clean_administration(self) -> Agency | None:
        return self.administrations.get(self.cleaned_data.get("administration") or "")


class AcknowledgeForm(StyledForm):
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class AssistRequestForm(StyledForm):
    assistant = forms.ModelChoiceField(label=_("协管员"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("要求完成日期"), required=False, widget=date_input())
    note = forms.CharField(label=_("协查要求"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, region_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in actions.assistants_for(region_code)]
        self.fields["assistant"].queryset = User.objects.filter(pk__in=ids).order_by("full_name")  # type: ignore[attr-defined]


class EmployerAssistForm(StyledForm):
    """A 协查 of an employer, without a lead (an officer's own investigation)."""

    employer = forms.ModelChoiceField(label=_("用人单位"), queryset=Employer.objects.none())
    assistant = forms.ModelChoiceField(
        label=_("协管员"), queryset=User.objects.none(), help_text=_("须为用人单位所在乡镇的协管员。")
    )
    due_on = forms.DateField(label=_("要求完成日期"), required=False, widget=date_input())
    note = forms.CharField(label=_("协查要求"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = (  # type: ignore[attr-defined]
            Employer.objects.visible_to(user)
            .exclude(status=OperatingStatus.CLOSED)
            .select_related("township")
            .order_by("township_id", "name")
        )
        self.fields["assistant"].queryset = (  # type: ignore[attr-defined]
            User.objects.visible_to(user)
            .filter(can_work(), role=Role.ASSISTANT)
            .select_related("region")
            .order_by("region_id", "full_name")
        )
        self.fields["assistant"].label_from_instance = lambda u: f"{u}（{u.region.name}）"  # type: ignore[attr-defined]


class HandlingForm(StyledForm):
    handling = forms.ChoiceField(
        label=_("处置方式"), choices=[(c, label) for c, label in Handling.choices if c != Handling.ASSIST]
    )
    reason = forms.CharField(
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("“无需处理”必须说明理由。"),
    )


class OfficerActionForm(StyledForm):
    action = forms.ChoiceField(label=_("执法处理"), choices=OfficerAction.choices)
    reason = forms.CharField(
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("“不予处理”必须说明理由。"),
    )


class CloseForm(StyledForm):
    outcome = forms.CharField(label=_("办结结果"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(StyledForm):
    """A step that needs only a reason (撤回线索, 取消协查)."""

    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class RegradeForm(StyledForm):
    importance = forms.ChoiceField(label=_("调整为"), choices=Importance.choices)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        other = [(c, label) for c, label in Importance.choices if c != lead.importance]
        cast(forms.ChoiceField, self.fields["importance"]).choices = other
        self.fields["importance"].initial = other[0][0]


class AssistReassignForm(StyledForm):
    assistant = forms.ModelChoiceField(
        label=_("改派给"),
        queryset=User.objects.none(),
        help_text=_("该地区在岗的协管员。"),
        error_messages={"invalid_choice": _("所选协管员不负责该地区，请选择当地的协管员。")},
    )
    reason = forms.CharField(label=_("改派原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args: Any, region_code: str, exclude: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in actions.assistants_for(region_code) if u.pk != exclude]
        self.fields["assistant"].queryset = User.objects.filter(pk__in=ids).order_by("full_name")  # type: ignore[attr-defined]


class AssistRecordForm(StyledForm):
    done_on = forms.DateField(label=_("协查日期"), widget=date_input())
    what_done = forms.CharField(label=_("协查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("结果"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("照片"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()
