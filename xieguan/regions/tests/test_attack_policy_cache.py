"""The per-request policy memo (helper atkb): nothing of one request or province leaks into another."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse

from xieguan.leads.models import ReportingPolicy
from xieguan.regions.models import Level, Region
from xieguan.regions.policy import PolicyCacheMiddleware, _memo

pytestmark = pytest.mark.django_db


def _within_a_request(read: Any) -> Any:
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["value"] = read()
        return HttpResponse()

    PolicyCacheMiddleware(view)(HttpRequest())
    return seen["value"]


def test_the_memo_is_per_request_and_per_province(regions: Any) -> None:
    Region.objects.create(code="53", name="云南省", level=Level.PROVINCE)
    ReportingPolicy.objects.create(province_id="53", important_hours=1, normal_days=5)
    ReportingPolicy.objects.create(province_id="52", important_hours=7, normal_days=5)

    def both() -> tuple[int, int, int, int]:
        first = (
            ReportingPolicy.for_region("530102").important_hours,
            ReportingPolicy.for_region("52").important_hours,
        )
        # a bulk update sends no signal: within the request the memo keeps the first reading …
        ReportingPolicy.objects.filter(province_id="53").update(important_hours=2)
        return (
            *first,
            ReportingPolicy.for_region("53").important_hours,
            ReportingPolicy.for_region("5202").important_hours,
        )

    assert _within_a_request(both) == (1, 7, 1, 7)
    assert _memo.get() is None  # … and nothing is left after it
    assert _within_a_request(lambda: ReportingPolicy.for_region("53").important_hours) == 2
    assert ReportingPolicy.for_region("53").important_hours == 2  # outside a request: no memo

    # a save inside a request drops the memo at once
    def saved() -> int:
        ReportingPolicy.for_region("53")
        row = ReportingPolicy.objects.get(province_id="53")
        row.important_hours = 3
        row.save()
        return ReportingPolicy.for_region("53").important_hours

    assert _within_a_request(saved) == 3


def test_a_failing_request_leaves_no_memo(regions: Any) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        ReportingPolicy.for_region("52")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        PolicyCacheMiddleware(view)(HttpRequest())
    assert _memo.get() is None
