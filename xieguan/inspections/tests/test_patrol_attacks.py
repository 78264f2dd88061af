"""Attacks on the patrol summaries' repair (``patrol.fix_assistants``, the amendment's recount):
a half-year's first submission racing a recount of that very (account, half-year) row."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connections
from django.utils import timezone

from xieguan.employers.models import Employer
from xieguan.inspections import actions, patrol
from xieguan.inspections.models import AssistantHalf, Inspection, InspectionStatus
from xieguan.inspections.tests.factories import payload
from xieguan.lib.testing import EmployerFactory, while_uncommitted

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, tzinfo=SHANGHAI)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_amendment_into_a_new_half_year_keeps_a_racing_first_submission(personas, fubiao1, employer):
    """An assistant's amendment moves an inspection into a half-year with no AssistantHalf row yet
    while the same account's first submission of that half-year (another employer) is committing:
    the submission's upsert has inserted the row, not committed. The recount must neither fail nor
    write the submission's one away: 2 inspections in 2025 H2, 2 stored."""

    user = personas.xieguan
    march = payload(employer, fubiao1, inspected_at=local(2025, 3, 5))
    moved = actions.submit_inspection(user, march).inspection
    second = EmployerFactory.create(name="贵州盘州测试第二煤矿")
    draft = actions.save_draft(user, payload(second, fubiao1, inspected_at=local(2025, 9, 5)))
    h2 = patrol.half_index(dt.date(2025, 9, 5))
    assert h2 is not None
    assert not AssistantHalf.objects.filter(assistant=user, half=h2).exists()

    table = AssistantHalf._meta.db_table
    submission = [  # the draft's submission, up to its commit
        (
            f"UPDATE {Inspection._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608
            [InspectionStatus.SUBMITTED, draft.pk],
        ),
        (
            f"INSERT INTO {table} (assistant_id, half, inspections) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (assistant_id, half) DO UPDATE SET inspections = {table}.inspections + 1",
            [user.pk, h2],
        ),
    ]

    def amend() -> None:
        stored = Inspection.objects.get(pk=moved.pk)
        corrected = payload(employer, fubiao1, inspected_at=local(2025, 9, 20))
        actions.amend_inspection(stored, user, corrected, "日期填错")

    race = while_uncommitted(submission, amend)
    assert not race.errors, race.errors
    assert Inspection.objects.filter(assistant=user, status=InspectionStatus.SUBMITTED).count() == 2
    assert AssistantHalf.objects.get(assistant=user, half=h2).inspections == 2
    assert patrol.assistant_differences([user.pk]) == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_submissions_amendments_and_repairs_at_once_neither_deadlock_nor_drift(personas, fubiao1, employer):
    """One account submits (two employers, alternating half-years), its inspections are amended
    into other half-years, and ``checkindicators --fix``'s repair runs, all at once: no deadlock or
    other error, and afterwards nothing differs from the inspections."""
    from django.db import transaction

    user = personas.xieguan
    second = EmployerFactory.create(name="贵州盘州测试第二煤矿")
    months = [local(2025, 3, 5), local(2025, 9, 5), local(2026, 2, 5)]
    seeded = [
        actions.submit_inspection(user, payload(employer, fubiao1, inspected_at=months[0])).inspection.pk
        for _ in range(3)
    ]
    halves = [patrol.half_index(timezone.localdate(moment)) for moment in months]
    everything = [patrol.Difference("assistant_half", (user.pk, half), 0, 0) for half in halves]
    errors: list[BaseException] = []
    rounds = 6

    def submit() -> None:
        try:
            for n in range(rounds):
                target = employer if n % 2 else second
                actions.submit_inspection(user, payload(target, fubiao1, inspected_at=months[n % 3]))
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    def amend() -> None:
        try:
            for n in range(rounds):
                stored = Inspection.objects.get(pk=seeded[n % 3])
                corrected = payload(
                    employer, fubiao1, inspected_at=months[(n + 1) % 3] + dt.timedelta(hours=n)
                )
                actions.amend_inspection(stored, user, corrected, f"日期填错{n}")
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    def repair() -> None:
        try:
            for _ in range(rounds):
                with transaction.atomic():  # as checkindicators --fix, every row counted again
                    patrol.refresh([employer.pk, second.pk])
                    patrol.fix_assistants(everything)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for work in (submit, amend, repair)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not any(worker.is_alive() for worker in workers)
    assert not errors, errors
    assert patrol.assistant_differences([user.pk]) == []
    assert patrol.employer_differences(Employer.objects.filter(pk__in=[employer.pk, second.pk])) == []
