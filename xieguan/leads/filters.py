"""The lead list filters, from the query string. One parser for the page, the export and the API.

These filtered lists are the drill-down targets of the indicators (docs/leads.md lists every
parameter). Dates are local (Asia/Shanghai) calendar days and both ends are inclusive: a lead
discovered at 23:30 on 30 June is in ``discovered_to=YYYY-06-30``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import Q
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.leads.models import Importance, Lead, LeadQuerySet, LeadSource, LeadStatus, LeadType
from xieguan.lib.scoping import region_in_scope

YES_NO = [("", _("全部")), ("yes", _("是")), ("no", _("否"))]
ONE_ZERO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]
PERIOD = re.compile(r"^(?P<year>\d{4})(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|-(?P<month>\d{2}))?$")


def period_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """'2025' -> the year; '2025H1' / '2025H2' -> a half; '2025Q3' -> a quarter; '2025-07' -> a month."""
    match = PERIOD.match(text.strip().upper())
    if not match:
        return None
    year = int(match["year"])
    if match["half"]:
        first_month, months = (1, 6) if match["half"] == "H1" else (7, 6)
    elif match["quarter"]:
        first_month, months = (int(match["quarter"][1]) - 1) * 3 + 1, 3
    elif match["month"]:
        first_month, months = int(match["month"]), 1
        if not 1 <= first_month <= 12:
            return None
    else:
        first_month, months = 1, 12
    last_month = first_month + months - 1
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


class LeadFilterForm(forms.Form):
    period = forms.CharField(label=_("期间"), required=False, help_text=_("如 2025、2025H1、2025Q3、2025-07"))
    discovered_from = forms.DateField(
        label=_("发现日期起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    discovered_to = forms.DateField(
        label=_("发现日期止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(label=_("区划代码"), required=False, max_length=12)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *LeadStatus.choices]
    )
    type = forms.ChoiceField(
        label=_("信息类别"), required=False, choices=[("", _("全部")), *LeadType.choices]
    )
    importance = forms.ChoiceField(
        label=_("重要程度"), required=False, choices=[("", _("全部")), *Importance.choices]
    )
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("全部")), *LeadSource.choices]
    )
    reported = forms.ChoiceField(label=_("已报告"), required=False, choices=YES_NO)
    overdue = forms.ChoiceField(label=_("逾期"), required=False, choices=ONE_ZERO)
    on_time = forms.ChoiceField(label=_("按时报告"), required=False, choices=ONE_ZERO)
    counted = forms.ChoiceField(
        label=_("计入报告率"), required=False, choices=ONE_ZERO, widget=forms.HiddenInput
    )
    employer = forms.IntegerField(label=_("用人单位"), required=False, min_value=1, widget=forms.HiddenInput)
    assistant = forms.IntegerField(label=_("发现人"), required=False, min_value=1, widget=forms.HiddenInput)
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)

    def clean_period(self) -> tuple[dt.date, dt.date] | None:
        text = self.cleaned_data.get("period") or ""
        if not text:
            return None
        bounds = period_bounds(text)
        if bounds is None:
            raise forms.ValidationError(_("期间格式应为 2025、2025H1、2025Q3 或 2025-07。"))
        return bounds

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("discovered_from"), data.get("discovered_to")
        if first and last and first > last:
            self.add_error("discovered_to", _("结束日期不能早于开始日期。"))
        return data


def parse_filters(params: QueryDict, user: Any) -> LeadFilterForm:
    """Validate the query string. A region outside the user's scope is 404, like any record."""
    form = LeadFilterForm(params)
    form.is_valid()
    region = (form.cleaned_data.get("region") or "").strip() if hasattr(form, "cleaned_data") else ""
    if region and not region_in_scope(user, region):
        raise Http404
    return form


def filtered_leads(user: Any, form: LeadFilterForm, now: dt.datetime | None = None) -> LeadQuerySet:
    """The leads ``user`` sees, filtered by the valid filters of ``form`` (invalid ones are shown
    as errors and ignored). The region filter and the user's scope are one prefix condition
    (``visible_within``): nothing when they do not meet."""
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    now = now or timezone.now()
    qs = Lead.objects.visible_within(user, data.get("region"))
    if data.get("period"):
        first, last = data["period"]
        qs = qs.discovered_between(first, last)
    if data.get("discovered_from") or data.get("discovered_to"):
        qs = qs.discovered_between(data.get("discovered_from"), data.get("discovered_to"))
    for name, lookup in (
        ("status", "status"),
        ("type", "lead_type"),
        ("importance", "importance"),
        ("source", "source"),
    ):
        if data.get(name):
            qs = qs.filter(**{lookup: data[name]})
    if data.get("reported") == "yes":
        qs = qs.reported()
    elif data.get("reported") == "no":
        qs = qs.unreported()
    if data.get("overdue") == "1":
        qs = qs.overdue(now)
    elif data.get("overdue") == "0":
        qs = qs.not_overdue(now)
    if data.get("on_time") == "1":
        qs = qs.on_time()
    elif data.get("on_time") == "0":
        qs = qs.not_on_time()
    if data.get("counted") == "1":
        qs = qs.counted()
    elif data.get("counted") == "0":
        qs = qs.filter(status=LeadStatus.WITHDRAWN)
    if data.get("employer"):
        qs = qs.filter(employer_id=data["employer"])
    if data.get("assistant"):
        qs = qs.filter(discovered_by_id=data["assistant"])
    if data.get("q"):
        text = data["q"].strip()
        qs = qs.filter(
            Q(description__icontains=text) | Q(place__icontains=text) | Q(employer__name__icontains=text)
        )
    return qs


def active_filters(form: LeadFilterForm) -> dict[str, str]:
    """The non-empty, valid parameters (to keep them in pagination and export links)."""
    if not hasattr(form, "cleaned_data"):
        return {}
    return {k: str(form.data[k]) for k in form.fields if form.data.get(k) and k not in form.errors}
