"""Forms and upload validation of assigned tasks. Messages are plain Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Role, User, can_work
from xieguan.regions.models import Level, Region
from xieguan.regions.pickers import grouped
from xieguan.tasks.models import IMAGE_SUFFIXES, TaskAssignment

ALLOWED_SUFFIXES = IMAGE_SUFFIXES | frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt", ".zip"}
)
MAX_FILES = 10
ACCEPT = ",".join(sorted(ALLOWED_SUFFIXES))


class StyledForm(forms.Form):
    """Bootstrap classes on every widget (errors are shown under the field by tasks/_field.html)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"


def max_upload_bytes() -> int:
    return int(getattr(settings, "XIEGUAN_MAX_IMAGE_BYTES", 10 * 1024 * 1024))


def validate_uploads(files: Sequence[UploadedFile]) -> None:
    """Refuse too many, too large, empty or unusual files, naming the file in the message."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES}, code="too_many_files")
    limit = max_upload_bytes()
    for upload in files:
        name = upload.name or ""
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise ValidationError(
                _("文件“%(name)s”的类型不支持：请上传照片（jpg、png）或 PDF、Word、Excel 文件。")
                % {"name": name},
                code="file_type",
            )
        if not upload.size:
            raise ValidationError(_("文件“%(name)s”是空的。") % {"name": name}, code="file_empty")
        if upload.size > limit:
            raise ValidationError(
                _("文件“%(name)s”太大（%(size).1f MB），单个文件不能超过 %(limit)d MB。")
                % {"name": name, "size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
                code="file_size",
            )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data] if data else []
        files = [single(item, initial) for item in items if item]
        validate_uploads(files)
        return files


class AssistantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username}（{obj.region.name}）"


class TaskForm(StyledForm):
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(label=_("任务要求"), widget=forms.Textarea(attrs={"rows": 5}))
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    answer_required = forms.BooleanField(
        label=_("每位协管员须填报完成情况"),
        required=False,
        initial=True,
        help_text=_("不勾选时，协管员点“已知悉”即可。"),
    )
    assistants = AssistantChoiceField(
        label=_("交办给协管员"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    townships = forms.ModelMultipleChoiceField(
        label=_("交办给乡(镇、街道)"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("交办给所选乡镇当时在聘的全部协管员，每人一份。"),
    )
    counties = forms.ModelMultipleChoiceField(
        label=_("交办给县(区)"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("交办给所选县(区)当时在聘的全部协管员，每人一份。"),
    )
    attachments = MultipleFileField(label=_("附件"), help_text=_("通知、表格等，可多选。"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        visible_regions = Region.objects.visible_to(user)
        assistants = self.fields["assistants"]
        townships = self.fields["townships"]
        counties = self.fields["counties"]
        assert isinstance(assistants, forms.ModelMultipleChoiceField)
        assert isinstance(townships, forms.ModelMultipleChoiceField)
        assert isinstance(counties, forms.ModelMultipleChoiceField)
        # Offer the targets that fit the issuer's level: a county names people and townships,
        # a prefecture townships and counties, the province counties.
        if user.role == Role.COUNTY_ADMIN:
            assistants.queryset = (
                User.objects.visible_to(user)
                .filter(can_work(), role=Role.ASSISTANT)
                .select_related("region")
                .order_by("region_id", "full_name")
            )
        else:
            del self.fields["assistants"]
        if user.role in (Role.COUNTY_ADMIN, Role.PREFECTURE_VIEWER):
            townships.queryset = visible_regions.filter(level=Level.TOWNSHIP)
        else:
            del self.fields["townships"]
        counties.queryset = visible_regions.filter(level=Level.COUNTY)
        if user.role == Role.COUNTY_ADMIN:
            counties.label = _("交办给全县(区)")
        # Searchable and grouped (regions/pickers.py): counties under their prefecture,
        # townships under their county, assistants under their township.
        # No group is wider than the issuer's scope: a county admin's one county is its own group
        # (全选本县(区)), not under a prefecture they see one county of.
        scope = user.region_id or ""
        grouped(counties, "prefecture", lambda region: region.code, scope=scope)
        if "townships" in self.fields:
            grouped(townships, "county", lambda region: region.code, scope=scope)
        if "assistants" in self.fields:
            grouped(assistants, "township", lambda person: person.region_id, scope=scope, people=True)

    def clean_due_on(self) -> Any:
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise ValidationError(_("完成期限不能早于今天。"))
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("assistants") or data.get("townships") or data.get("counties")):
            raise ValidationError(_("请至少选择一名协管员、一个乡镇或一个县(区)。"))
        return data

    def targets(self) -> list[Region]:
        return [*self.cleaned_data.get("townships", ()), *self.cleaned_data.get("counties", ())]


class AnswerForm(StyledForm):
    note = forms.CharField(
        label=_("完成情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    photos = MultipleFileField(label=_("照片或文件"), help_text=_("可拍照或选择文件，可多选。"))


class UnableForm(StyledForm):
    reason = forms.CharField(
        label=_("无法完成的原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    photos = MultipleFileField(label=_("照片或文件"))


class CloseForm(StyledForm):
    note = forms.CharField(
        label=_("关闭说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class TransferForm(StyledForm):
    to = forms.ModelChoiceField(label=_("转交给"), queryset=User.objects.none())

    def __init__(self, *args: Any, user: User, assignment: TaskAssignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county = assignment.region_id[:6]
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.visible_to(user)
            .within(county)
            .filter(can_work(), role=Role.ASSISTANT)
            .exclude(task_assignments__task_id=assignment.task_id)
            .select_related("region")
            .order_by("region_id", "full_name")
        )
        field.label_from_instance = lambda obj: f"{obj.full_name or obj.username}（{obj.region.name}）"  # type: ignore[method-assign]
