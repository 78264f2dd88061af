"""Demo accounts: one per role, in real Guizhou regions (六盘水市).

盘州市 (520281) and 六枝特区 (520203) are two counties of 六盘水市; the second county admin
and assistant exist so that a refusal across counties can be tried by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xieguan.accounts.models import Agency, Role, User
from xieguan.regions.models import Region

DEMO_PASSWORD = "xieguan-demo-2026"  # noqa: S105 - printed by `make run`; demo data only


@dataclass
class DemoContext:
    users: dict[str, User] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


DEMO_USERS: list[tuple[str, str, str, str, list[str]]] = [
    # username, full name, role, region code, villages
    ("sheng", "省级管理员", Role.PROVINCE_ADMIN, "52", []),
    ("lps", "六盘水市查看员", Role.PREFECTURE_VIEWER, "5202", []),
    ("panzhou", "盘州市卫健局管理员", Role.COUNTY_ADMIN, "520281", []),
    ("jiandu", "盘州市监督员", Role.OFFICER, "520281", []),
    ("xieguan", "柏果镇协管员", Role.ASSISTANT, "520281117", []),
    ("liuzhi", "六枝特区卫健局管理员", Role.COUNTY_ADMIN, "520203", []),
    ("xieguan2", "岩脚镇协管员", Role.ASSISTANT, "520203102", []),
]

AGENCIES = [
    ("盘州市卫生健康局", Agency.Kind.ADMINISTRATION, "520281"),
    ("盘州市卫生健康综合监督执法大队", Agency.Kind.SUPERVISION, "520281"),
    ("六枝特区卫生健康局", Agency.Kind.ADMINISTRATION, "520203"),
    ("六枝特区卫生健康综合监督执法大队", Agency.Kind.SUPERVISION, "520203"),
]


def seed(ctx: DemoContext) -> list[str]:
    agencies = {}
    for name, kind, code in AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, kind=kind, region_id=code)
    lines = []
    for username, full_name, role, code, villages in DEMO_USERS:
        region = Region.objects.get(code=code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, role=role, region=region)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.PROVINCE_ADMIN
            user.is_superuser = role == Role.PROVINCE_ADMIN
            if role == Role.OFFICER:
                user.agency = agencies["盘州市卫生健康综合监督执法大队"]
            elif role == Role.COUNTY_ADMIN:
                user.agency = agencies[f"{region.name}卫生健康局"]
            user.full_clean()
            user.save()
            if villages:
                user.villages.set(Region.objects.filter(code__in=villages))
        ctx.users[username] = user
        ctx.regions[code] = region
        lines.append(f"  {user.get_role_display():<16} {username:<10} {region.path_name()}")
    return lines
