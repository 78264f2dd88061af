"""The ledger export's hazard names, read as streams sorted in the employers' order and merged row
by row (``excel.export_rows``), under every sort and filter the ledger page offers, with equal
sort keys (the same name, the same number of workers), NULL sort values, Chinese names and
employers of two counties (helper atk16): every row has its own employer's names, never another's.
Run on SQLite and PostgreSQL (``DATABASE_URL``), whose collations differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

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
