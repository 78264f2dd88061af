"""Periods of the indicators: a year, a half-year, or any date range.

A period is a closed range of local dates (Asia/Shanghai). Its ``key`` is what the
dashboard's period selector and every drill-down link carry in the URL:

- ``2025``                      the year 2025;
- ``2025H1`` / ``2025H2``       a half-year (the regulation: 每半年至少开展一次巡查);
- ``2025-03-01~2025-05-31``     any date range.

The half-year rules (each assistant and each employer inspected in every half-year) look
at ``halves()``: the half-years the period overlaps, each clipped to the period, leaving
out those that have not started yet today.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})H([12])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})$")
MIN_YEAR = 2000
MAX_RANGE_DAYS = 366 * 10


class PeriodError(ValueError):
    """A period key that cannot be read; the message is for the user."""


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware datetime at which ``day`` begins in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive
    key: str

    @property
    def label(self) -> str:
        if _YEAR.match(self.key):
            return f"{self.key}年"
        half = _HALF.match(self.key)
        if half:
            return f"{half.group(1)}年{'上' if half.group(2) == '1' else '下'}半年"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def short_label(self) -> str:
        """A compact label for chart axes: 2025, 2025上, 2025下, or the dates."""
        half = _HALF.match(self.key)
        if half:
            return f"{half.group(1)}{'上' if half.group(2) == '1' else '下'}"
        return self.key if _YEAR.match(self.key) else f"{self.start:%m-%d}~{self.end:%m-%d}"

    @property
    def start_at(self) -> dt.datetime:
        """The first instant of the period (aware)."""
        return local_midnight(self.start)

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period (aware): ranges are ``[start_at, end_before)``."""
        return local_midnight(self.end + dt.timedelta(days=1))

    @property
    def year(self) -> int:
        return self.start.year

    def halves(self, today: dt.date | None = None) -> list[Period]:
        """The half-years the period overlaps, clipped to it; those not yet begun are left out.

        A period entirely in the future keeps its first half, so nobody meets a rule vacuously.
        """
        today = today or timezone.localdate()
        parts: list[Period] = []
        for year in range(self.start.year, self.end.year + 1):
            for half in (1, 2):
                whole = half_year(year, half)
                start, end = max(whole.start, self.start), min(whole.end, self.end)
                if start > end:
                    continue
                whole_half = (start, end) == (whole.start, whole.end)
                parts.append(whole if whole_half else date_range(start, end))
        begun = [p for p in parts if p.start <= today]
        return begun or parts[:1]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def year(value: int) -> Period:
    return Period(dt.date(value, 1, 1), dt.date(value, 12, 31), str(value))


def half_year(value: int, half: int) -> Period:
    if half == 1:
        return Period(dt.date(value, 1, 1), dt.date(value, 6, 30), f"{value}H1")
    return Period(dt.date(value, 7, 1), dt.date(value, 12, 31), f"{value}H2")


def date_range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError("结束日期不能早于开始日期。")
    if (end - start).days > MAX_RANGE_DAYS:
        raise PeriodError("时间范围不能超过十年。")
    return Period(start, end, f"{start:%Y-%m-%d}~{end:%Y-%m-%d}")


def current_half(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return half_year(today.year, 1 if today.month <= 6 else 2)


def current_year(today: dt.date | None = None) -> Period:
    return year((today or timezone.localdate()).year)


def parse_period(key: str | None, today: dt.date | None = None) -> Period:
    """The period of a URL key; empty means the current year. Raises PeriodError."""
    text = (key or "").strip()
    if not text:
        return current_year(today)
    if m := _YEAR.match(text):
        return year(_check_year(int(m.group(1))))
    if m := _HALF.match(text):
        return half_year(_check_year(int(m.group(1))), int(m.group(2)))
    if m := _RANGE.match(text):
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise PeriodError("日期无效，请按 2025-03-01 的格式填写。") from exc
        _check_year(start.year)
        _check_year(end.year)
        return date_range(start, end)
    raise PeriodError("时间段无法识别：请选择年度、半年或填写起止日期。")


def _check_year(value: int) -> int:
    if not MIN_YEAR <= value <= 2100:
        raise PeriodError(f"年度应在 {MIN_YEAR} 至 2100 之间。")
    return value


def recent_halves(count: int, today: dt.date | None = None) -> list[Period]:
    """The last ``count`` half-years, oldest first, ending with the current one."""
    now = current_half(today)
    halves = [now]
    while len(halves) < count:
        first = halves[0]
        halves.insert(
            0, half_year(first.year - 1, 2) if first.key.endswith("H1") else half_year(first.year, 1)
        )
    return halves


def choices(today: dt.date | None = None, years: int = 5) -> list[Period]:
    """The periods offered by the selector: recent years, each followed by its halves."""
    this_year = (today or timezone.localdate()).year
    out: list[Period] = []
    for value in range(this_year, this_year - years, -1):
        out.extend([year(value), half_year(value, 1), half_year(value, 2)])
    return out
