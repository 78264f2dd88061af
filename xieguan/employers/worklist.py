"""Home work list: the employers of the user's scope whose registration is incomplete."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import Role
from xieguan.employers.actions import missing_labels
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.lib.worklist import FirstPage, WorkEntry, WorkSection

SHOWN = 5
ROLES = frozenset({Role.ASSISTANT, Role.COUNTY_ADMIN})


# Compiled once per process and role (lib.prepared); the columns the entries show.
PENDING = FirstPage(
    Employer,
    lambda user: (
        Employer.objects.visible_to(user)
        .exclude(status=OperatingStatus.CLOSED)
        .filter(registered=False)
        .select_related("region")
        .only("id", "name", "missing_fields", "region__name")
        .order_by("-is_key", "township_id", "name_key")
    ),
    SHOWN,
)


def sections(user: Any) -> list[WorkSection]:
    if getattr(user, "role", None) not in ROLES:
        return []
    rows, total = PENDING(user=user)
    entries = [
        WorkEntry(
            title=e.name,
            url=e.get_absolute_url(),
            detail=_("缺：%(fields)s") % {"fields": "、".join(missing_labels(e.missing_fields))},
            badge=e.region.name,
        )
        for e in rows
    ]
    return [
        WorkSection(
            title=gettext_lazy("登记信息不全的用人单位"),
            entries=entries,
            total=total,
            more_url=reverse("employers:ledger") + "?registered=no" if total > SHOWN else "",
            order=30,
            empty_text=gettext_lazy("台账中的单位都已完成登记。"),
        )
    ]
