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
from xieguan.benchmarks.generator import USERNAME_PREFIX
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


# --- indicators: dashboard and drill-down ----------------------------------------------------

# One statement: every indicator of the registry (indicators/catalogue) for every child region of
# the subtree, grouped by the code prefix, as (child, key, numerator, denominator, extra1, extra2).
INDICATORS_FLOOR = """
WITH
emp AS (
  SELECT e.id, e.registered, e.is_key,
         {child_e} AS child
  FROM employers_employer e
  WHERE e.region_id LIKE %(like)s AND e.status <> 'closed' AND e.created_at < %(end_before)s),
ins AS (
  SELECT i.employer_id, i.assistant_id, i.complete, i.inspected_at < %(mid)s AS first_half,
         {child_i} AS child
  FROM inspections_inspection i
  WHERE i.region_id LIKE %(like)s AND i.status = 'submitted'
    AND i.inspected_at >= %(start_at)s AND i.inspected_at < %(end_before)s),
by_employer AS (
  SELECT employer_id, bool_or(first_half) AS h1, bool_or(NOT first_half) AS h2
  FROM ins GROUP BY employer_id),
by_assistant AS (
  SELECT assistant_id, bool_or(first_half) AS h1, bool_or(NOT first_half) AS h2
  FROM ins GROUP BY assistant_id),
assistants AS (
  SELECT u.id, u.region_id,
         {child_u} AS child
  FROM accounts_user u
  WHERE u.region_id LIKE %(like)s AND u.role = 'assistant' AND u.is_active AND u.date_joined < %(end_before)s
    AND (u.access_until IS NULL OR u.access_until >= %(reference)s))
SELECT child, 'registration', count(*) FILTER (WHERE registered), count(*), NULL::bigint, NULL::bigint
  FROM emp GROUP BY child
UNION ALL
SELECT child, 'reporting', count(*) FILTER (WHERE reported_at IS NOT NULL), count(*),
       count(*) FILTER (WHERE reported_at <= report_due_at),
       count(*) FILTER (WHERE reported_at > report_due_at OR (reported_at IS NULL AND report_due_at < now()))
  FROM (SELECT {child_l} AS child, reported_at, report_due_at
        FROM leads_lead WHERE region_id LIKE %(like)s
          AND discovered_at >= %(start_at)s AND discovered_at < %(end_before)s) l
  GROUP BY child
UNION ALL
SELECT a.child, 'assistant_patrol', count(*) FILTER (WHERE b.h1 AND b.h2), count(*), NULL, NULL
  FROM assistants a LEFT JOIN by_assistant b ON b.assistant_id = a.id GROUP BY a.child
UNION ALL
SELECT e.child, 'key_coverage', count(*) FILTER (WHERE b.employer_id IS NOT NULL), count(*), NULL, NULL
  FROM emp e LEFT JOIN by_employer b ON b.employer_id = e.id WHERE e.is_key GROUP BY e.child
UNION ALL
SELECT e.child, 'employer_patrol', count(*) FILTER (WHERE b.h1 AND b.h2), count(*), NULL, NULL
  FROM emp e LEFT JOIN by_employer b ON b.employer_id = e.id GROUP BY e.child
UNION ALL
SELECT child, 'records', count(*) FILTER (WHERE complete), count(*), NULL, NULL FROM ins GROUP BY child
UNION ALL
SELECT {child_t}, 'publicity',
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM outreach_publicityevent p
                                      WHERE p.region_id = t.code
                                        AND p.held_on BETWEEN %(start)s AND %(end)s)),
       count(*), NULL, NULL
  FROM regions_region t
  WHERE t.code LIKE %(like)s AND t.level = 4
    AND EXISTS (SELECT 1 FROM assistants a WHERE a.region_id = t.code)
  GROUP BY 1
"""
# The child region of a row: its code cut to the children's length; rows registered above the
# children's level (an employer at township level, seen from the township) count as the node's own.
CHILD = "CASE WHEN length({col}) >= %(len)s THEN substr({col}, 1, %(len)s) ELSE %(code)s END"
CHILDREN = {
    "child_e": CHILD.format(col="e.region_id"),
    "child_i": CHILD.format(col="i.region_id"),
    "child_u": CHILD.format(col="u.region_id"),
    "child_l": CHILD.format(col="region_id"),
    "child_t": CHILD.format(col="t.code"),
}
INDICATORS_FLOOR = INDICATORS_FLOOR.format(**CHILDREN)
EXTRAS = {"reporting": ("on_time", "overdue")}
FLOOR_KEYS = {"registration", "reporting", "assistant_patrol", "key_coverage", "employer_patrol"}
FLOOR_KEYS |= {"records", "publicity"}


def _year_params(code: str, year: int, child_length: int) -> dict[str, Any]:
    """The period parameters of a full past year (its two half-years both begun)."""
    return {
        "code": code,
        "like": code + "%",
        "len": child_length,
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
        "start_at": _midnight(dt.date(year, 1, 1)),
        "mid": _midnight(dt.date(year, 7, 1)),
        "end_before": _midnight(dt.date(year + 1, 1, 1)),
        "reference": dt.date(year, 12, 31),
    }


Numbers = dict[tuple[str, str], tuple[int, int, tuple[tuple[str, int], ...]]]


def _indicator_floor(params: dict[str, Any]) -> Numbers:
    out: Numbers = {}
    for child, key, num, den, x1, x2 in fetch(INDICATORS_FLOOR, params):  # type: ignore[arg-type]
        extras = tuple(zip(EXTRAS.get(key, ()), (x1, x2), strict=False))
        out[(child, key)] = (num, den, tuple(sorted(extras)))
    return out


def _table_numbers(table: Any) -> Numbers:
    out: Numbers = {}
    for row in table.rows:
        for cell in row.cells:
            c = cell.counts
            if c.numerator or c.denominator or any(c.extras.values()):
                out[(row.code, cell.indicator.key)] = (
                    c.numerator,
                    c.denominator,
                    tuple(sorted(c.extras.items())),
                )
    return out


def _dashboard(name: str, user: User, code: str, year: int, opts: Options) -> Outcome:
    from xieguan.regions.models import CODE_LENGTH, Level, Region

    url = _url("indicators:dashboard") + f"?region={code}&period={year}"
    node = Region.objects.get(code=code)
    child_length = CODE_LENGTH[Level(node.level + 1)]
    params = _year_params(code, year, child_length)
    client = _client(user)
    table = _numbers_from(client, url, "table")
    unknown = {ind.key for ind in table.indicators} - FLOOR_KEYS
    if unknown:
        raise Mismatch(f"the floor does not compute {sorted(unknown)} yet")
    floor_numbers = _indicator_floor(params)
    children = len({c for c, _ in floor_numbers})
    return _query_bench(
        name,
        "query",
        lambda: _get(client, url),
        lambda: _indicator_floor(params),
        _table_numbers(table),
        floor_numbers,
        rows=children,
        opts=opts,
        subject=f"{code} {year}, {len(table.indicators)} indicators × {children} regions",
    )


def province_indicators(s: Subjects, opts: Options) -> Outcome:
    """The province admin's dashboard for one year: its prefectures (all 88 counties' data)."""
    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{s.province}")
    return _dashboard("province_indicators", user, s.province, s.year, opts)


def county_indicators(s: Subjects, opts: Options) -> Outcome:
    """The largest county's dashboard: its townships × every indicator, one year."""
    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{s.county}")
    return _dashboard("county_indicators", user, s.county, s.year, opts)


DRILL_FLOOR = """
WITH m AS (
  SELECT e.id, e.township_id, e.name,
         EXISTS (SELECT 1 FROM inspections_inspection i
                 WHERE i.employer_id = e.id AND i.status = 'submitted'
                   AND i.inspected_at >= %(start_at)s AND i.inspected_at < %(end_before)s) AS ok
  FROM employers_employer e
  WHERE e.region_id LIKE %(like)s AND e.status <> 'closed' AND e.is_key AND e.created_at < %(end_before)s)
SELECT (SELECT count(*) FROM m WHERE NOT ok), (SELECT count(*) FROM m WHERE ok), (SELECT count(*) FROM m),
       ARRAY(SELECT id FROM m WHERE NOT ok ORDER BY township_id, name LIMIT 50)
"""


def township_drilldown(s: Subjects, opts: Options) -> Outcome:
    """The key employers of the largest township not yet inspected this year (覆盖率's drill-down)."""
    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{s.county}")
    year = s.today.year
    url = _url("indicators:drill", "key_coverage") + f"?region={s.township}&period={year}&show=missing"
    params = {
        "like": s.township + "%",
        "start_at": _midnight(dt.date(year, 1, 1)),
        "end_before": _midnight(dt.date(year + 1, 1, 1)),
    }
    client = _client(user)
    with rendered_contexts() as contexts:
        _get(client, url)
    total = context_value(contexts, "total")
    page = context_value(contexts, "page")
    app_numbers = (total.missing, total.numerator, total.denominator, [e.pk for e in page.object_list])

    def floor() -> tuple[int, int, int, list[int]]:
        [(missing, ok, members, ids)] = fetch(DRILL_FLOOR, params)  # type: ignore[arg-type]
        return missing, ok, members, list(ids)

    floor_numbers = floor()
    return _query_bench(
        "township_drilldown",
        "query",
        lambda: _get(client, url),
        floor,
        app_numbers,
        floor_numbers,
        rows=len(floor_numbers[3]),
        opts=opts,
        subject=f"{s.township} {year}: {floor_numbers[0]} of {floor_numbers[2]} key employers uncovered",
    )


# --- the registry -------------------------------------------------------------------------------

BENCHES: dict[str, Bench] = {
    "province_indicators": province_indicators,
    "county_indicators": county_indicators,
    "township_drilldown": township_drilldown,
    "worklist_assistant": worklist_assistant,
}
