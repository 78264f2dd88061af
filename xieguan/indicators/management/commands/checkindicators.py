"""Compare what the indicators read from stored summaries with the facts they summarise.

    python manage.py checkindicators                 # the whole database
    python manage.py checkindicators --region 520281 # the employers and accounts of a subtree
    python manage.py checkindicators --fix           # and store the values recomputed from the facts

Two summaries are kept by the inspection actions in the same transaction as the inspections
(``xieguan/inspections/patrol.py``): each employer's ``inspected_halves`` and
``last_inspected_on``, and each account's ``AssistantHalf`` rows (submitted inspections per
half-year). This command recomputes both from the submitted inspections and prints each
difference as a line an operator can act on: the employer (name, region name and code, id) or
the account (name, username, region, id), the half-years as ``2026年上半年`` and the dates as
``YYYY-MM-DD`` (at most ``SHOWN`` lines of each kind). The last line says how much was checked
and how much differed.

Each check reads one snapshot of the database, so inspections submitted while it runs are not
reported as differences. Exit status: 0 when everything agrees; 1 when something differs (cron
relies on it). With ``--fix`` the differing summaries are recomputed from the inspections and
stored in one transaction that locks them first (``patrol.refresh``, ``patrol.fix_assistants``:
safe while assistants keep submitting), and everything is checked again: 0 when the re-check
finds no difference, 1 if one remains.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import QuerySet

from xieguan.accounts.models import User
from xieguan.employers.models import Employer
from xieguan.inspections import patrol
from xieguan.lib.tabular import one_snapshot
from xieguan.regions.models import Region

SHOWN = 50  # differences printed per kind


def _day(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "无"


def _halves(indices: list[int]) -> str:
    return "、".join(patrol.half_label(i) for i in indices) or "无"


def _places(regions: list[Region]) -> dict[str, str]:
    """Region code -> its name below the province with its code, e.g. 盘州市柏果镇 520281101
    (one query for all of them)."""
    codes = {c for r in regions for c in r.ancestor_codes} | {r.code for r in regions}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        r.code: "".join(names.get(c, "") for c in sorted(r.ancestor_codes, key=len)[1:])
        + f"{r.name} {r.code}"
        for r in regions
    }


def employer_lines(differences: list[patrol.Difference]) -> list[str]:
    """One readable line per employer difference: what is stored, what the inspections say."""
    employers = {
        e.pk: e
        for e in Employer.objects.select_related("region").filter(pk__in=[d.key[0] for d in differences])
    }
    places = _places([e.region for e in employers.values()])
    lines = []
    for diff in differences:
        (pk,) = diff.key
        employer = employers.get(pk)
        who = (
            f"用人单位「{employer.name}」（{places[employer.region_id]}，id {pk}）"
            if employer
            else f"用人单位 id {pk}"
        )
        (stored_mask, stored_day), (live_mask, live_day) = diff.stored, diff.live
        parts = []
        if stored_mask != live_mask:
            stored_halves, live_halves = patrol.halves_of(stored_mask), patrol.halves_of(live_mask)
            missing = [i for i in live_halves if i not in stored_halves]
            extra = [i for i in stored_halves if i not in live_halves]
            text = "巡查半年"
            if missing:
                text += f" 漏记 {_halves(missing)}"
            if extra:
                text += f"{'，' if missing else ' '}多记 {_halves(extra)}"
            parts.append(text)
        if stored_day != live_day:
            parts.append(f"最近巡查日期 已存 {_day(stored_day)}，按巡查记录应为 {_day(live_day)}")
        lines.append(f"{who}：{'；'.join(parts)}")
    return lines


def assistant_lines(differences: list[patrol.Difference]) -> list[str]:
    """One readable line per (account, half-year) difference."""
    accounts = {
        u.pk: u for u in User.objects.select_related("region").filter(pk__in={d.key[0] for d in differences})
    }
    places = _places([u.region for u in accounts.values()])
    lines = []
    for diff in differences:
        user_id, half = diff.key
        user = accounts.get(user_id)
        who = f"协管员账号 id {user_id}"
        if user:
            where = f"账号 {user.username}，{places[user.region_id]}，id {user_id}"
            who = f"协管员 {user.full_name or user.username}（{where}）"
        lines.append(
            f"{who}{patrol.half_label(half)}：已存 {diff.stored} 次巡查，按巡查记录应为 {diff.live} 次"
        )
    return lines


def _check(employers: QuerySet[Employer], accounts: list[int] | None) -> tuple[patrol.Check, patrol.Check]:
    """Both comparisons read one snapshot of the database: an inspection submitted while they
    run (its summary updated in the same transaction) is seen on both sides or on neither, and
    is never reported as a difference."""
    with one_snapshot("default"):
        return patrol.check_employers(employers), patrol.check_assistants(accounts)


class Command(BaseCommand):
    help = (
        "核对指标所用的汇总（用人单位的巡查半年、协管员半年巡查次数）与巡查记录是否一致；"
        "有不一致时退出码为 1。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="", help="区划代码：只核对该区划及其下级，例如 520281")
        parser.add_argument("--fix", action="store_true", help="按巡查记录修正汇总，然后再核对一遍")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["region"]
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            raise CommandError(f"没有区划代码 {code}")
        employers = Employer.objects.within(code) if code else Employer.objects.all()
        accounts = list(User.objects.within(code).values_list("pk", flat=True)) if code else None
        found_employers, found_assistants = _check(employers, accounts)
        where = f"（{region.name} {code}）" if region else ""
        checked = (
            f"核对用人单位 {found_employers.checked:,} 个、协管员账号 {found_assistants.accounts:,} 个的"
            f"半年巡查记录 {found_assistants.checked:,} 条"
        )
        differing = len(found_employers.differences) + len(found_assistants.differences)
        if not differing:
            self.stdout.write(self.style.SUCCESS(f"一致{where}：{checked}，均与巡查记录相符。"))
            return
        self._show(found_employers.differences, found_assistants.differences)
        summary = (
            f"不一致{where}：{checked}，其中用人单位 {len(found_employers.differences):,} 个、"
            f"协管员半年记录 {len(found_assistants.differences):,} 条与巡查记录不符。"
        )
        if not options["fix"]:
            raise CommandError(summary)
        self.stdout.write(summary)
        with transaction.atomic():
            patrol.refresh(diff.key[0] for diff in found_employers.differences)
            patrol.fix_assistants(found_assistants.differences)
        again_employers, again_assistants = _check(employers, accounts)
        still_employers, still_assistants = again_employers.differences, again_assistants.differences
        if still_employers or still_assistants:
            self._show(still_employers, still_assistants)
            raise CommandError(
                f"已按巡查记录修正，但复查{where}仍有用人单位 {len(still_employers):,} 个、"
                f"协管员半年记录 {len(still_assistants):,} 条不符。"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已按巡查记录修正{where}：用人单位 {len(found_employers.differences):,} 个、"
                f"协管员半年记录 {len(found_assistants.differences):,} 条；复查一致。"
            )
        )

    def _show(self, employers: list[patrol.Difference], assistants: list[patrol.Difference]) -> None:
        for line in employer_lines(employers[:SHOWN]):
            self.stdout.write(line)
        if len(employers) > SHOWN:
            self.stdout.write(f"……另有用人单位 {len(employers) - SHOWN:,} 个不符，未列出。")
        for line in assistant_lines(assistants[:SHOWN]):
            self.stdout.write(line)
        if len(assistants) > SHOWN:
            self.stdout.write(f"……另有协管员半年记录 {len(assistants) - SHOWN:,} 条不符，未列出。")
