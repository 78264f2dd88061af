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

Scoped: every look for a stored UUID goes through the caller's region scope
(``visible_to(user)``, docs/scoping.md). A record of another region is not seen, as if it did
not exist: the request goes on like a new one (the same checks and refusals) until its insert
meets the UUID's unique constraint; the scoped look then still finds nothing and the answer is
``UuidTaken`` (404), the same as for a UUID of someone else in the scope, with nothing written.
So another county's UUID is answered exactly like a colleague's, and another county's record is
never returned as "the repeat". ``uuid_saved`` does the same for an action that stores a UUID on
an existing row (the answer of a task, the record of a 协查).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from xieguan.lib.scoping import ScopedQuerySet

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
    queryset: ScopedQuerySet[M],
    client_uuid: uuid.UUID | None,
    *,
    user: Any,
    field: str = "client_uuid",
) -> M | None:
    """The record stored under ``client_uuid`` that ``user`` may see (``visible_to``), or None:
    one of another region is not seen."""
    if client_uuid is None:
        return None
    found: M | None = queryset.visible_to(user).filter(**{field: client_uuid}).first()
    return found


def repeat_of(
    queryset: ScopedQuerySet[M],
    client_uuid: uuid.UUID | None,
    *,
    user: Any,
    mine: Callable[[M], bool],
    field: str = "client_uuid",
) -> M | None:
    """The record stored under ``client_uuid`` in ``user``'s scope (marked a repeat), or None.
    For an adapter that validates input with a form before the action: a repeat is answered
    before the form, so a body that would be refused now (ODK semantics) still gets the stored
    record. Someone else's record in the scope is ``UuidTaken``; one outside it is not seen
    (None), and the action answers ``UuidTaken`` when its insert meets it."""
    existing = stored(queryset, client_uuid, user=user, field=field)
    return None if existing is None else _repeat(existing, mine)


def create_once(
    queryset: ScopedQuerySet[M],
    client_uuid: uuid.UUID | None,
    create: Callable[[], M],
    *,
    user: Any,
    mine: Callable[[M], bool],
    field: str = "client_uuid",
) -> tuple[M, bool]:
    """``create()`` once per ``client_uuid``: (record, True) the first time, (stored record,
    False) on a repeat. Stored records are looked for in ``user``'s scope only.
    ``mine(record)`` says whether the caller may be given a stored record; if not,
    ``UuidTaken``. A UUID stored outside the scope is met at the insert: ``UuidTaken`` too,
    nothing written. Without a UUID this is just ``(create(), True)``.

    Call it before validating the body, so a repeat is answered even when its body would now
    be refused (the employer closed meanwhile …): what was accepted once stays accepted.
    ``create`` must set ``field`` to ``client_uuid`` on the row it inserts.
    """
    if client_uuid is None:
        return create(), True
    existing = stored(queryset, client_uuid, user=user, field=field)
    if existing is not None:
        return _repeat(existing, mine), False
    try:
        with transaction.atomic():  # a savepoint when the caller is inside a transaction
            return create(), True
    except IntegrityError as exc:
        existing = stored(queryset, client_uuid, user=user, field=field)
        if existing is not None:  # the twin that won the race
            return _repeat(existing, mine), False
        if names_uuid_constraint(exc, queryset.model, field):
            raise UuidTaken from None  # stored outside the scope: as someone else's in it
        raise  # another constraint failed: not a repeat


@contextlib.contextmanager
def uuid_saved(model: type[models.Model], field: str) -> Iterator[None]:
    """Around the save that stores a client's UUID on an existing row (a savepoint): when the
    UUID is taken by a row the caller's scoped look did not see (another region's, or a twin
    request's), the save is rolled back and ``UuidTaken`` raised; other integrity errors pass."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if names_uuid_constraint(exc, model, field):
            raise UuidTaken from None
        raise


def names_uuid_constraint(exc: IntegrityError, model: type[models.Model], field: str) -> bool:
    """Whether the database refused the insert or update for the unique constraint of ``field``
    (from the error itself, so nothing outside the caller's scope is read). PostgreSQL names the
    constraint; SQLite names the table and column."""
    names = {
        c.name
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and tuple(c.fields) == (field,)
    }
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:
        return getattr(diag, "constraint_name", None) in names
    column = model._meta.get_field(field).column  # type: ignore[union-attr]
    return str(exc) == f"UNIQUE constraint failed: {model._meta.db_table}.{column}"


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
