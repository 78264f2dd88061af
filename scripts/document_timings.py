"""Time to make each printed document, as a user downloads it (docs/documents.md, "Timings").

Not a test (it asserts nothing about time) and not collected by ``make test``; run it by hand:

    nice .venv/bin/python -m pytest scripts/document_timings.py -q -s -p no:cacheprovider

It builds, in a test database: a year of 30 inspections of one assistant (every third with two
findings and a lead), 300 employers and 100 leads of one county, then fetches each document
through its view (the scoped query, the rendering, the response) five times after one warm-up,
and prints the median and the size.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from django.urls import reverse

from xieguan.documents.render import render
from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.tests.factories import make_employer
from xieguan.indicators.tests.test_register import a_year_of_inspections
from xieguan.inspections.models import Inspection
from xieguan.inspections.printing import case_form_for
from xieguan.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db
RUNS = 5


def body(response: Any) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def timed(client: Any, url: str, params: dict[str, Any] | None = None) -> tuple[float, int]:
    body(client.get(url, params or {}))  # warm-up: fonts parsed, templates and code loaded
    times, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = len(body(client.get(url, params or {})))
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def test_print_document_timings(client_for, personas):
    ensure_code_lists()
    a_year_of_inspections(personas)
    for n in range(300):
        make_employer(
            personas.xieguan, name=f"盘州市柏果第{n}号测试煤业有限公司", address=f"柏果镇第{n % 9}村"
        )
    for n in range(100):
        make_lead(personas, description="职业病危害因素检测报告过期，作业场所噪声明显超标。" * (1 + n % 6))
    client = client_for("panzhou")
    inspection = Inspection.objects.filter(findings_count__gt=0).first() or Inspection.objects.first()
    assert inspection is not None
    year = {"assistant": personas.xieguan.pk, "year": 2025}
    subjects = [
        *(
            (f"附表1 .{fmt} (one inspection)", reverse("inspections:print", args=[inspection.pk, fmt]), None)
            for fmt in ("pdf", "docx")
        ),
        *(
            (f"附表2 .{fmt} (30 inspections)", reverse("indicators:register_file", args=[fmt]), year)
            for fmt in ("pdf", "docx", "xlsx")
        ),
        ("ledger .xlsx, data file (300 employers)", reverse("employers:export"), None),
        ("ledger .xlsx, 打印版 (300 employers)", reverse("employers:export"), {"print": "1"}),
        ("lead register .xlsx (100 leads)", reverse("leads:export"), None),
    ]
    print("\n| document | median of 5 | size |\n|---|---|---|")
    for name, url, params in subjects:
        seconds, size = timed(client, url, params)
        print(f"| {name} | {seconds * 1000:.0f} ms | {size / 1024:.0f} KB |")
    # 附表1 .xlsx is not served (the case form prints as PDF or .docx): rendered directly
    times = []
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        data = render(case_form_for(inspection), "xlsx")
        times.append(time.perf_counter() - start)
    median = statistics.median(times[1:])
    print(f"| 附表1 .xlsx (rendered, not served) | {median * 1000:.0f} ms | {len(data) / 1024:.0f} KB |")
