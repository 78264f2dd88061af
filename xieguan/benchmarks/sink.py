"""Fast bulk writing for the data generator.

Rows are plain tuples in the order of a table's columns, with primary keys assigned by the
generator (so rows of other tables can point at them before anything is written). On
PostgreSQL they go through COPY (psycopg 3 ``cursor.copy``); elsewhere (SQLite, used by the
small-scale test) through ``executemany`` with each value prepared by its model field.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import IntegrityError, ProgrammingError, connection, models, transaction

REQUIRED = object()


def _default(f: models.Field[Any, Any]) -> Any:
    """The value a row gets when the generator does not give one (REQUIRED: it must)."""
    if f.has_default():
        if callable(f.default) and f.default not in (list, dict):
            return REQUIRED  # e.g. timezone.now: the generator must say which moment
        return f.get_default()
    if f.null:
        return None
    if f.empty_strings_allowed:
        return ""
    return REQUIRED


class Table:
    """A table written by the generator.

    ``fields`` are the attnames of each row, in order (a list or one space-separated string;
    default: every concrete field, the primary key included, since the generator assigns it).
    ``put(**values)`` builds a row by name, filling unnamed fields with their model default;
    ``add(tuple)`` is the fast positional path for the biggest tables.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str] | str = ()) -> None:
        self.model = model
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        self.fields: list[str] = fields.split() if isinstance(fields, str) else list(fields or by_attname)
        missing = [name for name in self.fields if name not in by_attname]
        if missing:
            raise ValueError(f"{meta.label} has no columns {missing}")
        self._fields = [by_attname[name] for name in self.fields]
        self._names = set(self.fields)
        self._defaults = [(f.attname, _default(f)) for f in self._fields]
        self.columns = [str(f.column) for f in self._fields]
        self._json = [isinstance(f, models.JSONField) for f in self._fields]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.seconds = 0.0  # spent writing (COPY or INSERT), for the progress report

    def put(self, **values: Any) -> None:
        if not values.keys() <= self._names:
            raise ValueError(f"{self.name} has no columns {sorted(values.keys() - self._names)}")
        row = tuple(values.get(name, default) for name, default in self._defaults)
        if REQUIRED in row:
            lacking = [name for name, value in zip(self.fields, row, strict=True) if value is REQUIRED]
            raise ValueError(f"{self.name}: no value for {lacking}")
        self.rows.append(row)

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)

    def quoted(self) -> tuple[str, str]:
        quote = connection.ops.quote_name
        return quote(self.name), ", ".join(quote(c) for c in self.columns)

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            self._copy(rows)
        else:
            self._insert(rows)
        self.seconds += time.perf_counter() - started
        self.written += len(rows)
        return len(rows)

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        table, columns = self.quoted()
        sql = f"COPY {table} ({columns}) FROM STDIN"
        json_at = [i for i, is_json in enumerate(self._json) if is_json]
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(sql) as copy:
                if json_at:
                    for row in rows:
                        values = list(row)
                        for i in json_at:
                            values[i] = json.dumps(values[i], ensure_ascii=False)
                        copy.write_row(values)
                else:
                    for row in rows:
                        copy.write_row(row)

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        table, columns = self.quoted()
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model metadata
        prepared = [
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(self._fields, row, strict=True))
            for row in rows
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), 5000):
                cursor.executemany(sql, prepared[start : start + 5000])


class Ids:
    """Primary keys handed out by the generator, continuing after what the table already holds."""

    def __init__(self, model: type[models.Model]) -> None:
        pk = model._meta.pk
        assert pk is not None
        last = model._default_manager.aggregate(m=models.Max(pk.attname))["m"]
        self.next = int(last or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """Move the id sequences past the rows written with explicit ids (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def flush_all(tables: Iterable[Table]) -> float:
    """Write every buffered row, tables in the given (foreign key) order, in one transaction.

    Returns the seconds of the commit, where PostgreSQL checks the (deferred) foreign keys.
    """
    with transaction.atomic():
        for table in tables:
            table.flush()
        started = time.perf_counter()
    return time.perf_counter() - started


@contextmanager
def bulk_load(tables: Iterable[Table], out: Callable[[str], None], journal: Path) -> Iterator[None]:
    """Load big tables the way PostgreSQL loads fastest: without their secondary indexes and
    foreign keys, rebuilt afterwards (one sort per index, one anti-join per foreign key, which
    also proves every reference). Only for empty tables; elsewhere a no-op.

    The statements that rebuild them are kept in ``journal`` until they have run, so a run that
    was killed half way has them restored by the next one (`gendata --reset`).
    """
    if restore_journal(journal):
        out("  已恢复上次中断时卸下的索引和外键")
    names = [t.name for t in tables]
    if connection.vendor != "postgresql" or any(t.model._default_manager.exists() for t in tables):
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [names],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u')) "
            "ORDER BY 1, 2",
            [names],
        )
        indexes = cursor.fetchall()
        rebuild = [definition for _, _, definition in indexes] + [
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
            for table, name, definition in foreign_keys
        ]
        journal.parent.mkdir(parents=True, exist_ok=True)
        journal.write_text(json.dumps(rebuild, ensure_ascii=False, indent=1), encoding="utf-8")
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for _, name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    finally:
        started = time.perf_counter()
        restore_journal(journal)
        out(
            f"  重建索引 {len(indexes)} 个、外键 {len(foreign_keys)} 个（逐一校验）："
            f"{time.perf_counter() - started:.0f} 秒"
        )


def restore_journal(journal: Path) -> int:
    """Run the rebuild statements a bulk load left (skipping what already exists)."""
    if not journal.exists():
        return 0
    statements = json.loads(journal.read_text(encoding="utf-8"))
    with connection.cursor() as cursor:
        for sql in statements:
            with transaction.atomic():
                try:
                    cursor.execute(sql)
                except (ProgrammingError, IntegrityError) as exc:
                    if "already exists" not in str(exc):
                        raise
    journal.unlink()
    return len(statements)
