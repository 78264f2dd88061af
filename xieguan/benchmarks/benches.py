"""The benchmarks of `manage.py bench`, each with its floor.

A bench measures one user request through the real code path (URL routing, middleware, the
view, its queries, template or document rendering) with the Django test client logged in as
the right user. Its floor computes the same numbers with one hand-written SQL statement; the
bench checks both agree before timing them.

A bench whose view is not on this branch yet raises NotAvailable and is reported as
"not available yet", never with a made-up figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import NoReverseMatch, reverse

from xieguan.accounts.models import User
from xieguan.benchmarks.harness import (
    Mismatch,
    NotAvailable,
    Outcome,
    context_value,
    count_queries,
    fetch,
    interleaved,
    rendered_contexts,
)


@dataclass
class Subjects:
    """Who and what each bench looks at, chosen from the data (the biggest of each kind)."""

    province: str
    year: int
    today: dt.date
    county: str
    township: str
    assistant: User  # of the township with the most employers
    register_assistant: User  # the busiest assistant-year, for 附表2
    register_year: int
    inspection: str  # one submitted inspection with findings, for the 附表1 PDF

    def describe(self) -> dict[str, Any]:
        return {
            "province": self.province,
            "year": self.year,
            "county": self.county,
            "township": self.township,
            "assistant": self.assistant.username,
            "register": f"{self.register_assistant.username} {self.register_year}",
            "inspection": self.inspection,
        }


def choose_subjects(province: str, today: dt.date) -> Subjects:
    like = province + "%"
    [(county,)] = fetch(
        "SELECT substr(region_id, 1, 6) FROM employers_employer WHERE region_id LIKE %s "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        [like],
    )
    [(township,)] = fetch(
        "SELECT township_id FROM employers_employer WHERE region_id LIKE %s "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        [county + "%"],
    )
    assistant = (
        User.objects.filter(region_id=township, role="assistant", is_active=True).order_by("username").first()
    )
    year = today.year - 1  # the last complete year
    rows = fetch(
        "SELECT assistant_id, count(*) FROM inspections_inspection WHERE region_id LIKE %s "
        "AND status = 'submitted' AND inspected_at >= %s AND inspected_at < %s "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        [like, _midnight(dt.date(year, 1, 1)), _midnight(dt.date(year + 1, 1, 1))],
    )
    [(inspection,)] = fetch(
        "SELECT id FROM inspections_inspection WHERE region_id LIKE %s AND status = 'submitted' "
        "AND findings_count > 0 AND complete ORDER BY inspected_at DESC, id LIMIT 1",
        [township + "%"],
    )
    if assistant is None or not rows:
        raise NotAvailable("数据集中没有协管员或巡查记录")
    return Subjects(
        province=province,
        year=year,
        today=today,
        county=county,
        township=township,
        assistant=assistant,
        register_assistant=User.objects.get(pk=rows[0][0]),
        register_year=year,
        inspection=str(inspection),
    )


def _midnight(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch as exc:
        raise NotAvailable(f"视图 {name} 尚未合入") from exc


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str, stream: bool = False) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise Mismatch(f"GET {url} answered {response.status_code}")
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)


def _numbers_from(client: Client, url: str, key: str) -> Any:
    with rendered_contexts() as contexts:
        _get(client, url)
    return context_value(contexts, key)


@dataclass
class Options:
    repeat: int = 15
    warmup: int = 3


Bench = Callable[[Subjects, Options], Outcome]


def _query_bench(
    name: str,
    kind: str,
    app: Callable[[], Any],
    floor: Callable[[], Any],
    app_numbers: Any,
    floor_numbers: Any,
    rows: int,
    opts: Options,
    subject: str,
) -> Outcome:
    if app_numbers != floor_numbers:
        diff = _difference(app_numbers, floor_numbers)
        return Outcome(name, kind, status="mismatch", subject=subject, note=diff, rows=rows)
    queries = count_queries(app)
    app_ms, floor_ms = interleaved(app, floor, opts.repeat, opts.warmup)
    return Outcome(
        name,
        kind,
        app_ms=app_ms,
        floor_ms=floor_ms,
        ratio=round(app_ms / floor_ms, 2) if floor_ms else None,
        queries=queries,
        rows=rows,
        subject=subject,
    )


def _difference(app: Any, floor: Any) -> str:
    if isinstance(app, dict) and isinstance(floor, dict):
        keys = sorted(set(app) | set(floor), key=str)
        wrong = [k for k in keys if app.get(k) != floor.get(k)]
        shown = "; ".join(f"{k}: app={app.get(k)!r} floor={floor.get(k)!r}" for k in wrong[:5])
        return f"{len(wrong)} differ: {shown}"
    return f"app={str(app)[:200]} floor={str(floor)[:200]}"


# --- the assistant's home page (work list) ----------------------------------------------------

WORKLIST_FLOOR = """
SELECT
  (SELECT count(*) FROM employers_employer
     WHERE region_id LIKE %(like)s AND status <> 'closed' AND NOT registered),
  (SELECT count(*) FROM leads_lead WHERE region_id LIKE %(like)s AND reported_at IS NULL),
  (SELECT count(*) FROM leads_assistrequest
     WHERE region_id LIKE %(like)s AND assistant_id = %(user)s AND status = 'requested'),
  (SELECT count(*) FROM personnel_appointment a JOIN personnel_assistant p ON p.id = a.assistant_id
     WHERE p.user_id = %(user)s AND p.township_id LIKE %(like)s
       AND a.start <= %(today)s AND a."end" >= %(today)s AND a."end" <= %(horizon)s
       AND NOT EXISTS (SELECT 1 FROM personnel_appointment r WHERE r.renewal_of_id = a.id)
       AND NOT EXISTS (SELECT 1 FROM personnel_dismissal d WHERE d.assistant_id = p.id)),
  (SELECT count(*) FROM tasks_taskassignment ta JOIN tasks_task t ON t.id = ta.task_id
     WHERE ta.region_id LIKE %(like)s AND ta.assignee_id = %(user)s
       AND ta.status = 'open' AND t.status = 'open')
"""
WORKLIST_SECTIONS = [
    "登记信息不全的用人单位",
    "待报告的线索",
    "请我协查的事项",
    "您的聘期即将到期",
    "上级交办任务",
]


def worklist_assistant(s: Subjects, opts: Options) -> Outcome:
    from django.utils import timezone

    user = s.assistant
    client = _client(user)
    url = _url("accounts:home")
    today = timezone.localdate()
    params = {
        "like": user.region_id + "%",
        "user": user.pk,
        "today": today,
        "horizon": today + dt.timedelta(days=60),
    }

    def floor() -> dict[str, int]:
        [values] = fetch(WORKLIST_FLOOR, params)  # type: ignore[arg-type]
        found = dict(zip(WORKLIST_SECTIONS, values, strict=True))
        found["您的聘期即将到期"] = min(found["您的聘期即将到期"], 1)  # one entry, shown when due
        return {k: v for k, v in found.items() if v or k != "您的聘期即将到期"}

    sections = _numbers_from(client, url, "sections")
    app_numbers = {
        str(section.title): (section.total if section.total is not None else len(section.entries))
        for section in sections
    }
    floor_numbers = floor()
    return _query_bench(
        "worklist_assistant",
        "query",
        lambda: _get(client, url),
        floor,
        app_numbers,
        floor_numbers,
        rows=sum(floor_numbers.values()),
        opts=opts,
        subject=f"{user.username} ({user.region_id})",
    )


# --- the registry -------------------------------------------------------------------------------

BENCHES: dict[str, Bench] = {
    "worklist_assistant": worklist_assistant,
}
