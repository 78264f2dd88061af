"""Funding against work, county by county: the table province and prefecture compare.

Every figure is one grouped query over the subtree, grouping rows by the first six
characters of their region code (the county), so the number of queries does not grow with
the number of counties: seven in all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import CharField, Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from xieguan.employers.models import Employer
from xieguan.funding.models import Budget, Disbursement, FundingSource, Subsidy
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.personnel.models import Assistant
from xieguan.regions.models import CODE_LENGTH, Level, Region

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
COUNTY_LEN = CODE_LENGTH[Level.COUNTY]


def _per(amount: Decimal, n: int) -> Decimal | None:
    return (amount / n).quantize(CENT, rounding=ROUND_HALF_UP) if n else None


@dataclass
class CountyFunding:
    code: str
    name: str
    allocated_public: Decimal = ZERO  # 基本公共卫生服务监督协管项目
    allocated_local: Decimal = ZERO  # 地方财政
    disbursed: Decimal = ZERO  # disbursements other than subsidies
    subsidies: Decimal = ZERO  # subsidies paid to assistants
    assistants: int = 0  # assistants in service at the year's end (today for this year)
    employers: int = 0  # employers in the ledger during the year (not closed before it)
    inspections: int = 0  # submitted inspections inspected in the year
    prefecture: str = field(default="")

    @property
    def allocated(self) -> Decimal:
        return self.allocated_public + self.allocated_local

    @property
    def spent(self) -> Decimal:
        return self.disbursed + self.subsidies

    @property
    def execution_rate(self) -> Decimal | None:
        """Spent / allocated, in percent with one decimal."""
        if not self.allocated:
            return None
        return (self.spent * 100 / self.allocated).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def per_assistant(self) -> Decimal | None:
        return _per(self.allocated, self.assistants)

    @property
    def per_employer(self) -> Decimal | None:
        return _per(self.allocated, self.employers)

    @property
    def per_inspection(self) -> Decimal | None:
        return _per(self.spent, self.inspections)

    @property
    def subsidy_per_assistant(self) -> Decimal | None:
        return _per(self.subsidies, self.assistants)


def _by_county(qs: QuerySet[Any], value: Any, region_field: str = "region_id") -> dict[str, Any]:
    """{county code: aggregate} for a queryset, grouped by its region code's county prefix."""
    rows = (
        qs.order_by()
        .annotate(county=Substr(region_field, 1, COUNTY_LEN, output_field=CharField()))
        .values("county")
        .annotate(v=value)
        .values_list("county", "v")
    )
    return dict(rows)


def county_funding(code: str, year: int) -> list[CountyFunding]:
    """One row per county in the subtree of ``code`` (a province, prefecture or county)."""
    if len(code) > COUNTY_LEN:
        code = code[:COUNTY_LEN]
    counties = list(
        Region.objects.within(code).filter(level=Level.COUNTY).order_by("code").values_list("code", "name")
    )
    budgets = (
        Budget.objects.within(code)
        .filter(year=year)
        .order_by()
        .values("region_id", "source")
        .annotate(total=Sum("amount"))
    )
    disbursed = _by_county(Disbursement.objects.within(code).filter(year=year), Sum("amount"))
    subsidies = _by_county(Subsidy.objects.within(code).filter(year=year), Sum("amount"))
    # personnel's one definition of service, on the year's last day (today for this year)
    reference = min(dt.date(year, 12, 31), timezone.localdate())
    assistants = _by_county(Assistant.objects.within(code).in_service(reference), Count("pk"), "township_id")
    employers = _by_county(
        Employer.objects.operating_during(dt.date(year, 1, 1), dt.date(year, 12, 31)).within(code),
        Count("pk"),
    )
    inspections = _by_county(
        Inspection.objects.within(code).filter(status=InspectionStatus.SUBMITTED, inspected_at__year=year),
        Count("pk"),
    )
    rows = {
        c: CountyFunding(
            code=c,
            name=name,
            disbursed=disbursed.get(c) or ZERO,
            subsidies=subsidies.get(c) or ZERO,
            assistants=assistants.get(c, 0),
            employers=employers.get(c, 0),
            inspections=inspections.get(c, 0),
        )
        for c, name in counties
    }
    for b in budgets:
        row = rows.get(b["region_id"])
        if row is None:
            continue
        if b["source"] == FundingSource.PUBLIC_HEALTH:
            row.allocated_public += b["total"]
        else:
            row.allocated_local += b["total"]
    return list(rows.values())


def total_row(rows: list[CountyFunding], name: str) -> CountyFunding:
    total = CountyFunding(code="", name=name)
    for r in rows:
        total.allocated_public += r.allocated_public
        total.allocated_local += r.allocated_local
        total.disbursed += r.disbursed
        total.subsidies += r.subsidies
        total.assistants += r.assistants
        total.employers += r.employers
        total.inspections += r.inspections
    return total
