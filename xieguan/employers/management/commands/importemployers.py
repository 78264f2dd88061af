"""Import an employer ledger (.xlsx) from the command line, with the same checks as the web page.

    python manage.py importemployers FILE.xlsx --user USERNAME [--dry-run] [--only-clean]

The user's region limits where rows may go. Nothing is written when any row fails, unless
--only-clean is given. Exits non-zero when any row fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.accounts.models import User
from xieguan.employers.actions import LedgerError
from xieguan.employers.excel import apply_import, read_ledger_file
from xieguan.employers.views import EDIT_ROLES
from xieguan.lib.tabular import TableError


class Command(BaseCommand):
    help = "导入用人单位台账（.xlsx）；先逐行检查，任何一行有问题则不写入（除非 --only-clean）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--user", required=True, help="以该用户的身份和辖区导入")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--only-clean", action="store_true", help="只导入没有问题的行")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).select_related("region").first()
        if user is None:
            raise CommandError(f"没有这个用户：{options['user']}")
        if user.role not in EDIT_ROLES:
            raise CommandError(f"用户 {user.username}（{user.get_role_display()}）无权导入台账。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            check = read_ledger_file(path.read_bytes(), user, filename=path.name)
        except TableError as exc:
            raise CommandError(exc.message) from exc
        for issue in check.table.issues:
            self.stderr.write(f"第 {issue.row} 行 [{issue.column or '整行'}] “{issue.value}”：{issue.reason}")
        counts = check.counts()
        written = ""
        if options["dry_run"]:
            written = "（检查模式，未写入）"
        elif check.failed and not options["only_clean"]:
            written = "（有问题，未写入任何数据）"
        else:
            try:
                apply_import(check, user, only_clean=options["only_clean"], source=path.name)
            except LedgerError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"read={counts['read']} created={counts['created']} updated={counts['updated']} "
            f"unchanged={counts['unchanged']} failed={counts['failed']}"
        )
        self.stdout.write(
            f"读取 {counts['read']} 行：新增 {counts['created']}，更新 {counts['updated']}，"
            f"未变 {counts['unchanged']}，失败 {counts['failed']}{written}"
        )
        if check.failed:
            raise CommandError(f"有 {check.failed} 行未通过检查。")
