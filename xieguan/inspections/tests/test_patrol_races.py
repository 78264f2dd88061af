"""Repairs of the patrol summaries while assistants keep submitting (``manage.py checkindicators
--fix``, and the amendment's recount): nothing counted twice, nothing written away."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from xieguan.employers.models import Employer
from xieguan.inspections import actions, patrol
from xieguan.inspections.models import AssistantHalf, Inspection, InspectionStatus
from xieguan.inspections.tests.factories import payload
from xieguan.lib.testing import while_uncommitted

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_repair_counts_again_instead_of_writing_stale_differences(personas, fubiao1, employer):
    """The differences were found, then one more inspection was submitted before the repair ran:
    the repair stores what the inspections say now (2), not what the check saw (1)."""
    actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, inspected_at=local(2025, 3, 5)))
    AssistantHalf.objects.all().delete()
    found = patrol.assistant_differences()
    assert [(d.stored, d.live) for d in found] == [(0, 1)]
    actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, inspected_at=local(2025, 4, 5)))
    patrol.fix_assistants(found)
    assert list(AssistantHalf.objects.values_list("half", "inspections")) == [(10, 2)]
    assert patrol.assistant_differences() == []


@pytest.mark.django_db(transaction=True)
def test_an_employer_recount_waits_for_a_submission_in_progress(personas, fubiao1, employer):
    """A submission is committing in another session (its inspection and its employer's half-year
    bit written, not committed) while the employer is recounted (an amendment, or --fix): the
    recount waits for it and keeps its bit. Reading first and writing after would have written
    the bit away. The race needs two writers at once (PostgreSQL); on SQLite the test checks
    that the recount is one transaction that reads the employers before the inspections."""
    draft = actions.save_draft(personas.xieguan, payload(employer, fubiao1, inspected_at=local(2025, 9, 5)))
    Employer.objects.filter(pk=employer.pk).update(last_inspected_on=dt.date(2020, 1, 1))  # stale

    # On every database: one transaction, the employers read (and locked) before the inspections
    seen: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        patrol.refresh([employer.pk])
    assert all(atomic for sql, atomic in seen if not sql.startswith("BEGIN")), seen  # SQLite: BEGIN IMMEDIATE
    reads = [sql for sql, _ in seen if sql.lstrip().upper().startswith("SELECT")]
    assert Employer._meta.db_table in reads[0].split("FROM", 1)[1] and Inspection._meta.db_table in reads[1]
    if connection.vendor != "postgresql":
        return  # SQLite lets one writer in at a time: the race below cannot happen there
    assert "FOR UPDATE" in reads[0]

    Employer.objects.filter(pk=employer.pk).update(last_inspected_on=dt.date(2020, 1, 1))  # stale again
    submission = [  # up to its commit
        (
            f"UPDATE {Inspection._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608
            [InspectionStatus.SUBMITTED, draft.pk],
        ),
        (
            f"UPDATE {Employer._meta.db_table} SET inspected_halves = inspected_halves | %s, "  # noqa: S608
            "last_inspected_on = %s WHERE id = %s",
            [patrol.bit_of(dt.date(2025, 9, 5)), dt.date(2025, 9, 5), employer.pk],
        ),
    ]
    race = while_uncommitted(submission, lambda: patrol.refresh([employer.pk]), settle=0.5)
    assert race.waited, "the recount should wait for the submission's lock"
    assert not race.errors, race.errors
    stored = Employer.objects.values_list("inspected_halves", "last_inspected_on").get(pk=employer.pk)
    assert stored == (patrol.bit_of(dt.date(2025, 9, 5)), dt.date(2025, 9, 5))
    assert patrol.employer_differences(Employer.objects.filter(pk=employer.pk)) == []


@pytest.mark.django_db(transaction=True)
def test_checkindicators_compares_one_snapshot(personas, fubiao1, employer):
    """The stored summaries and the inspections are read in one transaction (REPEATABLE READ on
    PostgreSQL): a submission committed between the two reads is not reported as a difference."""
    from io import StringIO

    from django.core.management import call_command

    actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, inspected_at=local(2025, 3, 5)))
    seen: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    out = StringIO()
    with connection.execute_wrapper(record):
        call_command("checkindicators", stdout=out)
    assert "一致" in out.getvalue()
    summaries = [
        i
        for i, (sql, _) in enumerate(seen)
        if AssistantHalf._meta.db_table in sql or "inspected_halves" in sql
    ]
    assert summaries and all(seen[i][1] for i in summaries)
    if connection.vendor == "postgresql":
        isolation = next(i for i, (sql, _) in enumerate(seen) if "REPEATABLE READ" in sql)
        assert isolation < min(summaries)
