"""lib.sync.create_once: first time created, a repeat returns the stored row, a race's loser
(its insert fails on the unique constraint) returns the winner's row, someone else's UUID is
refused. Exercised on Complaint (any model with the named constraint behaves the same)."""

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.utils import timezone

from xieguan.leads import actions
from xieguan.leads.models import Complaint, ComplaintChannel, Lead
from xieguan.lib import sync
from xieguan.lib.testing import VILLAGE
from xieguan.regions.models import Region


def _record(personas, key, **kwargs):
    return actions.record_complaint(
        region=Region.objects.get(code=VILLAGE),
        recorded_by=kwargs.pop("by", personas.xieguan),
        channel=ComplaintChannel.PHONE,
        content=kwargs.pop("content", "夜间排放刺鼻气体"),
        place="大寨村石料厂",
        received_at=timezone.now() - dt.timedelta(minutes=5),
        client_uuid=key,
        **kwargs,
    )


@pytest.mark.django_db
def test_repeat_returns_the_stored_row_whatever_its_body(personas):
    key = uuid.uuid4()
    first = _record(personas, key)
    again = _record(personas, key, content="另一段内容")
    assert not sync.is_repeat(first) and sync.is_repeat(again)
    assert again.pk == first.pk and again.content == "夜间排放刺鼻气体"
    assert Complaint.objects.count() == 1 and Lead.objects.count() == 1


@pytest.mark.django_db
def test_someone_elses_uuid_is_taken(personas):
    key = uuid.uuid4()
    _record(personas, key)
    with pytest.raises(sync.UuidTaken):
        _record(personas, key, by=personas.panzhou)


@pytest.mark.django_db
def test_the_race_loser_returns_the_winners_row(personas, monkeypatch):
    """The twin committed between our look and our insert: the insert fails on the unique
    constraint inside the savepoint, and the winner's row is returned; nothing of ours stays."""
    key = uuid.uuid4()
    winner = _record(personas, key)
    real = sync.stored
    looks = {"n": 0}

    def stale_first_look(queryset, client_uuid, *, user, field="client_uuid"):
        looks["n"] += 1
        return None if looks["n"] == 1 else real(queryset, client_uuid, user=user, field=field)

    monkeypatch.setattr(sync, "stored", stale_first_look)
    loser = _record(personas, key, content="重发")
    assert looks["n"] == 2 and loser.pk == winner.pk and sync.is_repeat(loser)
    assert Complaint.objects.count() == 1 and Lead.objects.count() == 1  # the loser's lead rolled back


@pytest.mark.django_db
def test_another_integrity_error_is_not_a_repeat(personas):
    def create():
        raise IntegrityError("something else")

    with pytest.raises(IntegrityError):
        sync.create_once(
            Complaint.objects.all(), uuid.uuid4(), create, user=personas.xieguan, mine=lambda c: True
        )


@pytest.mark.django_db
def test_the_databases_own_errors_tell_the_uuids_constraint_from_another(personas):
    """After a failed insert nothing outside the scope is read: the database's error says whether
    the UUID's unique constraint failed (UuidTaken) or another one (passed on), on SQLite and
    PostgreSQL alike."""
    from xieguan.lib.testing import OTHER_TOWNSHIP

    far_key = uuid.uuid4()
    far = _record(personas, far_key)
    Complaint.objects.filter(pk=far.pk).update(region_id=OTHER_TOWNSHIP + "001")
    assert sync.stored(Complaint.objects.all(), far_key, user=personas.xieguan) is None

    def same_uuid():
        return Complaint.objects.create(**{**_fields(far), "client_uuid": far_key})

    def same_primary_key():
        return Complaint.objects.create(**{**_fields(far), "pk": far.pk, "client_uuid": uuid.uuid4()})

    with pytest.raises(sync.UuidTaken):
        sync.create_once(
            Complaint.objects.all(), far_key, same_uuid, user=personas.xieguan, mine=lambda c: True
        )
    with pytest.raises(IntegrityError):
        sync.create_once(
            Complaint.objects.all(),
            uuid.uuid4(),
            same_primary_key,
            user=personas.xieguan,
            mine=lambda c: True,
        )
    with pytest.raises(sync.UuidTaken), sync.uuid_saved(Complaint, "client_uuid"):
        Complaint.objects.filter(pk=_record(personas, uuid.uuid4()).pk).update(client_uuid=far_key)
    assert Complaint.objects.filter(client_uuid=far_key).count() == 1


def _fields(complaint):
    return {
        f.attname: getattr(complaint, f.attname)
        for f in Complaint._meta.concrete_fields
        if not f.primary_key and f.attname not in ("client_uuid", "lead_id")  # lead: one to one
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_store_one(personas):
    key = uuid.uuid4()
    results: list = []
    errors: list = []
    barrier = threading.Barrier(2)

    def send() -> None:
        # SQLite's shared-cache test database answers a second writer "table is locked" at once;
        # a phone would resend, so we do. On PostgreSQL both requests really race.
        try:
            barrier.wait()
            for _attempt in range(50):
                try:
                    results.append(_record(personas, key))
                    return
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.05)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(sync.is_repeat(r) for r in results) == [False, True]
    assert len({r.pk for r in results}) == 1
    assert Complaint.objects.count() == 1 and Lead.objects.count() == 1
