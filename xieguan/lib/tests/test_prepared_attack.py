"""Attacks on statements compiled once (lib.prepared, helper atk16): a value derived by cutting
a string, an inactive user, a value that is None, values a pattern escapes, dates at the ends of
the calendar, and threads: the rows are always those of a fresh compile of the same build."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.test.utils import override_settings

from xieguan.accounts.models import Role, User
from xieguan.employers.models import Employer
from xieguan.lib.prepared import Prepared
from xieguan.lib.testing import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, EmployerFactory, UserFactory
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db

UNCHECKED = override_settings(XIEGUAN_CHECK_PREPARED=False)  # what production runs


def _codes(rows: list[Any]) -> list[str]:
    return sorted(r.code if isinstance(r, Region) else str(r.pk) for r in rows)


def test_a_value_cut_from_a_string_is_refused(regions):
    """``user.region_id[:4]`` (the user's prefecture) is derived inside the build: compiled with
    the sentinels it would bind the user's whole code where the prefecture's belongs (a county
    user would see their county instead of their prefecture). Refused before any use."""
    user = UserFactory.create(username="xg_cut", role=Role.COUNTY_ADMIN, region_id=COUNTY)
    for cut in (2, 4, 6, 9, 12):
        prepared = Prepared(
            Region,
            lambda user, cut=cut: Region.objects.filter(code__startswith=user.region_id[:cut]).order_by(
                "code"
            ),
        )
        with UNCHECKED, pytest.raises(TypeError, match="beyond binding"):
            prepared.list(user=user)
    prepared = Prepared(
        Region, lambda code: Region.objects.filter(code__startswith=code[:4]).order_by("code")
    )
    with UNCHECKED, pytest.raises(TypeError, match="beyond binding"):
        prepared.list(code=COUNTY)


def test_an_inactive_user_sees_nothing(regions):
    """``visible_to`` gives nothing to an inactive account; the statement compiled for an active
    one of the same role must not be bound to it."""
    EmployerFactory.create(region_id=TOWNSHIP)
    prepared = Prepared(Employer, lambda user: Employer.objects.visible_to(user).order_by("pk"))
    active = UserFactory.create(username="xg_active", role=Role.COUNTY_ADMIN, region_id=COUNTY)
    gone = UserFactory.create(username="xg_gone", role=Role.COUNTY_ADMIN, region_id=COUNTY, is_active=False)
    with UNCHECKED:
        assert len(prepared.list(user=active)) == 1
        assert prepared.list(user=gone) == list(Employer.objects.visible_to(gone)) == []
        assert len(prepared.list(user=active)) == 1
    with UNCHECKED:  # compiled first for the inactive one
        again = Prepared(Employer, lambda user: Employer.objects.visible_to(user).order_by("pk"))
        assert again.list(user=gone) == []
        assert len(again.list(user=active)) == 1


def test_a_none_value_is_compiled_afresh(regions):
    """``filter(parent_id=None)`` is ``IS NULL`` (another statement than ``= %s``): a user without
    a region gets what a fresh compile gives, not ``= NULL`` (no rows)."""
    prepared = Prepared(Region, lambda user: Region.objects.filter(parent_id=user.region_id).order_by("code"))
    placed = UserFactory.create(username="xg_placed", role=Role.COUNTY_ADMIN, region_id=COUNTY)
    nowhere = User(username="xg_nowhere", role=Role.COUNTY_ADMIN, is_active=True)  # no region
    with UNCHECKED:
        assert _codes(prepared.list(user=placed)) == _codes(list(prepared.build(user=placed)))
        assert _codes(prepared.list(user=nowhere)) == _codes(list(prepared.build(user=nowhere))) != []


@pytest.mark.parametrize(
    "code",
    [
        "52%",
        "52_",
        "5202\\",
        "5202'",
        '5202"',
        "",
        "5" * 5000,
        "Q1X",
        "Q2Z",
        "1X",
        "Q1",
        "５２",
        "52\u0000"[:2],
    ],
)
def test_hostile_codes_give_the_rows_of_a_fresh_compile(regions, code):
    prepared = Prepared(Region, lambda code: Region.objects.within(code).order_by("code"))
    prepared.list(code="5202")  # compiled with a plain code first
    with UNCHECKED:
        assert _codes(prepared.list(code=code)) == _codes(list(Region.objects.within(code)))


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1111, 1, 2), dt.date(1899, 12, 31), dt.date(9999, 12, 31)]
)
def test_dates_at_the_ends_of_the_calendar(regions, day):
    EmployerFactory.create(region_id=TOWNSHIP, last_inspected_on=dt.date(2024, 5, 1))
    prepared = Prepared(
        Employer, lambda user, start: Employer.objects.visible_to(user).filter(last_inspected_on__lt=start)
    )
    user = UserFactory.create(username="xg_days", role=Role.COUNTY_ADMIN, region_id=COUNTY)
    prepared.list(user=user, start=dt.date(2025, 1, 1))
    assert prepared.list(user=user, start=day) == list(prepared.build(user=user, start=day))


def test_users_of_one_role_in_regions_of_every_length_and_moved(regions):
    """One statement per role, bound to each user's code (2 to 12 digits); a user moved to
    another region is bound to the new one on the next call."""
    here = EmployerFactory.create(region_id=TOWNSHIP + "001")
    there = EmployerFactory.create(region_id=OTHER_TOWNSHIP)
    prepared = Prepared(Employer, lambda user: Employer.objects.visible_to(user).order_by("pk"))
    user = UserFactory.create(username="xg_mover", role=Role.COUNTY_ADMIN, region_id=COUNTY)
    for code, expected in [
        ("52", {here.pk, there.pk}),
        ("5202", {here.pk, there.pk}),
        (COUNTY, {here.pk}),
        (TOWNSHIP, {here.pk}),
        (TOWNSHIP + "001", {here.pk}),
        (OTHER_TOWNSHIP, {there.pk}),
    ]:
        user.region_id = code
        user.save(update_fields=["region"])
        assert {e.pk for e in prepared.list(user=User.objects.get(pk=user.pk))} == expected, code


def test_threads_binding_different_users_never_exchange_statements(regions):
    """Threads share one Prepared (a plan cache of two shapes, cleared again and again) and each
    binds its own user and code: each gets its own parameters, as a fresh compile gives them."""
    prepared: Prepared[Any] = Prepared(
        Employer, lambda n, user: Employer.objects.visible_to(user).filter(workers__gte=n).order_by("pk")
    )
    prepared.MAX_PLANS = 2
    codes = ["52", "5202", COUNTY, TOWNSHIP, TOWNSHIP + "001", OTHER_TOWNSHIP]
    users = [
        User(pk=1000 + i, username=f"t{i}", role=Role.COUNTY_ADMIN, region_id=c, is_active=True)
        for i, c in enumerate(codes)
    ]
    failures: list[Any] = []

    def work(user: User) -> None:
        for n in range(60):
            bound = prepared.statement(n % 5, user=user)
            fresh = prepared.build(n % 5, user=user).query.get_compiler(using="default").as_sql()
            if bound is None or bound[0] != fresh[0] or list(bound[1]) != list(fresh[1]):
                failures.append((user.region_id, bound, fresh))

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_assistants_with_and_without_villages_share_the_statement_not_the_rows(personas):
    """乡聘村用: an assistant placed on a village sees that village's due employers only, one of
    the same township without villages all of them, whichever compiled the statement first."""
    from xieguan.inspections.worklist import DUE, half_year_start

    first = EmployerFactory.create(name="一村厂", region_id=TOWNSHIP + "001")
    second = EmployerFactory.create(name="二村厂", region_id=TOWNSHIP + "002")
    placed = personas.xieguan
    placed.villages.set([TOWNSHIP + "001"])
    free = UserFactory.create(username="xg_free", role=Role.ASSISTANT, region_id=TOWNSHIP)
    start = half_year_start()
    for user, expected in [(placed, {first.pk}), (free, {first.pk, second.pk}), (placed, {first.pk})]:
        with UNCHECKED:
            rows, total = DUE(user=user, start=start)
        assert {e.pk for e in rows} == expected and total == len(expected), user
    rows, _ = DUE(user=free, start=start)  # and with the check on, as every test
    assert {e.pk for e in rows} == {first.pk, second.pk}


def test_the_suites_check_is_on_and_catches_a_wrong_binding(regions, settings):
    """The suite runs with the check on (conftest), and the check fails on a statement whose
    region is bound in the wrong place (the pattern's ``%`` lost: one region instead of its
    subtree), where production would return too few rows."""
    from dataclasses import replace

    from xieguan.lib.prepared import PreparedMismatch

    assert settings.XIEGUAN_CHECK_PREPARED
    prepared = Prepared(Region, lambda code: Region.objects.within(code).order_by("code"))
    prepared.list(code="5202")
    [plan] = prepared._plans.values()
    assert plan is not None
    plan.slots = [replace(s, suffix="") if s.embedded else s for s in plan.slots]
    with UNCHECKED:
        assert _codes(prepared.list(code="5202")) == ["5202"]  # the wrong rows, unchecked
    with pytest.raises(PreparedMismatch):
        prepared.list(code="5202")
