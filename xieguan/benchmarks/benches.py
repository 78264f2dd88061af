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
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from xieguan.accounts.models import User
from xieguan.benchmarks.generator import PROVINCE, USERNAME_PREFIX
from xieguan.benchmarks.harness import (
    Mismatch,
    NotAvailable,
    Outcome,
    context_value,
    count_queries,
    fetch,
    interleaved,
    interleaved_many,
    peak_memory_mb,
    rendered_contexts,
)
from xieguan.inspections import patrol


@dataclass
class Subjects:
    """Who and what each bench looks at, chosen from the data (the biggest of each kind)."""

    province: str
    year: int
    today: dt.date
    county: str
    township: str
    drill_township: str  # the township of that county with the most key employers uncovered this year
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
            "drill_township": self.drill_township,
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
    [(drill_township,)] = fetch(
        "SELECT e.township_id FROM employers_employer e WHERE e.region_id LIKE %s AND e.is_key "
        "AND e.status <> 'closed' AND NOT EXISTS (SELECT 1 FROM inspections_inspection i "
        "WHERE i.employer_id = e.id AND i.status = 'submitted' AND i.inspected_at >= %s) "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        [county + "%", _midnight(dt.date(today.year, 1, 1))],
    ) or [(township,)]
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
        drill_township=drill_township,
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
    submit_requests: int = 60  # per run of the single client; 8 clients send a quarter each


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
    base: Callable[[], Any] | None = None,
) -> Outcome:
    """Check the numbers, then time app, floor SQL and (when given) the base in turn.

    With a base, ``floor_ms = sql_ms + base_ms`` and ``ratio = app_ms / floor_ms``;
    ``sql_ratio`` (``app_ms / sql_ms``) is the ratio of the earlier reports."""
    if app_numbers != floor_numbers:
        diff = _difference(app_numbers, floor_numbers)
        return Outcome(name, kind, status="mismatch", subject=subject, note=diff, rows=rows)
    queries = count_queries(app)
    base_ms: float | None = None
    if base is None:
        app_ms, sql_ms = interleaved(app, floor, opts.repeat, opts.warmup)
        floor_ms = sql_ms
    else:
        app_ms, sql_ms, base_ms = interleaved_many([app, floor, base], opts.repeat, opts.warmup)
        floor_ms = round(sql_ms + base_ms, 2)
    outcome = Outcome(
        name,
        kind,
        app_ms=app_ms,
        floor_ms=floor_ms,
        sql_ms=sql_ms,
        base_ms=base_ms,
        ratio=round(app_ms / floor_ms, 2) if floor_ms else None,
        queries=queries,
        rows=rows,
        subject=subject,
    )
    if base is not None and sql_ms:
        outcome.extra["sql_ratio"] = round(app_ms / sql_ms, 2)
    return outcome


def _base(client: Client, key: str, render: Callable[[], tuple[Any, str]]) -> Callable[[], bytes]:
    """The base of a bench: GET of the minimal view (``bench/base/<key>/``, same middleware,
    same logged-in user) answering what ``render`` gives."""
    from xieguan.benchmarks.server_urls import BASE_PAGES

    BASE_PAGES[key] = render
    url = reverse("bench_base", args=[key])
    return lambda: _get(client, url)


def _text(rows: Any) -> Callable[[], tuple[bytes, str]]:
    from xieguan.benchmarks.server_urls import rows_text

    return lambda: (rows_text(rows), "text/plain; charset=utf-8")


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
       AND ta.status = 'open' AND t.status = 'open'),
  (SELECT count(*) FROM employers_employer e
     WHERE e.region_id LIKE %(like)s AND e.status <> 'closed'
       AND (e.last_inspected_on IS NULL OR e.last_inspected_on < %(half)s)
       AND (NOT EXISTS (SELECT 1 FROM accounts_user_villages v WHERE v.user_id = %(user)s)
            OR e.region_id IN (SELECT v.region_id FROM accounts_user_villages v WHERE v.user_id = %(user)s))),
  (SELECT least(count(*), 6) FROM inspections_inspection
     WHERE region_id LIKE %(like)s AND assistant_id = %(user)s AND status = 'draft')
"""
WORKLIST_SECTIONS = [
    "登记信息不全的用人单位",
    "待报告的线索",
    "请我协查的事项",
    "您的聘期即将到期",
    "上级交办任务",
    "本半年待巡查的用人单位",
    "未提交的巡查草稿",  # the first six entries, no total
]
WHEN_ANY = {"您的聘期即将到期", "未提交的巡查草稿"}  # sections shown only when they have entries


def worklist_assistant(s: Subjects, opts: Options) -> Outcome:
    from django.utils import timezone

    user = s.assistant
    client = _client(user)
    url = _url("accounts:home")
    today = timezone.localdate()
    half = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
    params = {
        "like": user.region_id + "%",
        "user": user.pk,
        "today": today,
        "horizon": today + dt.timedelta(days=60),
        "half": half,
    }

    def floor() -> list[tuple[str, int]]:
        [values] = fetch(WORKLIST_FLOOR, params)  # type: ignore[arg-type]
        found = [
            (title, min(n, 1) if title == "您的聘期即将到期" else n)
            for title, n in zip(WORKLIST_SECTIONS, values, strict=True)
        ]
        return sorted((t, n) for t, n in found if n or t not in WHEN_ANY)

    sections = _numbers_from(client, url, "sections")
    app_numbers = sorted(
        (str(section.title), section.total if section.total is not None else len(section.entries))
        for section in sections
    )
    floor_numbers = floor()
    return _query_bench(
        "worklist_assistant",
        "query",
        lambda: _get(client, url),
        floor,
        app_numbers,
        floor_numbers,
        rows=sum(n for _, n in floor_numbers),
        opts=opts,
        subject=f"{user.username} ({user.region_id})",
        base=_base(client, "worklist", _text(floor_numbers)),
    )


# --- the fixed cost of a page ------------------------------------------------------------------


def page_overhead(s: Subjects, opts: Options) -> Outcome:
    """An almost empty page (the county admin's notifications: session, user, middleware, base
    layout, navigation, bell) against the base: the minimal view through the same middleware
    with the same user, answering the user's name as plain text. No SQL floor (``sql_ms`` 0)."""
    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{s.county}")
    client = _client(user)
    url = _url("accounts:notifications")
    page = _get(client, url).decode()
    shown = str(user) in page  # the page is the user's own (the base layout names them)
    return _query_bench(
        "page_overhead",
        "query",
        lambda: _get(client, url),
        lambda: None,
        shown,
        True,
        rows=0,
        opts=opts,
        subject=f"{url} of {user.username}",
        base=_base(client, "page_overhead", lambda: (str(user).encode(), "text/plain; charset=utf-8")),
    )


# --- indicators: dashboard and drill-down ----------------------------------------------------

# One statement: every indicator of the registry (indicators/catalogue) for every child region of
# the subtree, grouped by the code prefix, as (child, key, numerator, denominator, extra1, extra2).
INDICATORS_FLOOR = """
WITH
emp AS (
  SELECT e.id, e.registered, e.is_key,
         e.closed_on IS NULL OR e.closed_on > %(h1_end)s AS due1,
         e.closed_on IS NULL OR e.closed_on > %(end)s AS due2,
         {child_e} AS child
  FROM employers_employer e
  WHERE e.region_id LIKE %(like)s AND e.created_at < %(end_before)s
    AND (e.closed_on IS NULL OR e.closed_on > %(start)s)),
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
served AS (
  SELECT p.id, p.user_id, p.township_id,
         {child_p} AS child,
         {full_h1} AND (d.dismissed_on IS NULL OR d.dismissed_on > %(h1_end)s) AS due1,
         {full_h2} AND (d.dismissed_on IS NULL OR d.dismissed_on > %(end)s) AS due2
  FROM personnel_assistant p
  LEFT JOIN personnel_dismissal d ON d.assistant_id = p.id
  WHERE p.township_id LIKE %(like)s),
assistants AS (SELECT * FROM served WHERE due1 OR due2),
training AS (
  SELECT {child_p} AS child, r.attended, r.attended AND coalesce(r.passed, false) AS passed
  FROM personnel_trainingrecord r
  JOIN personnel_assistant p ON p.id = r.assistant_id
  JOIN personnel_trainingsession s ON s.id = r.session_id
  WHERE p.township_id LIKE %(like)s AND s.kind = 'business' AND s.held_on BETWEEN %(start)s AND %(end)s)
SELECT child, 'registration', count(*) FILTER (WHERE registered), count(*),
       NULL::bigint, NULL::bigint, NULL::bigint
  FROM emp GROUP BY child
UNION ALL
SELECT child, 'reporting', count(*) FILTER (WHERE reported_at IS NOT NULL), count(*),
       count(*) FILTER (WHERE reported_at <= report_due_at),
       count(*) FILTER (WHERE reported_at > report_due_at OR (reported_at IS NULL AND report_due_at < now())),
       NULL::bigint
  FROM (SELECT {child_l} AS child, reported_at, report_due_at
        FROM leads_lead WHERE region_id LIKE %(like)s
          AND discovered_at >= %(start_at)s AND discovered_at < %(end_before)s) l
  GROUP BY child
UNION ALL
SELECT a.child, 'assistant_patrol',
       count(*) FILTER (WHERE (NOT a.due1 OR coalesce(b.h1, false))
                          AND (NOT a.due2 OR coalesce(b.h2, false))),
       count(*), NULL, NULL, NULL
  FROM assistants a LEFT JOIN by_assistant b ON b.assistant_id = a.user_id GROUP BY a.child
UNION ALL
SELECT e.child, 'key_coverage', count(*) FILTER (WHERE b.employer_id IS NOT NULL), count(*), NULL, NULL, NULL
  FROM emp e LEFT JOIN by_employer b ON b.employer_id = e.id WHERE e.is_key AND e.due1 GROUP BY e.child
UNION ALL
SELECT e.child, 'employer_patrol', count(*) FILTER (WHERE b.h1 AND (b.h2 OR NOT e.due2)), count(*),
       NULL, NULL, NULL
  FROM emp e LEFT JOIN by_employer b ON b.employer_id = e.id WHERE e.due1 GROUP BY e.child
UNION ALL
SELECT child, 'records', count(*) FILTER (WHERE ok), count(*),
       count(*) FILTER (WHERE kind = 'inspection' AND NOT ok),
       count(*) FILTER (WHERE kind = 'complaint' AND NOT ok),
       count(*) FILTER (WHERE kind = 'lead' AND NOT ok)
  FROM (SELECT {child_i} AS child, 'inspection' AS kind,
               coalesce(i.status = 'submitted'
                        AND i.submitted_at <= i.inspected_at + %(inspection_delta)s, false) AS ok
          FROM inspections_inspection i
         WHERE i.region_id LIKE %(like)s
           AND i.inspected_at >= %(start_at)s AND i.inspected_at < %(end_before)s
           AND (i.status = 'submitted' OR i.inspected_at < now() - %(inspection_delta)s)
        UNION ALL
        SELECT {child_c}, 'complaint', c.recorded_at <= c.received_at + %(complaint_delta)s
          FROM leads_complaint c
         WHERE c.region_id LIKE %(like)s AND c.recorded_at IS NOT NULL
           AND c.received_at >= %(start_at)s AND c.received_at < %(end_before)s
        UNION ALL
        SELECT {child_l}, 'lead', coalesce(reported_at <= report_due_at, false)
          FROM leads_lead
         WHERE region_id LIKE %(like)s AND discovered_at >= %(start_at)s AND discovered_at < %(end_before)s
           AND (reported_at IS NOT NULL OR report_due_at < now())) r
  GROUP BY child
UNION ALL
SELECT {child_t}, 'publicity',
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM outreach_publicityevent p
                                      WHERE p.region_id = t.code AND p.withdrawn_at IS NULL
                                        AND p.held_on BETWEEN %(start)s AND %(end)s)),
       count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM inspections_inspection i
                                        JOIN employers_employer pe ON pe.id = i.employer_id
                                      WHERE pe.township_id = t.code AND i.status = 'submitted'
                                        AND i.legal_publicity
                                        AND i.inspected_at >= %(start_at)s
                                        AND i.inspected_at < %(end_before)s)),
       NULL, NULL
  FROM regions_region t
  WHERE t.code LIKE %(like)s AND t.level = 4
    AND EXISTS (SELECT 1 FROM assistants a WHERE a.township_id = t.code)
  GROUP BY 1
UNION ALL
SELECT child, 'training_participation', count(*) FILTER (WHERE attended), count(*), NULL, NULL, NULL
  FROM training GROUP BY child
UNION ALL
SELECT child, 'training_pass', count(*) FILTER (WHERE passed), count(*), NULL, NULL, NULL
  FROM training WHERE attended GROUP BY child
"""
# The child region of a row: its code cut to the children's length; rows registered above the
# children's level (an employer at township level, seen from the township) count as the node's own.
CHILD = "CASE WHEN length({col}) >= %(len)s THEN substr({col}, 1, %(len)s) ELSE %(code)s END"
CHILDREN = {
    "child_e": CHILD.format(col="e.region_id"),
    "child_i": CHILD.format(col="i.region_id"),
    "child_l": CHILD.format(col="region_id"),
    "child_c": CHILD.format(col="c.region_id"),
    "child_t": CHILD.format(col="t.code"),
    "child_p": CHILD.format(col="p.township_id"),
}
# Served a half-year [s, e] in full (personnel/service.py): a term covers its first day and every
# term ending inside it is followed the next day by another (the dismissal is checked apart).
FULL = """(EXISTS (SELECT 1 FROM personnel_appointment a
                WHERE a.assistant_id = p.id AND a.start <= {s} AND a."end" >= {s})
   AND NOT EXISTS (SELECT 1 FROM personnel_appointment a
                   WHERE a.assistant_id = p.id AND a."end" >= {s} AND a."end" < {e}
                     AND NOT EXISTS (SELECT 1 FROM personnel_appointment n
                                     WHERE n.assistant_id = p.id AND n.start = a."end" + 1)))"""
CHILDREN["full_h1"] = FULL.format(s="%(start)s", e="%(h1_end)s")
CHILDREN["full_h2"] = FULL.format(s="%(h2_start)s", e="%(end)s")
INDICATORS_FLOOR = INDICATORS_FLOOR.format(**CHILDREN)
EXTRAS = {
    "reporting": ("on_time", "overdue"),
    "records": ("late_inspection", "late_complaint", "late_lead"),
    "publicity": ("patrol_publicity",),
}
FLOOR_KEYS = {"registration", "reporting", "assistant_patrol", "key_coverage", "employer_patrol"}
FLOOR_KEYS |= {"records", "publicity", "training_participation", "training_pass"}


def _year_params(code: str, year: int, child_length: int) -> dict[str, Any]:
    """The period parameters of a full past year (its two half-years both begun), and the
    recording deadlines in force (indicators.RecordingPolicy)."""
    from xieguan.indicators.models import RecordingPolicy

    policy = RecordingPolicy.for_region(code)
    return {
        "inspection_delta": dt.timedelta(days=policy.inspection_days),
        "complaint_delta": dt.timedelta(hours=policy.complaint_hours),
        "code": code,
        "like": code + "%",
        "len": child_length,
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
        "start_at": _midnight(dt.date(year, 1, 1)),
        "mid": _midnight(dt.date(year, 7, 1)),
        "end_before": _midnight(dt.date(year + 1, 1, 1)),
        "h1_end": dt.date(year, 6, 30),
        "h2_start": dt.date(year, 7, 1),
    }


Numbers = dict[tuple[str, str], tuple[int, int, tuple[tuple[str, int], ...]]]


def _indicator_floor(params: dict[str, Any]) -> Numbers:
    out: Numbers = {}
    for child, key, num, den, x1, x2, x3 in fetch(INDICATORS_FLOOR, params):  # type: ignore[arg-type]
        extras = tuple(zip(EXTRAS.get(key, ()), (x1, x2, x3), strict=False))
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
    raw = fetch(INDICATORS_FLOOR, params)  # type: ignore[arg-type]
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
        base=_base(client, name, _text(raw)),
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
  WHERE e.region_id LIKE %(like)s AND e.is_key AND e.created_at < %(end_before)s
    AND (e.closed_on IS NULL OR e.closed_on > %(h1_end)s))
SELECT (SELECT count(*) FROM m WHERE NOT ok), (SELECT count(*) FROM m WHERE ok), (SELECT count(*) FROM m),
       ARRAY(SELECT id FROM m WHERE NOT ok ORDER BY township_id, name LIMIT 50)
"""


def township_drilldown(s: Subjects, opts: Options) -> Outcome:
    """The key employers of the largest township not yet inspected this year (覆盖率's drill-down)."""
    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{s.county}")
    year = s.today.year
    url = _url("indicators:drill", "key_coverage") + f"?region={s.drill_township}&period={year}&show=missing"
    params = {
        "like": s.drill_township + "%",
        "start_at": _midnight(dt.date(year, 1, 1)),
        "end_before": _midnight(dt.date(year + 1, 1, 1)),
        "h1_end": dt.date(year, 6, 30),
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
    missing, _, members, _ = floor_numbers
    return _query_bench(
        "township_drilldown",
        "query",
        lambda: _get(client, url),
        floor,
        app_numbers,
        floor_numbers,
        rows=len(floor_numbers[3]),
        opts=opts,
        subject=f"{s.drill_township} {year}: {missing} of {members} key employers not covered",
        base=_base(client, "drilldown", _text(fetch(DRILL_FLOOR, params))),  # type: ignore[arg-type]
    )


# --- documents: 附表1 PDF, ledger export -----------------------------------------------------

FU1_FLOOR = """
SELECT c.number, c.wording, a.answer
FROM inspections_inspection i
JOIN inspections_checklistitem c ON c.template_id = i.template_id
LEFT JOIN inspections_inspectionanswer a ON a.inspection_id = i.id AND a.item_id = c.id
WHERE i.id = %s AND i.status = 'submitted'
ORDER BY c.number
"""
ANSWER_LABELS = {"yes": "有", "no": "无", "na": "合理缺项", None: ""}


def form_fu1_pdf(s: Subjects, opts: Options) -> Outcome:
    """One 附表1 as PDF (reportlab, embedded CJK font), as its assistant prints it."""
    from xieguan.documents.layout import FormDoc
    from xieguan.inspections import views as inspection_views
    from xieguan.inspections.models import Inspection

    printed = Inspection.objects.select_related("assistant").get(pk=s.inspection)
    client = _client(printed.assistant)
    url = _url("inspections:print", s.inspection, "pdf")
    # The numbers the view printed: capture the form description it renders (checking run only).
    captured: list[Any] = []
    original = inspection_views.case_form_for

    def capture(inspection: Inspection) -> FormDoc:
        doc = original(inspection)
        captured.append(doc)
        return doc

    inspection_views.case_form_for = capture
    try:
        pdf = _get(client, url)
    finally:
        inspection_views.case_form_for = original
    if not pdf.startswith(b"%PDF") or not captured:
        raise Mismatch("the print view did not answer a PDF")
    table = next(block for block in captured[0].blocks if hasattr(block, "columns"))
    app_numbers = [tuple(row) for row in table.rows]

    def floor() -> list[tuple[str, str, str]]:
        return [(str(n), w, ANSWER_LABELS[a]) for n, w, a in fetch(FU1_FLOOR, [s.inspection])]

    strings = [text for row in floor() for text in row]

    def draw() -> tuple[bytes, str]:
        """The same strings in the same embedded font on one page (reportlab's canvas)."""
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        from xieguan.documents import fonts

        buffer = io.BytesIO()
        page = canvas.Canvas(buffer, pagesize=A4)
        page.setFont(fonts.chain().names[0], 9)
        y = A4[1] - 40
        for text in strings:
            for line in text.splitlines() or [""]:
                page.drawString(40, y, line[:60])
                y -= 12
        page.showPage()
        page.save()
        return buffer.getvalue(), "application/pdf"

    outcome = _query_bench(
        "form_fu1_pdf",
        "document",
        lambda: _get(client, url),
        floor,
        app_numbers,
        floor(),
        rows=len(app_numbers),
        opts=opts,
        subject=f"{s.inspection} ({len(pdf) // 1024} KB)",
        base=_base(client, "fu1_pdf", draw),
    )
    outcome.extra["bytes"] = len(pdf)
    return outcome


# The ledger export's rows and columns (employers.excel.export_columns) in one statement; the
# CSV floor turns codes into the same labels with the same dictionaries as the app.
LEDGER_FLOOR = """
SELECT e.name, e.credit_code, t.name, CASE WHEN e.region_id <> e.township_id THEN r.name ELSE '' END,
       e.region_id, e.address, e.legal_representative, e.phone, e.industry,
       coalesce(ic.code || ' ' || ic.name, ''),
       coalesce((SELECT string_agg(c.name, '、' ORDER BY c."order")
                   FROM employers_employer_hazard_categories ec
                   JOIN employers_hazardcategory c ON c.code = ec.hazardcategory_id
                  WHERE ec.employer_id = e.id), ''),
       coalesce((SELECT string_agg(f.name, '、' ORDER BY c."order", f.name)
                   FROM employers_employer_hazard_factors ef
                   JOIN employers_hazardfactor f ON f.id = ef.hazardfactor_id
                   JOIN employers_hazardcategory c ON c.code = f.category_id
                  WHERE ef.employer_id = e.id), ''),
       e.radiation_work, e.construction_project, e.workers, e.exposed_workers, e.status,
       e.closed_reason, e.serious_hazard, e.declaration_date, e.declaration_receipt, e.registered,
       e.missing_fields, e.is_key, e.declaration_date IS NULL OR e.declaration_date < %(cutoff)s,
       e.last_inspected_on, to_char(e.updated_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI')
FROM employers_employer e
JOIN regions_region t ON t.code = e.township_id
JOIN regions_region r ON r.code = e.region_id
LEFT JOIN employers_industrycode ic ON ic.code = e.industry_code_id
WHERE e.region_id LIKE %(like)s AND e.status <> 'closed'
ORDER BY e.township_id, e.name_key, e.id
"""


def _ledger_csv(rows: list[tuple[Any, ...]]) -> Callable[[], tuple[Any, str]]:
    """The CSV floor of a ledger export: the same rows and columns, Python's csv module, into a
    temporary file sent by FileResponse (as the app sends its .xlsx)."""
    import csv
    import tempfile

    from xieguan.employers.actions import missing_labels
    from xieguan.employers.excel import export_columns, short_village
    from xieguan.employers.models import Industry, OperatingStatus

    industry = {k: str(v) for k, v in Industry.choices}
    status = {k: str(v) for k, v in OperatingStatus.choices}
    headers = [c.header for c in export_columns()]

    def yes(value: bool) -> str:
        return "是" if value else "否"

    def render() -> tuple[Any, str]:
        target = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - FileResponse closes it
        text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        out = csv.writer(text)
        out.writerow(headers)
        for r in rows:
            out.writerow(
                (
                    *r[:3],
                    short_village(r[3]) if r[3] else "",
                    *r[4:8],
                    industry.get(r[8], ""),
                    r[9],
                    r[10],
                    r[11],
                    yes(r[12]),
                    yes(r[13]),
                    r[14],
                    r[15],
                    status.get(r[16], ""),
                    r[17],
                    yes(r[18]),
                    r[19],
                    r[20],
                    yes(r[21]),
                    "、".join(missing_labels(r[22])),
                    yes(r[23]),
                    yes(r[24]),
                    r[25],
                    r[26],
                )
            )
        text.detach()
        target.seek(0)
        return target, "text/csv; charset=utf-8"

    return render


def _ledger_export(name: str, code: str, opts: Options) -> Outcome:
    """The .xlsx ledger of ``code`` as its admin downloads it, streamed; peak Python memory
    while it is made. Floor: the same rows and columns as CSV (``_ledger_csv``)."""
    from django.conf import settings
    from openpyxl import load_workbook

    from xieguan.employers.ledger import declaration_cutoff

    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{code}")
    client = _client(user)
    url = _url("employers:export")
    data = _get(client, url)
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    header = None
    names: list[str] = []
    for row in sheet.iter_rows(values_only=True):
        if header is None:
            if row and "用人单位名称" in row:
                header = list(row).index("用人单位名称")
            continue
        if row[header]:
            names.append(str(row[header]))
    params = {"like": code + "%", "cutoff": declaration_cutoff(code), "tz": settings.TIME_ZONE}

    def floor() -> list[tuple[Any, ...]]:
        return fetch(LEDGER_FLOOR, params)  # type: ignore[arg-type]

    floor_rows = floor()
    outcome = _query_bench(
        name,
        "export",
        lambda: _get(client, url),
        floor,
        names,
        [str(r[0]) for r in floor_rows],
        rows=len(floor_rows),
        opts=Options(repeat=max(3, opts.repeat // 3), warmup=1),
        subject=f"{code}: {len(floor_rows)} employers, {len(data) // 1024} KB",
        base=_base(client, name, _ledger_csv(floor_rows)),
    )
    outcome.peak_mb = peak_memory_mb(lambda: _get(client, url))
    outcome.extra["bytes"] = len(data)
    return outcome


def ledger_export_county(s: Subjects, opts: Options) -> Outcome:
    """The .xlsx ledger of the largest county (its admin, no filter)."""
    return _ledger_export("ledger_export_county", s.county, opts)


def ledger_export_province(s: Subjects, opts: Options) -> Outcome:
    """The .xlsx ledger of the whole province (the province admin, no filter)."""
    return _ledger_export("ledger_export_province", s.province, Options(repeat=3, warmup=1))


# 附表2's rows and columns from one statement: place and items checked, the findings with their
# notes, the date, the inspector, and each lead's handling (reported to whom and when, 协查, closed).
REGISTER_FLOOR = """
SELECT i.employer_name, i.address,
       (SELECT string_agg(c.wording, '、' ORDER BY c.number) FROM inspections_inspectionanswer a
          JOIN inspections_checklistitem c ON c.id = a.item_id
         WHERE a.inspection_id = i.id AND a.answer <> 'na'),
       coalesce((SELECT string_agg(c.wording || '：' || a.answer || ' ' || a.note, E'\\n' ORDER BY c.number)
                   FROM inspections_inspectionanswer a JOIN inspections_checklistitem c ON c.id = a.item_id
                  WHERE a.inspection_id = i.id AND a.is_finding), '未发现问题'),
       to_char(i.inspected_at AT TIME ZONE %s, 'YYYY-MM-DD'),
       u.full_name,
       (SELECT string_agg(concat_ws('；', g.name, to_char(l.reported_at, 'YYYY-MM-DD'), l.officer_action,
                                   l.handling, l.status, to_char(l.closed_at, 'YYYY-MM-DD'),
                                   (SELECT string_agg(r.status || to_char(r.requested_at, 'YYYY-MM-DD'), '；')
                                      FROM leads_assistrequest r WHERE r.lead_id = l.id)),
                         E'\\n' ORDER BY l.discovered_at, l.id)
          FROM leads_lead l LEFT JOIN accounts_agency g ON g.id = l.reported_to_agency_id
         WHERE l.inspection_id = i.id)
FROM inspections_inspection i JOIN accounts_user u ON u.id = i.assistant_id
WHERE i.assistant_id = %s AND i.status = 'submitted' AND i.inspected_at >= %s AND i.inspected_at < %s
ORDER BY i.inspected_at, i.id
"""


def _rows_csv(headers: list[str], rows: list[tuple[Any, ...]]) -> Callable[[], tuple[Any, str]]:
    """The rows as CSV (Python's csv module) into a temporary file sent by FileResponse."""
    import csv
    import tempfile

    def render() -> tuple[Any, str]:
        target = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - FileResponse closes it
        text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        out = csv.writer(text)
        out.writerow(headers)
        out.writerows(rows)
        text.detach()
        target.seek(0)
        return target, "text/csv; charset=utf-8"

    return render


def register_fu2(s: Subjects, opts: Options) -> Outcome:
    """附表2 (.xlsx) of the busiest assistant-year, as their county admin downloads it."""
    from django.conf import settings
    from openpyxl import load_workbook

    user = User.objects.get(username=f"{USERNAME_PREFIX}admin_{s.register_assistant.region_id[:6]}")
    client = _client(user)
    year = s.register_year
    url = _url("indicators:register_file", "xlsx") + f"?assistant={s.register_assistant.pk}&year={year}"
    data = _get(client, url)
    dates: list[str] = []
    column = None
    for row in load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if column is None:
            column = cells.index("巡查日期") if "巡查日期" in cells else None
            continue
        if column < len(cells) and cells[column][:4].isdigit():
            dates.append(cells[column][:10])
    params = [
        settings.TIME_ZONE,
        s.register_assistant.pk,
        _midnight(dt.date(year, 1, 1)),
        _midnight(dt.date(year + 1, 1, 1)),
    ]

    def floor() -> list[tuple[Any, ...]]:
        return fetch(REGISTER_FLOOR, params)

    floor_rows = floor()
    headers = ["用人单位", "地址", "巡查内容", "发现的主要问题", "巡查日期", "巡查人", "备注"]
    outcome = _query_bench(
        "register_fu2",
        "export",
        lambda: _get(client, url),
        floor,
        dates,
        [row[4] for row in floor_rows],
        rows=len(floor_rows),
        opts=Options(repeat=max(3, opts.repeat // 3), warmup=1),
        subject=f"{s.register_assistant.username} {year}: {len(floor_rows)} inspections",
        base=_base(client, "register_fu2", _rows_csv(headers, floor_rows)),
    )
    outcome.peak_mb = peak_memory_mb(lambda: _get(client, url))
    outcome.extra["bytes"] = len(data)
    return outcome


# --- inspection_submit: a real server, 1 and 8 clients ----------------------------------------


def _signature_data_url() -> str:
    import base64

    from django.core.files.storage import default_storage

    with default_storage.open("signatures/gendata/signature-00.png", "rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode()


def inspection_submit(s: Subjects, opts: Options) -> Outcome:
    """Submissions per second through POST /api/v1/inspections/submit, against the floor: the
    same server answering one INSERT of the same body, with 1 and with 8 concurrent clients."""
    import json
    import uuid
    from pathlib import Path

    from django.conf import settings
    from django.db import transaction
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from xieguan.benchmarks import server
    from xieguan.benchmarks.server_urls import FLOOR_TABLE
    from xieguan.employers.models import Employer
    from xieguan.inspections.models import ChecklistTemplate

    url = "/api/v1/inspections/submit"
    try:
        resolve(url)
    except Resolver404 as exc:
        raise NotAvailable("提交巡查的 API 尚未合入") from exc
    template = ChecklistTemplate.active(PROVINCE)
    if template is None:
        raise NotAvailable("没有启用的巡查表模板")
    items = list(template.items.order_by("number"))
    # Eight assistants of eight townships, each with the operating employers of their township.
    townships = [
        code
        for (code,) in fetch(
            "SELECT township_id FROM employers_employer WHERE region_id LIKE %s AND status = 'operating' "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 8",
            [s.province + "%"],
        )
    ]
    people = []
    for code in townships:
        user = (
            User.objects.filter(region_id=code, role="assistant", is_active=True).order_by("username").first()
        )
        employers = list(Employer.objects.filter(township_id=code, status="operating").order_by("pk")[:40])
        if user is not None and employers:
            people.append((user, employers))
    signature = _signature_data_url()
    cookies = []
    for user, _ in people:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        token = uuid.uuid4().hex  # a CSRF secret of our own: cookie and header agree
        cookies.append(
            {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}",
                "X-CSRFToken": token,
                "Content-Type": "application/json",
            }
        )
    made: list[str] = []

    def body(client: int, n: int) -> bytes:
        _, employers = people[client % len(people)]
        e = employers[n % len(employers)]
        finding = n % 4 == 3  # one submission in four reports a missing declaration (item 1 无)
        answers = []
        for item in items:
            if item.kind == "document":
                answer = (
                    "na"
                    if item.na_rule == "no_construction_project" and not e.construction_project
                    else "yes"
                )
                if item.number == 1 and finding:
                    answer = "no"
            else:
                answer = "no"
            answers.append(
                {
                    "number": item.number,
                    "answer": answer,
                    "note": "未申报" if answer == "no" and item.number == 1 else "",
                }
            )
        inspection_id = str(uuid.uuid4())
        made.append(inspection_id)
        payload = {
            "id": inspection_id,
            "employer_id": e.pk,
            "template_id": template.pk,
            "employer_name": e.name,
            "address": e.address,
            "legal_representative": e.legal_representative,
            "phone": e.phone,
            "inspected_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
            "accompanying_person": "基准测试",
            "answers": answers,
            "companion_signature": signature,
            "assistant_signature": signature,
            "latitude": "26.5",
            "longitude": "106.7",
            "accuracy_m": 12.0,
        }
        return json.dumps(payload, ensure_ascii=False).encode()

    log = Path(settings.VAR_DIR) / "bench" / "server.log"
    results: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id bigserial PRIMARY KEY, body text NOT NULL)"
        )
    try:
        with server.server_process(log) as port:

            def send(path: str) -> Any:
                def one(client: int, n: int) -> str | None:
                    status, content = server.post(port, path, body(client, n), cookies[client % len(cookies)])
                    return None if status in (200, 201) else f"{status} {content[:200]!r}"

                return one

            for clients, per_client in ((1, opts.submit_requests), (8, max(4, opts.submit_requests // 4))):
                for path in (url, "/bench/floor/"):  # warm-up
                    warm = server.run_clients(1, 3, send(path))
                    if warm.failures:
                        raise Mismatch(f"{path}: {warm.failures[0]}")
                app = server.run_clients(clients, per_client, send(url))
                floor = server.run_clients(clients, per_client, send("/bench/floor/"))
                if app.failures or floor.failures:
                    raise Mismatch(f"failures: {(app.failures + floor.failures)[:2]}")
                results[f"c{clients}"] = (app, floor)
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        _remove_submissions(made)
    one_app, one_floor = results["c1"]
    eight_app, eight_floor = results["c8"]
    return Outcome(
        "inspection_submit",
        "throughput",
        per_s=one_app.per_s,
        floor_per_s=one_floor.per_s,
        ratio=round(one_app.per_s / one_floor.per_s, 2) if one_floor.per_s else None,
        rows=one_app.requests + eight_app.requests,
        subject=f"{len(people)} assistants, gunicorn ({server.WORKERS} workers) on 127.0.0.1",
        extra={
            "per_s_8": eight_app.per_s,
            "floor_per_s_8": eight_floor.per_s,
            "ratio_8": round(eight_app.per_s / eight_floor.per_s, 2) if eight_floor.per_s else None,
        },
    )


def _remove_submissions(ids: list[str]) -> None:
    """Take the benchmark's submissions out again (with their answers, leads, files), so runs
    do not grow the data set; employers' 最近巡查日期 recomputed as the inspections app keeps it."""
    from django.core.files.storage import default_storage
    from django.db import transaction

    from xieguan.inspections.models import Inspection

    if not ids:
        return
    with transaction.atomic():
        found = list(
            Inspection.objects.filter(pk__in=ids).values_list(
                "employer_id", "companion_signature", "assistant_signature"
            )
        )
        submitters = set(Inspection.objects.filter(pk__in=ids).values_list("assistant_id", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM leads_leadevent WHERE lead_id IN "
                "(SELECT id FROM leads_lead WHERE inspection_id = ANY(%s))",
                [ids],
            )
            cursor.execute("DELETE FROM leads_lead WHERE inspection_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM inspections_inspectionphoto WHERE inspection_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM inspections_inspectionanswer WHERE inspection_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM inspections_inspection WHERE id = ANY(%s)", [ids])
        # 最近巡查日期 and the inspected half-years as they were before the bench's submissions
        patrol.refresh({employer for employer, _, _ in found})
        patrol.refresh_assistants(submitters)  # and the assistants' half-year counts (AssistantHalf)
    for _, *files in found:
        for name in files:
            if name and default_storage.exists(name):
                default_storage.delete(name)


# --- the registry -------------------------------------------------------------------------------

BENCHES: dict[str, Bench] = {
    "page_overhead": page_overhead,
    "province_indicators": province_indicators,
    "county_indicators": county_indicators,
    "township_drilldown": township_drilldown,
    "worklist_assistant": worklist_assistant,
    "ledger_export_county": ledger_export_county,
    "ledger_export_province": ledger_export_province,
    "register_fu2": register_fu2,
    "form_fu1_pdf": form_fu1_pdf,
    "inspection_submit": inspection_submit,
}
