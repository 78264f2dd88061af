"""Test helpers of work funding: budget lines made through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from xieguan.accounts.models import User
from xieguan.funding.actions import allocate_budget
from xieguan.funding.models import Budget, FundingSource
from xieguan.regions.models import Region

YEAR = 2026
PAID_ON = dt.date(2026, 3, 1)  # before "today" of the demo year and after its start


def budget(by: User, county: str = "520281", amount: str = "100000.00", **kwargs: Any) -> Budget:
    values: dict[str, Any] = {"year": YEAR, "source": FundingSource.PUBLIC_HEALTH}
    values.update(kwargs)
    return allocate_budget(by=by, county=Region.objects.get(code=county), amount=Decimal(amount), **values)
