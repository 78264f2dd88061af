"""Compare what the indicators read from stored summaries with the facts they summarise.

    python manage.py checkindicators                 # the whole database
    python manage.py checkindicators --region 520281 # the employers and accounts of a subtree
    python manage.py checkindicators --fix           # and store the values recomputed from the facts

Two summaries are kept by the inspection actions in the same transaction as the inspections
(``xieguan/inspections/patrol.py``): each employer's ``inspected_halves`` and
``last_inspected_on``, and each account's ``AssistantHalf`` rows (submitted inspections per
half-year). This command recomputes both from the submitted inspections, prints every
difference, and exits with status 1 if there was any (also with ``--fix``, which repairs them
and says so); 0 when everything agrees.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from xieguan.accounts.models import User
from xieguan.employers.models import Employer
from xieguan.inspections import patrol
from xieguan.regions.models import Region

SHOWN = 50  # differences printed per kind


class Command(BaseCommand):
    help = "Check the stored indicator summaries against the inspections (exit 1 on any difference)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="", help="region code: only its subtree, e.g. 520281")
        parser.add_argument("--fix", action="store_true", help="store the values recomputed from the facts")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["region"]
        if code and not Region.objects.filter(code=code).exists():
            raise CommandError(f"没有区划代码 {code}")
        employers = Employer.objects.within(code) if code else Employer.objects.all()
        accounts = list(User.objects.within(code).values_list("pk", flat=True)) if code else None
        found_employers = patrol.employer_differences(employers)
        found_assistants = patrol.assistant_differences(accounts)
        for diff in found_employers[:SHOWN]:
            self.stdout.write(f"用人单位 {diff.key[0]}：已存 {diff.stored}，按巡查记录应为 {diff.live}")
        for diff in found_assistants[:SHOWN]:
            user_id, half = diff.key
            self.stdout.write(
                f"协管员账号 {user_id} 第 {half} 个半年：已存 {diff.stored} 次，按巡查记录应为 {diff.live} 次"
            )
        total = len(found_employers) + len(found_assistants)
        where = f"（{code}）" if code else ""
        if not total:
            self.stdout.write(
                self.style.SUCCESS(f"一致{where}：用人单位巡查半年与协管员半年巡查记录均与巡查记录相符。")
            )
            return
        summary = (
            f"不一致{where}：用人单位 {len(found_employers)} 个，协管员半年记录 {len(found_assistants)} 条。"
        )
        if options["fix"]:
            with transaction.atomic():
                patrol.refresh(diff.key[0] for diff in found_employers)
                patrol.fix_assistants(found_assistants)
            summary += "已按巡查记录修正。"
        raise CommandError(summary)
