"""Which province a page speaks for, and its name: from the database, never from the code.

A user's province is the first two digits of their region code. Pages seen before login (the
login page, the app manifest) speak for the installation's province, ``XIEGUAN_PROVINCE``
(default 52). Names are read once per process: division names do not change while it runs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from xieguan.regions.models import Level, Region


def province_code(user: Any = None) -> str:
    code = getattr(user, "region_id", None) if user is not None and user.is_authenticated else None
    return (code or settings.XIEGUAN_PROVINCE)[:2]


@lru_cache(maxsize=64)
def province_name(code: str) -> str:
    """The province's name as loaded by ``loadregions`` ("" when that province is not loaded)."""
    name = Region.objects.filter(code=code[:2], level=Level.PROVINCE).values_list("name", flat=True).first()
    return name or ""


def context(request: HttpRequest) -> dict[str, str]:
    """Template context: ``province_name`` of the user, or of the installation before login."""
    return {"province_name": province_name(province_code(getattr(request, "user", None)))}
