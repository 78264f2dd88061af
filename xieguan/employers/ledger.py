"""The ledger as a filtered queryset: one definition for the list page, the export and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from xieguan.employers.models import Employer, EmployerQuerySet, LedgerPolicy, OperatingStatus
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.text import fold, name_key
from xieguan.regions.models import Region

if TYPE_CHECKING:
    from xieguan.accounts.models import User

SORTS = {
    "name": ("name_key",),
    "region": ("region_id", "name_key"),
    "industry": ("industry", "name_key"),
    "workers": ("workers", "name_key"),
    "-workers": ("-workers", "name_key"),
    "-updated": ("-updated_at",),
    "declaration": ("declaration_date", "name_key"),
    "unregistered": ("registered", "township_id", "name_key"),
}
DEFAULT_SORT = ("township_id", "name_key")


def declaration_cutoff(
    region: Region | str | None, policy: LedgerPolicy | None = None, today: dt.date | None = None
) -> dt.date:
    """Declarations made before this date are overdue in the region's province (the window is
    that province's LedgerPolicy data)."""
    policy = policy or LedgerPolicy.for_region(region)
    return (today or timezone.localdate()) - dt.timedelta(days=policy.declaration_max_age_days)


def overdue_q(cutoff: dt.date) -> Q:
    return Q(declaration_date__isnull=True) | Q(declaration_date__lt=cutoff)


@dataclass
class LedgerQuery:
    """The filtered ledger of one user: ``employers`` plus the region the filter is limited to."""

    employers: EmployerQuerySet
    region: Region
    cutoff: dt.date


def spans_counties(query: LedgerQuery) -> bool:
    """Whether the ledger's region holds more than one county (a prefecture, the province): its
    page, data file and 打印版 then say each employer's county."""
    return query.region.spans_counties


def ledger_for(user: User, params: Mapping[str, Any], cutoff: dt.date | None = None) -> LedgerQuery:
    """Apply the list filters (already cleaned by LedgerFilterForm or the API schema).

    A region outside the user's scope is 404, like any record there.
    """
    code = (params.get("region") or "").strip() or user.region_id
    region = get_visible_or_404(Region, user, code=code)
    cutoff = cutoff or declaration_cutoff(region)
    qs: EmployerQuerySet = Employer.objects.visible_within(user, region.code)  # type: ignore[assignment]
    q = fold(params.get("q") or "")
    if q:
        key = name_key(q)
        qs = qs.filter(Q(name_key__contains=key) | Q(credit_code__icontains=key) | Q(address__icontains=q))
    industry = params.get("industry") or ""
    if industry == "key":
        qs = qs.filter(is_key=True)
    elif industry:
        qs = qs.filter(industry=industry)
    hazard = params.get("hazard")
    if hazard:
        qs = qs.filter(hazard_categories=getattr(hazard, "pk", hazard))
    status = params.get("status") or ""
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=OperatingStatus.CLOSED)
    registered = params.get("registered") or ""
    if registered in ("yes", "no"):
        qs = qs.filter(registered=registered == "yes")
    if params.get("serious"):
        qs = qs.filter(serious_hazard=True)
    if params.get("overdue"):
        qs = qs.filter(overdue_q(cutoff))
    qs = qs.order_by(*SORTS.get(params.get("sort") or "", DEFAULT_SORT), "pk")
    return LedgerQuery(qs, region, cutoff)


@dataclass
class LedgerCounts:
    total: int
    registered: int
    key: int
    serious: int
    overdue: int

    @property
    def unregistered(self) -> int:
        return self.total - self.registered

    @property
    def rate(self) -> float | None:
        """基本信息登记率 of the filtered rows, in percent (None when there are none)."""
        return round(100 * self.registered / self.total, 1) if self.total else None


def ledger_counts(query: LedgerQuery) -> LedgerCounts:
    """Counts of the filtered ledger in one query."""
    found = query.employers.order_by().aggregate(
        total=Count("pk"),
        registered=Count("pk", filter=Q(registered=True)),
        key=Count("pk", filter=Q(is_key=True)),
        serious=Count("pk", filter=Q(serious_hazard=True)),
        overdue=Count("pk", filter=overdue_q(query.cutoff)),
    )
    return LedgerCounts(**found)
