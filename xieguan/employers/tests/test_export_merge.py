"""The ledger export's hazard names, read as streams sorted in the employers' order and merged row
by row (``excel.export_rows``), under every sort and filter the ledger page offers, with equal
sort keys (the same name, the same number of workers), NULL sort values, Chinese names and
employers of two counties (helper atk16): every row has its own employer's names, never another's.
Run on SQLite and PostgreSQL (``DATABASE_URL``), whose collations differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from xieguan.employers.excel import export_rows
from xieguan.employers.ledger import SORTS, ledger_for
from xieguan.employers.models import Employer, HazardCategory, HazardFactor, OperatingStatus
from xieguan.employers.tests.factories import make_employer
from xieguan.lib.text import name_key

pytestmark = pytest.mark.django_db

# equal names in the two counties' townships (0 and 1, 4 and 5: the ledger's unique key is the
# township's), full-width, case, rare CJK (Ext B)
NAMES = ["甲厂", "甲厂", "乙厂", "Ｂ厂", "A厂", "a厂", "啊厂", "阿厂", "𠮷厂", "zz厂", "丙厂", "丁厂"]


@pytest.fixture
def employers(personas: Any) -> dict[int, tuple[list[str], list[str]]]:
    """Employers with colliding sort keys and NULLs, each with its own hazards: pk -> names."""
    categories = list(HazardCategory.objects.order_by("order"))
    factors = list(HazardFactor.objects.order_by("category__order", "name"))
    expected = {}
    for n, name in enumerate(NAMES):
        chosen = factors[n % len(factors) : n % len(factors) + n % 3]
        cats = {f.category for f in chosen} | {categories[n % len(categories)]}
        by = personas.xieguan if n % 4 else personas.xieguan2  # two counties
        employer = make_employer(
            by,
            name=f"单位{n}",
            region_code="520281117001" if n % 4 else "520203102001",
            workers=None if n % 5 == 0 else 100 + n % 2,
            exposed_workers=None if n % 5 == 0 else 10,
            declaration_date=None if n % 2 else dt.date(2025, 1, 1),
            industry="coal" if n % 3 else "building_materials",
            hazard_categories=list(cats),
            hazard_factors=chosen,
        )
        # the same names (the ledger refuses them in one township: written directly)
        Employer.objects.filter(pk=employer.pk).update(name=name, name_key=name_key(name))
        if n == 7:
            Employer.objects.filter(pk=employer.pk).update(
                status=OperatingStatus.CLOSED, closed_on=dt.date(2025, 2, 1)
            )
        expected[employer.pk] = (
            [c.name for c in categories if c in cats],
            [f.name for f in factors if f in chosen],
        )
    Employer.objects.update(updated_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))  # all equal
    return expected


FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "all"},
    {"q": "甲"},
    {"industry": "coal"},
    {"registered": "no"},
    {"overdue": "1"},
    {"region": "5202"},
]


@pytest.mark.parametrize("sort", ["", *SORTS])
@pytest.mark.parametrize("filters", FILTERS)
def test_each_row_has_its_own_employers_hazards(personas, employers, sort, filters):
    sheng = personas.sheng
    query = ledger_for(sheng, {**filters, "sort": sort})
    pks = list(query.employers.values_list("pk", flat=True))
    rows = list(export_rows(query, chunk_size=2))
    assert len(rows) == len(pks)
    for pk, row in zip(pks, rows, strict=True):
        assert (row[10], row[11]) == employers[pk], (sort, filters, pk)


def test_the_hazard_filter(personas, employers):
    category = HazardCategory.objects.order_by("order").first()
    assert category is not None
    for sort in ["", *SORTS]:
        query = ledger_for(personas.sheng, {"hazard": category.pk, "sort": sort, "status": "all"})
        pks = list(query.employers.values_list("pk", flat=True))
        assert pks and len(pks) == len(set(pks))
        rows = list(export_rows(query, chunk_size=3))
        assert [(r[10], r[11]) for r in rows] == [employers[pk] for pk in pks], sort


@pytest.mark.django_db(transaction=True)
def test_an_employer_changed_while_the_export_reads(personas, monkeypatch):
    """The three statements read one snapshot: an employer closed (or renamed, or edited under the
    "-updated" sort) by another session after the hazard streams were read and before the
    employers' statement left its names at the head of a stream — every later row lost its names
    and the export failed at its end (PostgreSQL, READ COMMITTED: a snapshot per statement).
    On SQLite (one transaction already reads one snapshot, and a second writer would wait for the
    reader's lock) it checks that the streams are read inside the export's transaction."""
    import io

    import psycopg
    from openpyxl import load_workbook

    from xieguan.employers import excel
    from xieguan.employers.codelists import ensure_code_lists

    ensure_code_lists()
    category = HazardCategory.objects.order_by("order").first()
    assert category is not None
    made = [
        make_employer(personas.xieguan, name=f"{n}号厂", hazard_categories=[category], hazard_factors=[])
        for n in range(1, 4)
    ]
    first = made[0]  # the first in the default order (township, name)
    db = connection.settings_dict
    postgres = connection.vendor == "postgresql"
    other = (
        psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
        if postgres
        else None
    )
    streams = []
    inside: list[object] = []
    original = excel._NamesInOrder.__init__

    def read_then_close_the_first(self: Any, pairs: Any) -> None:
        original(self, pairs)
        streams.append(self)
        inside.append(connection.in_atomic_block)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                inside.append(cursor.fetchone()[0])
        if other is not None and len(streams) == 2:  # both streams read: another session closes one
            with other.transaction():
                other.execute(
                    "UPDATE employers_employer SET status = 'closed', closed_on = '2025-02-01' WHERE id = %s",
                    [first.pk],
                )

    monkeypatch.setattr(excel._NamesInOrder, "__init__", read_then_close_the_first)
    try:
        buffer = io.BytesIO()
        assert excel.write_export(buffer, ledger_for(personas.panzhou, {})) == 3
    finally:
        if other is not None:
            other.close()
    assert inside == ([True, "repeatable read"] * 2 if postgres else [True, True])
    rows = list(load_workbook(buffer).worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[10]) for r in rows] == [(e.name, category.name) for e in made]
    if postgres:
        assert Employer.objects.get(pk=first.pk).status == OperatingStatus.CLOSED  # it did change
