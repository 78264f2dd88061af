from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from xieguan.indicators.tests.factories import load_default_targets
from xieguan.indicators.tests.scenario import Scenario, build_scenario

TODAY = dt.datetime(2025, 12, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen() -> Iterator[Any]:
    """Today is 2025-12-20 (both half-years of 2025 have begun)."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        assert timezone.localdate() == TODAY.date()
        yield traveller


@pytest.fixture
def targets(db: Any) -> None:
    load_default_targets()


@pytest.fixture
def scenario(frozen: Any, personas: Any, targets: None) -> Scenario:
    return build_scenario(personas)
