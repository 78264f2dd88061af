"""Staffing (配备数量应与辖区内巡查任务相匹配): per township, inspections required against assistants.

Assistants are counted by personnel's one definition of service (``personnel/service.py``:
a term covers today and no dismissal), with or without a login account.

``required_inspections()`` is THE rule of how many inspections the ledger requires of an
employer per year; indicators and any other count reuse it as a database expression.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer, OperatingStatus
from xieguan.personnel.models import Assistant, StaffingPolicy
from xieguan.regions.models import Level, Region


def required_inspections() -> Case:
    """Inspections an employer requires per year, as an expression over Employer rows.

    - key-industry (incl. the county's focus industries, ``is_key``) or serious-hazard
      employers not closed: 2 (the regulation: 每半年至少开展一次巡查, and 重点行业领域及其他
      职业病危害严重的用人单位巡查覆盖率100%);
    - other employers in production (在产): 1 (at least once a year);
    - other suspended employers (停产) and closed ones (关闭): 0.
    """
    return Case(
        When(status=OperatingStatus.CLOSED, then=Value(0)),
        When(Q(is_key=True) | Q(serious_hazard=True), then=Value(2)),
        When(status=OperatingStatus.OPERATING, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


NONE = "none"
OVERLOADED = "overloaded"
OK = "ok"
FLAG_LABELS = {NONE: _("无在聘协管员"), OVERLOADED: _("任务超负荷"), OK: _("配备匹配")}


@dataclass
class TownshipStaffing:
    code: str
    name: str
    employers: int
    required: int
    assistants: int
    max_load: int

    @property
    def load(self) -> Decimal | None:
        """Required inspections per active assistant per year (None when there is nobody)."""
        if not self.assistants:
            return None
        return (Decimal(self.required) / self.assistants).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def flag(self) -> str:
        if not self.assistants:
            return NONE
        return OVERLOADED if self.required > self.max_load * self.assistants else OK

    @property
    def flagged(self) -> bool:
        return self.flag != OK

    @property
    def flag_label(self) -> str:
        return str(FLAG_LABELS[self.flag])

    @property
    def sort_key(self) -> tuple[int, Decimal, str]:
        weight = Decimal(self.required) if self.load is None else self.load
        return (0 if self.flagged else 1, -weight, self.code)


def townships(region_code: str, today: dt.date | None = None) -> list[TownshipStaffing]:
    """Every township in the subtree of ``region_code``, flagged ones first, then by load."""
    policy = StaffingPolicy.for_region(region_code)
    places = Region.objects.within(region_code).filter(level=Level.TOWNSHIP).values_list("code", "name")
    employers: dict[str, dict[str, Any]] = {
        row["township_id"]: dict(row)
        for row in Employer.objects.within(region_code)
        .values("township_id")
        .annotate(
            n=Count("pk", filter=~Q(status=OperatingStatus.CLOSED)),
            required=Sum(required_inspections()),
        )
    }
    active = dict(
        Assistant.objects.in_service(today)
        .within(region_code)
        .values("township_id")
        .annotate(n=Count("pk"))
        .values_list("township_id", "n")
    )
    rows = [
        TownshipStaffing(
            code=code,
            name=name,
            employers=employers.get(code, {}).get("n", 0),
            required=employers.get(code, {}).get("required") or 0,
            assistants=active.get(code, 0),
            max_load=policy.max_inspections_per_assistant,
        )
        for code, name in places
    ]
    return sorted(rows, key=lambda r: r.sort_key)


@dataclass
class CountyStaffing:
    code: str
    name: str
    townships: int = 0
    flagged: int = 0
    employers: int = 0
    required: int = 0
    assistants: int = 0


def counties(region_code: str, today: dt.date | None = None) -> list[CountyStaffing]:
    """The township figures summed per county, counties with most flagged townships first."""
    names = dict(Region.objects.within(region_code).filter(level=Level.COUNTY).values_list("code", "name"))
    totals: dict[str, CountyStaffing] = defaultdict(lambda: CountyStaffing(code="", name=""))
    for row in townships(region_code, today):
        county = totals[row.code[:6]]
        county.code, county.name = row.code[:6], names.get(row.code[:6], row.code[:6])
        county.townships += 1
        county.flagged += int(row.flagged)
        county.employers += row.employers
        county.required += row.required
        county.assistants += row.assistants
    return sorted(totals.values(), key=lambda c: (-c.flagged, c.code))
