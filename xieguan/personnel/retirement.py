"""第十二条(一) 符合退休条件: when an assistant reaches the statutory retirement age.

Birth date and sex come from the ID number (``stdnum.cn.ric``: digits 7–14 the birth date, the
17th odd for a man); the age rule is data (``RetirementRule``, chosen per sex by
``RetirementPolicy``, loaded by migration ``0005_default_retirement_rules`` with the 2025
gradual reform). The county's work list and the assistant's page warn ``warning_days`` ahead.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as NumberError

from xieguan.personnel.models import Gender, RetirementPolicy, RetirementRule

if TYPE_CHECKING:
    from collections.abc import Iterable

    from xieguan.personnel.models import Assistant
    from xieguan.regions.models import Region


def birth_and_gender(id_number: str) -> tuple[dt.date, str] | None:
    """(birth date, Gender value) read from a valid 18-digit ID number; None if it is not one."""
    try:
        number = ric.validate(id_number)
        birth = ric.get_birth_date(number)
    except (NumberError, ValueError):
        return None
    return birth, Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def delay_months(birth: dt.date, rule: RetirementRule) -> int:
    """Months added to the base age for someone born on ``birth`` (0 before the reform's births)."""
    start = rule.reform_from_birth
    born = (birth.year - start.year) * 12 + (birth.month - start.month)
    if born < 0:
        return 0
    return min(rule.max_delay_months, born // rule.step_months + 1)


def retirement_date(birth: dt.date, rule: RetirementRule) -> dt.date:
    """The day the statutory retirement age is reached."""
    return add_months(birth, rule.base_years * 12 + delay_months(birth, rule))


@dataclass(frozen=True)
class Retirement:
    assistant: Assistant
    birth: dt.date
    age_years: int
    age_extra_months: int
    on: dt.date  # the day the retirement age is reached

    @property
    def age_label(self) -> str:
        extra = f"{self.age_extra_months}个月" if self.age_extra_months else ""
        return f"{self.age_years}周岁{extra}"

    def reached(self, today: dt.date) -> bool:
        return self.on <= today


def current_policy(region: Region | str | None) -> RetirementPolicy | None:
    """The retirement policy of the region's province (None when none is loaded at all)."""
    policy = RetirementPolicy.for_region(region)
    return policy if policy.pk is not None else None


def retirement_of(assistant: Assistant, policy: RetirementPolicy | None = None) -> Retirement | None:
    """When this assistant reaches the retirement age (None: no valid ID number or no policy)."""
    policy = policy or current_policy(assistant.township_id)
    read = birth_and_gender(assistant.id_number)
    if policy is None or read is None:
        return None
    birth, gender = read
    rule = policy.male_rule if gender == Gender.MALE else policy.female_rule
    delay = delay_months(birth, rule)
    age = rule.base_years * 12 + delay
    return Retirement(assistant, birth, age // 12, age % 12, add_months(birth, age))


def due_soon(
    assistants: Iterable[Assistant], today: dt.date, policy: RetirementPolicy | None
) -> list[Retirement]:
    """Those who reach the retirement age within the policy's warning window (or already have),
    soonest first (``policy``: the province's, ``current_policy(region)``; None: nobody)."""
    if policy is None:
        return []
    horizon = today + dt.timedelta(days=policy.warning_days)
    found = [r for a in assistants if (r := retirement_of(a, policy)) is not None and r.on <= horizon]
    return sorted(found, key=lambda r: r.on)
