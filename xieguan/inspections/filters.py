"""Filters of the inspection lists, shared by the web list and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionStatus


def listable(qs: QuerySet[Inspection], user: Any) -> QuerySet[Inspection]:
    """Submitted inspections in scope, and the user's own drafts (a draft is its author's)."""
    return qs.filter(Q(status=InspectionStatus.SUBMITTED) | Q(assistant_id=user.pk))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_inspections(
    qs: QuerySet[Inspection],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    region: str | None = None,
    employer: int | None = None,
    q: str | None = None,
    assistant: int | None = None,
    template: int | None = None,
    findings: bool | None = None,
    status: str | None = None,
) -> QuerySet[Inspection]:
    if date_from:
        qs = qs.filter(inspected_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(inspected_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if region:
        qs = qs.filter(region__code__startswith=region)
    if employer:
        qs = qs.filter(employer_id=employer)
    if q:
        qs = qs.filter(employer_name__icontains=q.strip())
    if assistant:
        qs = qs.filter(assistant_id=assistant)
    if template:
        qs = qs.filter(template_id=template)
    if findings is True:
        qs = qs.filter(findings_count__gt=0)
    elif findings is False:
        qs = qs.filter(findings_count=0)
    if status:
        qs = qs.filter(status=status)
    return qs


class InspectionFilter(Schema):
    """Query parameters of GET /api/v1/inspections."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    region: str | None = None
    employer: int | None = None
    q: str | None = None
    assistant: int | None = None
    template: int | None = None
    findings: bool | None = None
    status: str | None = None

    def apply(self, qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
        return filter_inspections(qs, **self.dict())


class InspectionFilterForm(forms.Form):
    """The filter bar of the web list (GET)."""

    date_from = forms.DateField(
        label=_("巡查日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("区划"), required=False)
    q = forms.CharField(label=_("用人单位"), required=False, max_length=100)
    assistant = forms.TypedChoiceField(label=_("协管员"), required=False, coerce=int, empty_value=None)
    template = forms.TypedChoiceField(label=_("巡查表"), required=False, coerce=int, empty_value=None)
    findings = forms.TypedChoiceField(
        label=_("发现问题"),
        required=False,
        choices=[("", _("全部")), ("1", _("有问题")), ("0", _("无问题"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *InspectionStatus.choices]
    )
    employer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xieguan.accounts.models import Role, User
        from xieguan.regions import pickers

        # grouped and searchable (regions/pickers.py): the scope's prefectures and counties (or
        # counties and townships), and the assistants by county (or township) with their township
        self.region_choices = pickers.region_filter_choices(user, self.data.get("region", ""))
        self._choice("region").choices = pickers.as_django_choices(self.region_choices)
        assistants = (
            User.objects.visible_to(user)
            .filter(role=Role.ASSISTANT)
            .only("pk", "username", "full_name", "region_id")
            .order_by("region_id", "full_name")
        )
        self.assistant_choices: pickers.FilterChoices = [
            ("", [("", str(_("全部")))]),
            *pickers.people_filter_choices(
                assistants, user.region_id or "", lambda u: str(u), lambda u: u.region_id or ""
            ),
        ]
        self._choice("assistant").choices = pickers.as_django_choices(self.assistant_choices)
        templates = ChecklistTemplate.visible_in(user.region_id).order_by("code", "-version")
        self._choice("template").choices = [("", _("全部")), *((t.pk, str(t)) for t in templates)]

    def _choice(self, name: str) -> forms.ChoiceField:
        found = self.fields[name]
        assert isinstance(found, forms.ChoiceField)
        return found

    def apply(self, qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
        if not self.is_valid():
            return qs
        return filter_inspections(qs, **self.cleaned_data)
