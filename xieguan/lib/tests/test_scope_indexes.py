"""The indexes behind the region prefix on PostgreSQL (docs/scoping.md, docs/performance.md).

``visible_to`` and ``within`` compare a region column with ``LIKE 'X%'``, which a btree serves
only with a ``varchar_pattern_ops`` (or C-collation) index; and an index that another index
with the same leading column and operator class already is costs every statement's planning
and every write, and serves nothing (issue 16, round 5).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Field, Model

from xieguan.lib.scoping import ScopedQuerySet

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,  # operator classes are PostgreSQL's
]


def _indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of every index of the table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return list(cursor.fetchall())


def _leading(definition: str) -> str:
    """The first key of an index definition: 'region_id varchar_pattern_ops' or 'region_id'."""
    keys = definition.split(" USING btree (", 1)[1]
    return keys.split(",")[0].split(")")[0].strip()


def _scope_column(model: type[Model]) -> str | None:
    """The model's own column that its scope compares, when the scope is not reached by a join."""
    lookup = getattr(model, "scope_lookup", "region")
    if "__" in lookup:
        return None
    field = model._meta.get_field(lookup)
    assert isinstance(field, Field)
    return field.column


def test_every_scoped_table_has_a_prefix_index_on_its_region_column():
    scoped = [
        m
        for m in apps.get_models()
        if isinstance(m._default_manager.all(), ScopedQuerySet) and _scope_column(m) is not None
    ]
    assert len(scoped) > 10  # the walk found the regional models
    unserved = []
    for model in scoped:
        column = _scope_column(model)
        leading = {_leading(d) for _, d in _indexes(model._meta.db_table)}
        if f"{column} varchar_pattern_ops" not in leading:
            unserved.append(f"{model._meta.label}.{column}")
    assert unserved == []


@pytest.mark.parametrize(
    ("table", "column"),
    [
        # employer_region_key_idx is (region_id varchar_pattern_ops, is_key), the same size
        ("employers_employer", "region_id varchar_pattern_ops"),
        # nothing compares township_id with LIKE
        ("employers_employer", "township_id varchar_pattern_ops"),
        # the statuses are compared for equality only
        ("inspections_inspection", "status varchar_pattern_ops"),
        ("leads_lead", "status varchar_pattern_ops"),
    ],
)
def test_no_single_column_pattern_index_that_serves_nothing(table, column):
    found = [name for name, d in _indexes(table) if d.endswith(f"USING btree ({column})")]
    assert found == []


def test_the_lead_status_has_one_index():
    """lead_status_due_idx (status, report_due_at) serves every comparison of the status alone."""
    found = sorted(
        name for name, d in _indexes("leads_lead") if _leading(d) in ("status", "status varchar_pattern_ops")
    )
    assert found == ["lead_status_due_idx"]
