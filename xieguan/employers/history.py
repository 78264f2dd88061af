"""The audit trail of an employer as people read it: who, when, which fields, old and new values.

Reads the django-simple-history rows of one employer and their hazard snapshots in a fixed
number of queries, and diffs consecutive rows in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.employers.models import (
    EMPLOYER_HISTORY,
    Employer,
    HazardCategory,
    HazardFactor,
    Industry,
    IndustryCode,
    OperatingStatus,
)
from xieguan.regions.models import Region

# Fields shown in the history, in form order (derived and bookkeeping fields are left out,
# except 已登记 which people ask about).
TRACKED = (
    "name",
    "credit_code",
    "region",
    "address",
    "legal_representative",
    "phone",
    "industry",
    "industry_code",
    "hazard_categories",
    "hazard_factors",
    "radiation_work",
    "construction_project",
    "workers",
    "exposed_workers",
    "status",
    "closed_reason",
    "serious_hazard",
    "declaration_date",
    "declaration_receipt",
    "registered",
)
KINDS = {"+": gettext_lazy("新建登记"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str
    reason: str
    version: int
    changes: list[Change] = field(default_factory=list)


def _labels() -> dict[str, str]:
    return {name: str(getattr(Employer._meta.get_field(name), "verbose_name", name)) for name in TRACKED}


def history_entries(employer: Employer, limit: int = 30) -> list[HistoryEntry]:
    """The newest ``limit`` changes, newest first (one more row is read to diff the oldest)."""
    records = list(
        employer.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    if not records:
        return []
    ids = [r.history_id for r in records]
    snapshots: dict[str, dict[int, set[Any]]] = {}
    for name, column in (("hazard_categories", "hazardcategory_id"), ("hazard_factors", "hazardfactor_id")):
        model = next(m for f, m in EMPLOYER_HISTORY.m2m_models.items() if f.name == name)
        rows: dict[int, set[Any]] = {i: set() for i in ids}
        for history_id, value in model.objects.filter(history_id__in=ids).values_list("history_id", column):
            rows[history_id].add(value)
        snapshots[name] = rows
    display = _Display(records, snapshots)
    labels = _labels()
    entries: list[HistoryEntry] = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(entries) == limit:
            break
        entry = HistoryEntry(
            when=newer.history_date,
            who=str(newer.history_user) if newer.history_user else _("系统"),
            kind=str(KINDS.get(newer.history_type, newer.history_type)),
            reason=newer.history_change_reason or "",
            version=newer.version,
        )
        if older is not None and newer.history_type == "~":
            for name in TRACKED:
                old, new = display.value(older, name), display.value(newer, name)
                if old != new:
                    entry.changes.append(Change(name, labels[name], old, new))
        entries.append(entry)
    return entries


class _Display:
    """Human-readable values of history rows (code lists and region names fetched once)."""

    def __init__(self, records: list[Any], snapshots: dict[str, dict[int, set[Any]]]) -> None:
        self.snapshots = snapshots
        region_ids = {r.region_id for r in records if r.region_id}
        self.regions = dict(Region.objects.filter(code__in=region_ids).values_list("code", "name"))
        self.categories = dict(HazardCategory.objects.values_list("code", "name"))
        factor_ids = (
            set().union(*snapshots["hazard_factors"].values()) if snapshots["hazard_factors"] else set()
        )
        self.factors = dict(HazardFactor.objects.filter(pk__in=factor_ids).values_list("pk", "name"))
        code_ids = {r.industry_code_id for r in records if r.industry_code_id}
        self.codes = {c.code: str(c) for c in IndustryCode.objects.filter(code__in=code_ids)}

    def value(self, record: Any, name: str) -> str:
        empty = _("（空）")
        if name == "hazard_categories":
            values = sorted(self.categories.get(v, v) for v in self.snapshots[name][record.history_id])
            return "、".join(values) or empty
        if name == "hazard_factors":
            values = sorted(self.factors.get(v, str(v)) for v in self.snapshots[name][record.history_id])
            return "、".join(values) or empty
        if name == "region":
            return self.regions.get(record.region_id, record.region_id or empty)
        if name == "industry_code":
            return self.codes.get(record.industry_code_id, "") or empty
        value = getattr(record, name)
        if name == "industry":
            return str(Industry(value).label) if value else empty
        if name == "status":
            return str(OperatingStatus(value).label) if value else empty
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if value is None or value == "":
            return empty
        return str(value)
