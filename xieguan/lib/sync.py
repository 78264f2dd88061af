"""Exactly-once records by a client-made UUID (ODK's instance id), for the offline phone client.

Every kind of record an assistant makes offline carries a UUID made on the phone. The domain
action that creates the record stores that UUID under a named unique constraint and goes
through ``create_once``: the first request creates the record (``created=True``); a repeat of
the same UUID — a retry after a lost answer, a page closed mid-upload, two tabs syncing at
once — gets the stored record back (``created=False``) and writes nothing. A repeat whose
body differs is answered with the stored record too (ODK semantics: the UUID names the record,
the first body wins); docs/sync.md says so to the client.

Race-safe: the create runs in a savepoint, so when two requests race, the loser's insert
fails on the unique constraint (IntegrityError), its savepoint is rolled back (with every row
and on-commit notification it made) and it returns the winner's row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)

REPEAT_NOTE = "同一编号的记录此前已保存，未重复保存。"
REPEAT_ATTR = "_sync_repeat"


class UuidTaken(Exception):
    """The UUID names a record of someone else: answered as not found (404), like a record
    outside the caller's region, so nothing about it is revealed."""


def client_uuid_field() -> models.UUIDField:
    """The field every offline-made record carries (null for records made before, or by
    clients that do not send one); uniqueness is a named constraint on the model."""
    return models.UUIDField(_("客户端编号"), null=True, blank=True, editable=False)


def unique_client_uuid(model_label: str, field: str = "client_uuid") -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=[field], name=f"{model_label}_{field}_unique")


def stored(
    queryset: models.QuerySet[M], client_uuid: uuid.UUID | None, *, field: str = "client_uuid"
) -> M | None:
    if client_uuid is None:
        return None
    found: M | None = queryset.filter(**{field: client_uuid}).first()
    return found


def repeat_of(
    queryset: models.QuerySet[M],
    client_uuid: uuid.UUID | None,
    *,
    mine: Callable[[M], bool],
    field: str = "client_uuid",
) -> M | None:
    """The record stored under ``client_uuid`` (marked a repeat), or None. For an adapter that
    validates input with a form before the action: a repeat is answered before the form, so a
    body that would be refused now (ODK semantics) still gets the stored record."""
    existing = stored(queryset, client_uuid, field=field)
    return None if existing is None else _repeat(existing, mine)


def create_once(
    queryset: models.QuerySet[M],
    client_uuid: uuid.UUID | None,
    create: Callable[[], M],
    *,
    mine: Callable[[M], bool],
    field: str = "client_uuid",
) -> tuple[M, bool]:
    """``create()`` once per ``client_uuid``: (record, True) the first time, (stored record,
    False) on a repeat. ``mine(record)`` says whether the caller may be given a stored record;
    if not, ``UuidTaken``. Without a UUID this is just ``(create(), True)``.

    Call it before validating the body, so a repeat is answered even when its body would now
    be refused (the employer closed meanwhile …): what was accepted once stays accepted.
    ``create`` must set ``field`` to ``client_uuid`` on the row it inserts.
    """
    if client_uuid is None:
        return create(), True
    existing = stored(queryset, client_uuid, field=field)
    if existing is not None:
        return _repeat(existing, mine), False
    try:
        with transaction.atomic():  # a savepoint when the caller is inside a transaction
            return create(), True
    except IntegrityError:
        existing = stored(queryset, client_uuid, field=field)
        if existing is None:
            raise  # another constraint failed: not a repeat
        return _repeat(existing, mine), False


def _repeat(record: M, mine: Callable[[M], bool]) -> M:
    if not mine(record):
        raise UuidTaken
    setattr(record, REPEAT_ATTR, True)
    return record


def is_repeat(record: object) -> bool:
    """Whether an action returned a record stored before under the same UUID (API: 200, not 201).
    Actions that keep returning the bare record (their callers need no flag) are read with this."""
    return bool(getattr(record, REPEAT_ATTR, False))


def owned_by(user: Any, field: str) -> Callable[[Any], bool]:
    """``mine`` for records whose ``field`` (a foreign key to the user) names their author."""
    return lambda record: getattr(record, f"{field}_id") == user.pk
