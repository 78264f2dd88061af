"""Statements of a fixed shape, compiled by Django once per process and run again with new values.

A home page's work-list sections are small querysets whose shape never changes: only the user,
the region and a few dates do. Building and compiling such a queryset (``filter`` → ``as_sql``,
with its ``select_related`` joins, ordering and window count) costs Django 1-2 ms of CPU per
statement, several times what PostgreSQL needs to run it. ``Prepared`` compiles the queryset
once per process, database and shape, and afterwards only binds the new values to the compiled
statement; the rows become model instances exactly as Django's own iteration makes them.

The queryset is still written once, with the ORM and ``visible_to(user)`` (the one region-scoping
mechanism): ``Prepared`` calls the build function with *sentinel* values — a stand-in user with an
impossible id and region code, impossible dates — and records where each sentinel lands in the
statement's parameters. Rules for a build function:

- it receives only the named values (a user, dates, datetimes, integers, strings, UUIDs) and may
  branch on nothing but the user's role and whether the account is active (part of the cache
  key: ``visible_to`` gives an inactive account nothing);
- every value the statement depends on is passed in, never derived inside (``today + 60 days``
  or ``code[:4]`` is a value of its own), since a derived sentinel would be compiled in as a
  constant;
- no ``__in`` lists or other values that change the shape of the SQL.

A second set of sentinels is compiled too and must give the same statement with its values where
the first set's were: a value derived inside the build (a date moved, a string cut or measured:
string sentinels are longer than any code and of another length in the second set), or a shape
that depends on a value, is refused (``TypeError``) before any request uses the statement.

A value the recorded positions cannot take exactly (a string with ``%``, ``_`` or ``\\`` that a
``LIKE`` pattern would escape, or an empty one, which a pattern would make match everything) is
compiled afresh instead. With ``XIEGUAN_CHECK_PREPARED`` on (the test suite turns it on), every
call also compiles the queryset with the real values and raises if the statement or its
parameters differ, so every test that reaches a prepared statement checks it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Sentinels: values no real row or request has. Integers fit a 32-bit id column (Django turns an
# out-of-range integer lookup into "no rows" and would not compile it).
_INT_BASE = -2_000_000_000
_DATE_BASE = dt.date(1111, 1, 1)
_DATETIME_BASE = dt.datetime(1111, 6, 1, 11, 11, 11, tzinfo=dt.UTC)
_UUID_BASE = 0x1111_1111_1111_4111_8111_0000_0000_0000  # + n: a version-4 UUID no client makes
# strings that no LIKE escaping changes; not empty: "" in ``LIKE '…%'`` matches every row, where
# ``visible_to`` gives an empty region code nothing (``scope_code``)
_PLAIN = re.compile(r"[0-9A-Za-z]+")
_PAD = 24  # string sentinels are longer than any code (12 digits) a build could cut them to


_UNPLANNED = object()


class PreparedMismatch(AssertionError):
    """The cached statement differs from a fresh compile (raised only with the check on)."""


@dataclass(frozen=True)
class _Slot:
    """Where a parameter of the compiled statement comes from."""

    name: str = ""  # "" = a constant of the statement
    constant: Any = None
    prefix: str = ""  # for strings the sentinel was embedded in ("…%" of a LIKE pattern)
    suffix: str = ""
    embedded: bool = False
    adapt: str = ""  # "date" / "datetime" / "uuid": the backend's adaptation of the value


@dataclass
class _Plan:
    sql: str
    slots: list[_Slot]
    compiler: Any  # set up by the sentinel compile: select, klass_info, annotation_col_map
    queryset: QuerySet[Any]


class _Sentinels:
    """One sentinel per value (and per user attribute), and the values they stand for.

    A string sentinel is longer than any code a build could cut from it (``code[:4]``), and the
    second set's differ from the first's in their first characters and in their length, so a
    value cut or measured inside the build differs between the two compiles and is refused."""

    def __init__(self, values: dict[str, Any], offset: int = 0) -> None:
        self.fake: dict[str, Any] = {}
        self.scalars: dict[str, Any] = {}  # slot name -> sentinel scalar
        pad = "z" * (_PAD + (1 if offset else 0))
        for n, (name, value) in enumerate(sorted(values.items()), start=1 + offset):
            if isinstance(value, Model):
                # an inactive account sees nothing (scope_code): is_active is part of the key
                user: Any = value.__class__(
                    pk=_INT_BASE - n, region_id=f"Q{n}Z{pad}", is_active=getattr(value, "is_active", True)
                )
                user.role = getattr(value, "role", "")
                self.fake[name] = user
                self.scalars[f"{name}.pk"] = user.pk
                self.scalars[f"{name}.region_id"] = user.region_id
            elif isinstance(value, bool) or value is None:
                raise TypeError(f"Prepared value {name!r}: booleans and None change the statement's shape")
            elif isinstance(value, dt.datetime):
                self.fake[name] = _DATETIME_BASE + dt.timedelta(days=n, microseconds=n)
                self.scalars[name] = self.fake[name]
            elif isinstance(value, dt.date):
                self.fake[name] = _DATE_BASE + dt.timedelta(days=n)
                self.scalars[name] = self.fake[name]
            elif isinstance(value, int):
                self.fake[name] = _INT_BASE - 1000 - n
                self.scalars[name] = self.fake[name]
            elif isinstance(value, str):
                self.fake[name] = f"Q{n}X{pad}"
                self.scalars[name] = self.fake[name]
            elif isinstance(value, uuid.UUID):
                self.fake[name] = uuid.UUID(int=_UUID_BASE + n)
                self.scalars[name] = self.fake[name]
            else:
                raise TypeError(f"Prepared value {name!r} of type {type(value).__name__}")


def _real(values: dict[str, Any], slot_name: str) -> Any:
    name, _, attr = slot_name.partition(".")
    value = values[name]
    return getattr(value, attr) if attr else value


class Prepared(Generic[M]):
    """A queryset of fixed shape: ``build(**values)`` compiled once, then bound to each call's values.

    ``Prepared(Model, build).list(user=user, start=day)`` returns the rows of ``build(user=user,
    start=day)`` as that queryset's iteration would (model instances, ``select_related`` objects,
    annotations, or the dicts of a ``values()`` queryset), compiling it only the first time for the
    user's role on that database.

    Positional arguments are the statement's *shape*, not values: ``list(period, 9, code=code)``
    calls ``build(period, 9, code=code)`` and keeps one statement per distinct shape (hashable;
    the ``MAX_PLANS`` most recent shapes are kept). Whatever else the build reads (today's date,
    a policy row) must be part of the shape.
    """

    MAX_PLANS = 256

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        self._plans: dict[tuple[Any, ...], _Plan | None] = {}
        self._lock = threading.Lock()

    def list(self, *shape: Any, **values: Any) -> list[Any]:
        """The rows of ``build(*shape, **values)``: the statement compiled once per shape, bound
        to these values."""
        alias = router.db_for_read(self.model)
        plan = self._plan(alias, shape, values)
        params = None if plan is None else self._bind(plan, values, connections[alias].ops)
        if plan is None or params is None:  # no statement (nothing to ask), or a value it cannot take
            return list(self.build(*shape, **values))
        if getattr(settings, "XIEGUAN_CHECK_PREPARED", False):
            self.check(plan, alias, shape, values, params)
        queryset = plan.queryset._chain()  # type: ignore[attr-defined]
        compiler = copy.copy(plan.compiler)  # its select, klass_info, annotation_col_map
        compiler.connection = connections[alias]
        compiler.as_sql = lambda *args, **kwargs: (plan.sql, params)
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def statement(self, *shape: Any, **values: Any) -> tuple[str, tuple[Any, ...]] | None:
        """The cached statement and its parameters bound to ``values`` (None: compiled afresh)."""
        alias = router.db_for_read(self.model)
        plan = self._plan(alias, shape, values)
        params = None if plan is None else self._bind(plan, values, connections[alias].ops)
        return None if plan is None or params is None else (plan.sql, params)

    def check(
        self, plan: _Plan, alias: str, shape: tuple[Any, ...], values: dict[str, Any], params: tuple[Any, ...]
    ) -> None:
        """Raise ``PreparedMismatch`` unless a fresh compile of ``build(*shape, **values)`` gives
        the cached statement with the same parameters."""
        sql, fresh = self.build(*shape, **values).query.get_compiler(using=alias).as_sql()
        if (
            sql != plan.sql
            or list(fresh) != list(params)
            or list(map(type, fresh)) != list(map(type, params))
        ):
            raise PreparedMismatch(
                f"{self.build!r}: cached {plan.sql!r} {params!r} != fresh {sql!r} {tuple(fresh)!r}"
            )

    def _key(self, alias: str, shape: tuple[Any, ...], values: dict[str, Any]) -> tuple[Any, ...]:
        kinds = tuple(
            (name, value.__class__.__name__, getattr(value, "role", ""), getattr(value, "is_active", True))
            if isinstance(value, Model)
            else (name, value.__class__.__name__)
            for name, value in sorted(values.items())
        )
        return alias, connections[alias].vendor, shape, kinds

    def _plan(self, alias: str, shape: tuple[Any, ...], values: dict[str, Any]) -> _Plan | None:
        """The shape's statement; None when Django would send none (an empty slice, a
        condition that matches nothing): such a call is left to Django every time."""
        key = self._key(alias, shape, values)
        found = self._plans.get(key, _UNPLANNED)  # one read: another thread may clear the dict
        if found is not _UNPLANNED:
            return found  # type: ignore[return-value]
        with self._lock:
            found = self._plans.get(key, _UNPLANNED)
            if found is not _UNPLANNED:
                return found  # type: ignore[return-value]
            try:
                plan: _Plan | None = self._make_plan(alias, shape, values)
            except EmptyResultSet:
                plan = None
            if len(self._plans) >= self.MAX_PLANS:
                self._plans.clear()
            self._plans[key] = plan
            return plan

    @staticmethod
    def _bind(plan: _Plan, values: dict[str, Any], ops: Any) -> tuple[Any, ...] | None:
        params = []
        for slot in plan.slots:
            if not slot.name:
                params.append(slot.constant)
                continue
            value = _real(values, slot.name)
            if slot.embedded:
                if not isinstance(value, str) or not _PLAIN.fullmatch(value):
                    return None
                params.append(slot.prefix + value + slot.suffix)
            elif slot.adapt == "date":
                params.append(ops.adapt_datefield_value(value))
            elif slot.adapt == "datetime":
                params.append(ops.adapt_datetimefield_value(value))
            elif slot.adapt == "uuid":  # a backend without a UUID type stores the hex (UUIDField)
                if not isinstance(value, uuid.UUID):
                    return None
                params.append(value.hex)
            else:
                params.append(value)
        return tuple(params)

    def _make_plan(self, alias: str, shape: tuple[Any, ...], values: dict[str, Any]) -> _Plan:
        sentinels = _Sentinels(values)
        queryset = self.build(*shape, **sentinels.fake)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        ops = connections[alias].ops
        slots = [self._slot(param, sentinels, ops) for param in params]
        for name, scalar in sentinels.scalars.items():
            if isinstance(scalar, uuid.UUID) and (scalar.hex in sql or str(scalar) in sql):
                raise TypeError(f"Prepared: value {name!r} is compiled into the SQL text, not a parameter")
            if isinstance(scalar, str) and scalar in sql:
                raise TypeError(f"Prepared: value {name!r} is compiled into the SQL text, not a parameter")
        plan = _Plan(sql=sql, slots=slots, compiler=compiler, queryset=queryset)
        # A second set of sentinels must give the same statement, its parameters where the slots
        # put them: a value derived inside the build (a constant here, different there) or a
        # shape that depends on a value is refused before any request uses the plan.
        other = _Sentinels(values, offset=50)
        other_sql, other_params = self.build(*shape, **other.fake).query.get_compiler(using=alias).as_sql()
        if other_sql != sql or self._bind(plan, other.fake, ops) != tuple(other_params):
            raise TypeError(f"Prepared: {self.build!r} depends on its values beyond binding them")
        return plan

    @staticmethod
    def _slot(param: Any, sentinels: _Sentinels, ops: Any) -> _Slot:
        for name, scalar in sentinels.scalars.items():
            if isinstance(scalar, str):
                if isinstance(param, str) and scalar in param:
                    prefix, _, suffix = param.partition(scalar)
                    return _Slot(name=name, prefix=prefix, suffix=suffix, embedded=True)
                continue
            if type(param) is type(scalar) and param == scalar:
                return _Slot(name=name)
            if isinstance(scalar, dt.datetime):
                if param == ops.adapt_datetimefield_value(scalar):
                    return _Slot(name=name, adapt="datetime")
            elif isinstance(scalar, dt.date) and param == ops.adapt_datefield_value(scalar):
                return _Slot(name=name, adapt="date")
            elif isinstance(scalar, uuid.UUID) and param == scalar.hex:
                return _Slot(name=name, adapt="uuid")
            if isinstance(scalar, int) and isinstance(param, int) and param == scalar:
                return _Slot(name=name)  # e.g. the driver's Int4 wrapper of an integer
        text = str(param)
        for name, scalar in sentinels.scalars.items():
            if str(scalar) in text or (isinstance(scalar, dt.date) and scalar.isoformat() in text):
                raise TypeError(f"Prepared: value {name!r} reaches a parameter in a form it cannot bind")
        return _Slot(constant=param)
