"""The indicators' part of the home work list (SPEC §8).

County admin (and the prefecture and province): the indicators of their region not met this
year, each linking to the list of who or what is missing. (The assistant's employers due this
half-year and drafts are the inspections app's sections; townships without an appointed
assistant are personnel's staffing section.)
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import Role
from xieguan.indicators import periods
from xieguan.indicators.dashboard import dashboard_url, targets
from xieguan.indicators.registry import Show, all_indicators, format_rate
from xieguan.lib.worklist import WorkEntry, WorkSection

MANAGERS = frozenset({Role.COUNTY_ADMIN, Role.PREFECTURE_VIEWER, Role.PROVINCE_ADMIN})


def sections(user: Any) -> list[WorkSection]:
    if user.role in MANAGERS:
        return [unmet_indicators(user)]
    return []


def unmet_indicators(user: Any) -> WorkSection:
    """This year's indicators of the user's region that miss their target; with nothing to count
    at all (a new installation), the section says so instead of "all met"."""
    year = periods.current_year()
    goals = targets(user.region_id)
    entries = []
    judged = False  # any indicator with something to count (a new installation has none)
    for ind in all_indicators():
        target = goals.get(ind.key)
        if target is None:
            continue
        counts = ind.total(user.region_id, year)
        met = target.is_met(counts.rate)
        judged = judged or met is not None
        if met is not False:
            continue
        entries.append(
            WorkEntry(
                title=f"{ind.label} {format_rate(counts.rate)}",
                url=ind.list_url(user.region_id, year, Show.MISSING),
                detail=_("%(what)s：%(n)s") % {"what": ind.missing_label, "n": counts.missing},
                badge=_("目标 %(t)s") % {"t": target.label},
                urgent=True,
            )
        )
    return WorkSection(
        title=gettext_lazy("未达标的工作指标（%(year)s年）") % {"year": year.year},
        entries=entries,
        more_url=dashboard_url(user.region_id, year),
        order=40,
        empty_text=gettext_lazy("本年度各项工作指标均已达标。")
        if judged
        else gettext_lazy("本年度尚无可统计的数据（还没有台账、协管员或巡查记录）。"),
    )
