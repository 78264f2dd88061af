"""Home work list of an assistant: employers due this half-year, and unsent drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import Role, User
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.lib.prepared import Prepared
from xieguan.lib.worklist import FirstPage, WorkEntry, WorkSection

SHOWN = 6


def half_year_start(day: dt.date | None = None) -> dt.date:
    """The first day of the half-year containing ``day`` (the regulation: 每半年至少开展一次巡查)."""
    day = day or timezone.localdate()
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def due_employers(user: Any, start: dt.date | None = None) -> QuerySet[Employer]:
    """Operating employers in the user's scope not inspected since the half-year that begins on
    ``start`` (default: this half-year) began.

    An assistant placed on villages (乡聘村用) sees those villages' employers only.
    """
    qs = Employer.objects.visible_to(user).exclude(status=OperatingStatus.CLOSED)
    if user.role == Role.ASSISTANT:
        # The village codes from the placement table itself: a subquery, not a round trip, and no
        # join of regions (which PostgreSQL would plan on every home page for nothing).
        villages = User.villages.through.objects.filter(user=user).values("region_id")
        qs = qs.filter(~Exists(villages) | Q(region__in=villages))
    start = start or half_year_start()
    return qs.filter(Q(last_inspected_on__isnull=True) | Q(last_inspected_on__lt=start))


# The two statements of an assistant's sections, compiled once per process (lib.prepared),
# each reading the columns its entries show.
DUE = FirstPage(
    Employer,
    lambda user, start: (
        due_employers(user, start)
        .only("id", "name", "last_inspected_on", "is_key")
        .order_by("-is_key", "last_inspected_on", "name")
    ),
    SHOWN,
)
DRAFTS = Prepared(
    Inspection,
    lambda user: (
        Inspection.objects.visible_to(user)
        .filter(assistant=user, status=InspectionStatus.DRAFT)
        .only("id", "employer_name", "updated_at")
        .order_by("-updated_at")[:SHOWN]
    ),
)


def sections(user: Any) -> list[WorkSection]:
    if getattr(user, "role", None) != Role.ASSISTANT:
        return []
    due, total = DUE(user=user, start=half_year_start())
    entries = [
        WorkEntry(
            title=e.name,
            url=reverse("inspections:new", args=[e.pk]),
            detail=_("上次巡查：%(day)s") % {"day": e.last_inspected_on or _("从未巡查")},
            badge=_("重点") if e.is_key else "",
            urgent=e.is_key,
        )
        for e in due
    ]
    draft_entries = [
        WorkEntry(
            title=d.employer_name or _("（未填单位名称）"),
            url=reverse("inspections:edit", args=[d.pk]),
            detail=_("最后保存：%(at)s")
            % {"at": timezone.localtime(d.updated_at).strftime("%Y-%m-%d %H:%M")},
        )
        for d in DRAFTS.list(user=user)
    ]
    return [
        WorkSection(
            title=gettext_lazy("本半年待巡查的用人单位"),
            entries=entries,
            total=total,
            more_url=reverse("inspections:start") if total > SHOWN else "",
            order=10,
            empty_text=gettext_lazy("本半年辖区内的用人单位都已巡查。"),
        ),
        WorkSection(
            title=gettext_lazy("未提交的巡查草稿"),
            entries=draft_entries,
            order=11,
            show_empty=False,
            empty_text=gettext_lazy("没有未提交的草稿。"),
        ),
    ]
