"""Statements compiled once per process (lib.prepared): the cached statement bound to a user's
values is the statement a fresh compile gives, for several users and regions, and the rows are
the same; region scoping stays ``visible_to``'s."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from xieguan.employers.models import Employer
from xieguan.employers.worklist import PENDING
from xieguan.inspections.worklist import DRAFTS, DUE, half_year_start
from xieguan.leads.tests.factories import make_lead
from xieguan.leads.worklist import ASSISTS, UNREPORTED
from xieguan.lib.prepared import Prepared, PreparedMismatch
from xieguan.lib.testing import OTHER_TOWNSHIP, TOWNSHIP, EmployerFactory, UserFactory
from xieguan.personnel import rules
from xieguan.personnel.worklist import OWN_TERM
from xieguan.regions.models import Region
from xieguan.tasks.worklist import ASSIGNED

pytestmark = pytest.mark.django_db


def _values(name: str, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    if name == "DUE":
        return {"user": user, "start": half_year_start(today)}
    if name == "OWN_TERM":
        return {"user": user, "today": today, "horizon": today + dt.timedelta(days=rules.TERM_NOTICE_DAYS)}
    return {"user": user}


STATEMENTS: dict[str, Prepared[Any]] = {
    "DUE": DUE.prepared,
    "DRAFTS": DRAFTS,
    "PENDING": PENDING.prepared,
    "UNREPORTED": UNREPORTED.prepared,
    "ASSISTS": ASSISTS.prepared,
    "ASSIGNED": ASSIGNED.prepared,
    "OWN_TERM": OWN_TERM,
}


def _fresh(prepared: Prepared[Any], values: dict[str, Any]) -> tuple[str, list[Any]]:
    sql, params = prepared.build(**values).query.get_compiler(using="default").as_sql()
    return sql, list(params)


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_cached_statement_equals_a_fresh_compile_for_several_users(name, personas):
    prepared = STATEMENTS[name]
    another = UserFactory.create(username="xg_other", role=personas.xieguan.role, region_id=TOWNSHIP + "002")
    users = [personas.xieguan, personas.xieguan2, another, personas.panzhou, personas.liuzhi]
    for user in users:
        values = _values(name, user)
        bound = prepared.statement(**values)
        assert bound is not None
        sql, params = bound
        assert (sql, list(params)) == _fresh(prepared, values), (name, user)
        assert [type(p) for p in params] == [type(p) for p in _fresh(prepared, values)[1]]
        # the user's own region is a parameter of the statement (scoping by visible_to)
        assert user.region_id + "%" in params


def test_rows_are_those_of_the_queryset_and_stay_in_the_users_region(personas):
    here = make_lead(personas, place="柏果镇的厂", employer=None)
    there_employer = EmployerFactory.create(region_id=OTHER_TOWNSHIP + "001", registered=False)
    make_lead(personas, employer=there_employer, discovered_by=personas.xieguan2)
    EmployerFactory.create(registered=False)  # in 柏果镇
    for user in (personas.xieguan, personas.xieguan2, personas.panzhou, personas.liuzhi):
        for name, prepared in STATEMENTS.items():
            values = _values(name, user)
            assert prepared.list(**values) == list(prepared.build(**values)), (name, user)
        rows = UNREPORTED.prepared.list(user=user)
        assert all(lead.region_id.startswith(user.region_id) for lead in rows)
    assert [lead.pk for (lead,) in [UNREPORTED(user=personas.xieguan)[0]]] == [here.pk]
    assert UNREPORTED(user=personas.xieguan)[1] == 1
    assert UNREPORTED(user=personas.xieguan2)[1] == 1
    assert PENDING(user=personas.xieguan)[1] == 1 and PENDING(user=personas.liuzhi)[1] == 1


def test_related_objects_and_annotations_come_with_the_rows(personas):
    employer = EmployerFactory.create(name="柏果煤矿", registered=False)
    rows, total = PENDING(user=personas.xieguan)
    assert total == 1 and rows[0] == employer
    assert rows[0].region.name  # select_related: no further query
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        PENDING(user=personas.xieguan)[0][0].region.name  # noqa: B018
    assert len(queries) == 1


def test_a_value_derived_inside_the_build_is_refused(regions):
    """``day + 1`` computed from a sentinel would be compiled in as a constant: the second set of
    sentinels shows it, and the statement is refused before it is used."""
    prepared = Prepared(
        Employer, lambda day: Employer.objects.filter(closed_on__gte=day + dt.timedelta(days=1))
    )
    with pytest.raises(TypeError, match="beyond binding"):
        prepared.list(day=dt.date(2025, 3, 1))


def test_a_build_reading_anything_but_its_values_is_caught_by_the_check(regions):
    """A build that reads the clock itself compiles today's date into the statement; the check
    (on in the test suite) fails on the next day instead of returning yesterday's rows."""
    prepared = Prepared(
        Employer, lambda user: Employer.objects.visible_to(user).filter(closed_on__gte=timezone.localdate())
    )
    user = UserFactory.create(username="xg_clock", region_id=TOWNSHIP)
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        prepared.list(user=user)
    with (
        time_machine.travel(dt.datetime(2025, 3, 2, 12, tzinfo=dt.UTC), tick=False),
        override_settings(XIEGUAN_CHECK_PREPARED=True),
        pytest.raises(PreparedMismatch),
    ):
        prepared.list(user=user)


def test_values_a_pattern_would_escape_are_compiled_afresh(regions):
    prepared = Prepared(Region, lambda code: Region.objects.filter(code__startswith=code).order_by("code"))
    assert prepared.statement(code="520281") is not None
    assert prepared.statement(code="5202_") is None  # "_" is a LIKE wildcard: escaped by Django
    assert prepared.list(code="5202_") == [] == list(Region.objects.filter(code__startswith="5202_"))
    assert [r.code for r in prepared.list(code="52028111700")] == [
        r.code for r in Region.objects.filter(code__startswith="52028111700").order_by("code")
    ]


@override_settings(XIEGUAN_CHECK_PREPARED=False)  # the check's fresh compile sends no statement
def test_an_empty_region_code_sees_nothing_as_visible_to_says(personas):
    """``scope_code`` gives an account whose region code is empty no access; the cached statement
    must not bind "" into its ``LIKE '…%'`` (which matches every row): such a value is compiled
    afresh, and ``visible_to`` answers."""
    from xieguan.accounts.models import User
    from xieguan.inspections.api import VISIBLE_EMPLOYER

    there = EmployerFactory.create(region_id=OTHER_TOWNSHIP + "001")
    assert VISIBLE_EMPLOYER.list(
        user=personas.xieguan2, pk=there.pk, inspection=uuid.uuid4(), template=0
    ) == [there]
    nowhere = User(pk=personas.xieguan2.pk, role=personas.xieguan2.role, region_id="", is_active=True)
    assert not Employer.objects.visible_to(nowhere).exists()
    assert VISIBLE_EMPLOYER.statement(user=nowhere, pk=there.pk, inspection=uuid.uuid4(), template=0) is None
    assert VISIBLE_EMPLOYER.list(user=nowhere, pk=there.pk, inspection=uuid.uuid4(), template=0) == []


def test_a_value_compiled_into_the_sql_text_is_refused(regions):
    from django.db.models.expressions import RawSQL

    prepared = Prepared(Region, lambda code: Region.objects.filter(code=RawSQL(f"'{code}'", [])))  # noqa: S611 (the test)
    with pytest.raises(TypeError, match="compiled into the SQL text"):
        prepared.list(code="520281")


def test_the_home_page_runs_the_same_statements_with_every_section_filled(client_for, personas):
    """Every assistant section with entries: the sections read only the columns their entries
    show, and showing them loads nothing more (10 statements: session, user, the region's path
    with the assistant's villages in one UNION ALL, seven sections)."""
    from django.test.utils import CaptureQueriesContext

    from xieguan.inspections import actions as inspection_actions
    from xieguan.inspections.tests.factories import load_templates, payload
    from xieguan.leads import actions as lead_actions
    from xieguan.leads.actions import State
    from xieguan.leads.tests.factories import lead_in
    from xieguan.personnel import actions as personnel_actions
    from xieguan.personnel.tests.factories import AssistantFactory, passed_pre_job
    from xieguan.tasks.tests.factories import issue

    today = timezone.localdate()
    employer = EmployerFactory.create(name="柏果煤矿", registered=False, missing_fields=["phone"])
    make_lead(personas, employer=employer)
    assist_lead = lead_in(State.ACKNOWLEDGED, personas, place="柏果镇的厂", employer=None)
    lead_actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, lead=assist_lead)
    issue(personas.panzhou, regions=[TOWNSHIP], title="排查建设项目")
    inspection_actions.save_draft(
        personas.xieguan, payload(employer, load_templates()["fubiao1"], {1: "yes"})
    )
    me = AssistantFactory.create(name="王芳", eligible=True, user=personas.xieguan)
    passed_pre_job(me)
    start = today - dt.timedelta(days=100)
    personnel_actions.appoint_assistant(
        me, start=start, end=today + dt.timedelta(days=10), document_no="1号", by=personas.panzhou
    )
    client = client_for("xieguan")
    client.get(reverse("accounts:home"))  # compiles
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("accounts:home")).content.decode()
    for shown in ("柏果煤矿", "缺：", "柏果镇的厂", "排查建设项目", "未提交的巡查草稿", "您的聘期即将到期"):
        assert shown in page, shown
    assert str(personas.jiandu) in page and str(personas.panzhou) in page  # who asked, who issued
    assert len(queries) == 10, [q["sql"][:80] for q in queries.captured_queries]


def test_the_session_user_statement_equals_a_fresh_compile(personas):
    from xieguan.accounts.backends import SESSION_USER, ModelBackend
    from xieguan.accounts.models import Notification

    Notification.objects.create(
        recipient=personas.xieguan, region_id=TOWNSHIP, kind="test", title="通知", key="t1"
    )
    for user in personas.all():
        bound = SESSION_USER.statement(user_id=user.pk)
        assert bound is not None
        assert (bound[0], list(bound[1])) == _fresh(SESSION_USER, {"user_id": user.pk})
        loaded: Any = ModelBackend().get_user(user.pk)
        assert loaded == user and loaded.region.code == user.region_id
        assert loaded.unread_notifications_count == (1 if user == personas.xieguan else 0)
    assert ModelBackend().get_user(-5) is None


def test_a_statement_django_would_not_send_is_left_to_django(regions):
    """An empty slice (a drill-down with nothing to list) compiles to no statement: no plan,
    the call goes to Django every time and gives what Django gives."""
    prepared = Prepared(
        Region, lambda bottom, top, *, code: Region.objects.within(code).order_by("code")[bottom:top]
    )
    assert prepared.statement(0, 0, code="520281") is None
    assert prepared.list(0, 0, code="520281") == []
    assert prepared.list(0, 2, code="520281") == list(Region.objects.within("520281").order_by("code")[:2])


def test_uuid_values_bind_like_a_fresh_compile(personas, employer_in_scope):
    """A UUID (the submission's pre-check, inspections.actions.STORED) is a value like the
    others: bound as the backend stores it (native, or its hex on SQLite)."""

    from xieguan.inspections.actions import STORED, _stored
    from xieguan.inspections.api import VISIBLE_EMPLOYER, visible_employer

    for pk, user in ((uuid.uuid4(), personas.xieguan), (uuid.uuid4(), personas.liuzhi)):
        values = {"user": user, "pk": pk}
        bound = STORED.statement(**values)
        assert bound is not None
        assert (bound[0], list(bound[1])) == _fresh(STORED, values)
        assert [type(p) for p in bound[1]] == [type(p) for p in _fresh(STORED, values)[1]]
        assert _stored(user, pk) is None
    for user in (personas.xieguan, personas.xieguan2, personas.panzhou, personas.liuzhi):
        values = {"user": user, "pk": employer_in_scope.pk, "inspection": uuid.uuid4(), "template": 7}
        bound = VISIBLE_EMPLOYER.statement(**values)
        assert bound is not None and (bound[0], list(bound[1])) == _fresh(VISIBLE_EMPLOYER, values)
    new_id = uuid.uuid4()
    found = visible_employer(personas.xieguan, employer_in_scope.pk, new_id)
    assert found == employer_in_scope and found.inspection_stored is False  # type: ignore[attr-defined]
    from django.http import Http404

    for missing in (employer_in_scope.pk + 1000, 2**63, -1):
        with pytest.raises(Http404):
            visible_employer(personas.xieguan, missing, new_id)
    there = EmployerFactory.create(region_id=OTHER_TOWNSHIP + "001")
    with pytest.raises(Http404):  # outside the assistant's township: as if it did not exist
        visible_employer(personas.xieguan, there.pk, new_id)
    assert visible_employer(personas.liuzhi, there.pk, new_id) == there


@pytest.fixture
def employer_in_scope(personas):
    return EmployerFactory.create()
