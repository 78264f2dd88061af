from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Role, User
from xieguan.employers.models import Employer
from xieguan.outreach.models import ConsultationKind, PublicityEvent
from xieguan.regions.models import Level, Region

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several photos at once; each is checked to be a real image."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("一次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
        cleaned = []
        for upload in files:
            if upload.size > MAX_PHOTO_BYTES:
                raise ValidationError(_("照片“%(name)s”超过 10 MB。") % {"name": upload.name})
            cleaned.append(super().clean(upload, initial))
        return cleaned


class PublicityEventForm(forms.ModelForm):
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), label=_("乡(镇、街道)"), empty_label=_("请选择乡镇")
    )
    employers = forms.ModelMultipleChoiceField(
        queryset=Employer.objects.none(),
        label=_("覆盖用人单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    photos = MultipleImageField(
        label=_("现场照片"), required=False, help_text=_("可多选，最多 9 张，每张不超过 10 MB。")
    )

    class Meta:
        model = PublicityEvent
        fields = ["held_on", "region", "kind", "topic", "location", "audience", "employers", "description"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }
        help_texts = {"audience": _("参加或受教育的人数。")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        townships = Region.objects.visible_to(user).filter(level=Level.TOWNSHIP).only("code", "name")
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = townships
        if user.role == Role.ASSISTANT:
            # An assistant records for their own township: the field is fixed, whatever is posted.
            region_field.initial = user.region_id
            region_field.disabled = True
            region_field.widget = forms.HiddenInput()
            township = str(user.region_id)
        else:
            township = str((self.data.get("region") if self.is_bound else self.initial.get("region")) or "")
        employers_field = self.fields["employers"]
        assert isinstance(employers_field, forms.ModelMultipleChoiceField)
        employers_field.queryset = self.employer_choices(user, township)
        for name, field in self.fields.items():
            if name in {"employers"}:
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    @staticmethod
    def employer_choices(user: User, township: str) -> Any:
        if len(township) != len("520281117"):
            return Employer.objects.none()
        return Employer.objects.operating().visible_to(user).filter(township_id=township).only("pk", "name")

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on and held_on > timezone.localdate():
            raise ValidationError(_("活动日期不能晚于今天。"))
        return held_on


class ConsultationForm(forms.Form):
    """A consultation or guidance, as the assistant records it on the phone."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    employer = forms.ModelChoiceField(
        queryset=Employer.objects.none(), label=_("用人单位"), empty_label=_("请选择用人单位")
    )
    given_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=ConsultationKind.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    contact_person = forms.CharField(
        label=_("用人单位人员"),
        max_length=50,
        required=False,
        help_text=_("接受咨询或指导的人员姓名、职务。"),
    )
    # subject and outcome are checked by the action (with the date), so every problem shows at once
    subject = forms.CharField(
        label=_("咨询或指导内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    outcome = forms.CharField(
        label=_("结果"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("如：已答复；企业已安排职业健康检查；需再次指导。"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employer_field = self.fields["employer"]
        assert isinstance(employer_field, forms.ModelChoiceField)
        employer_field.queryset = (
            Employer.objects.operating().visible_to(user).only("pk", "name").order_by("name")
        )
        for name, field in self.fields.items():
            if name == "kind":
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PublicityCorrectionForm(PublicityEventForm):
    """The event's fields (its township fixed, photos apart) and the reason for the correction."""

    reason = forms.CharField(
        label=_("更正原因"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["photos"]
        region_field = self.fields["region"]
        region_field.disabled = True
        region_field.widget = forms.HiddenInput()
        employers_field = self.fields["employers"]
        assert isinstance(employers_field, forms.ModelMultipleChoiceField)
        employers_field.queryset = self.employer_choices(self.user, str(self.instance.region_id))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("如：误录、重复记录。撤回后保留记录和原因，不再计入宣传指标。"),
    )
