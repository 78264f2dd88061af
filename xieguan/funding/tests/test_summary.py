import datetime as dt
from decimal import Decimal

import pytest

from xieguan.employers.models import OperatingStatus
from xieguan.funding import actions
from xieguan.funding.models import FundingSource, Purpose, SubsidyBasis
from xieguan.funding.summary import county_funding, total_row
from xieguan.funding.tests.factories import PAID_ON, YEAR, budget
from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionStatus
from xieguan.lib.testing import EmployerFactory
from xieguan.personnel.tests.factories import serve
from xieguan.tasks.tests.factories import assistant

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def inspect(employer, who, when, status=InspectionStatus.SUBMITTED):
    template, _ = ChecklistTemplate.objects.get_or_create(code="fb1", version=1, defaults={"name": "附表1"})
    return Inspection.objects.create(
        template=template,
        employer=employer,
        region_id=employer.region_id,
        assistant=who,
        employer_name=employer.name,
        inspected_at=when,
        status=status,
    )


@pytest.fixture
def world(personas):
    """盘州市: 180,000 allocated, 30,000 spent, 2 active assistants, 3 employers, 4 inspections."""
    by = personas.panzhou
    serve(personas.xieguan, "520281117", YEAR - 2, YEAR + 1, by)
    serve(assistant(), "520281117", YEAR - 2, YEAR + 1, by)  # a second assistant in 柏果镇
    gone = assistant(is_active=False)
    serve(gone, "520281117", YEAR - 2, YEAR + 1, by, dismissed_on=dt.date(YEAR - 1, 3, 1))  # not counted
    public = budget(personas.panzhou, amount="120000.00")
    budget(personas.panzhou, amount="60000.00", source=FundingSource.LOCAL)
    actions.record_disbursement(
        public, by=personas.panzhou, amount="26400.00", paid_on=PAID_ON, purpose=Purpose.TRAINING
    )
    actions.record_subsidy(
        public,
        by=personas.panzhou,
        assistant=personas.xieguan,
        amount="3600.00",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 6, 30),
        basis=SubsidyBasis.FIXED,
        paid_on=PAID_ON,
    )
    employers = [EmployerFactory(region_id="520281117001") for _ in range(3)]
    EmployerFactory(  # closed last year: not counted
        region_id="520281117001",
        status=OperatingStatus.CLOSED,
        created_at=dt.datetime(YEAR - 2, 1, 1, tzinfo=TZ),
        closed_on=dt.date(YEAR - 1, 6, 1),
    )
    for n in range(3):
        inspect(employers[n], personas.xieguan, dt.datetime(YEAR, 3, 1 + n, 10, tzinfo=TZ))
    # Beijing time 1 January 00:30 is still 31 December in UTC: it counts in the new year.
    inspect(employers[0], personas.xieguan, dt.datetime(YEAR, 1, 1, 0, 30, tzinfo=TZ))
    inspect(employers[0], personas.xieguan, dt.datetime(YEAR - 1, 12, 31, 23, 30, tzinfo=TZ))  # last year
    inspect(employers[1], personas.xieguan, dt.datetime(YEAR, 5, 1, tzinfo=TZ), InspectionStatus.DRAFT)
    # Another county: one budget, one assistant, one employer.
    budget(personas.liuzhi, county="520203", amount="50000.00")
    serve(personas.xieguan2, "520203102", YEAR - 2, YEAR + 1, personas.liuzhi)
    EmployerFactory(region_id="520203102001")
    return employers


def test_table_by_county(world):
    rows = {r.code: r for r in county_funding("5202", YEAR)}
    assert len(rows) == 4  # 六盘水市's four county-level divisions
    pz = rows["520281"]
    assert (pz.allocated_public, pz.allocated_local, pz.allocated) == (
        Decimal("120000.00"),
        Decimal("60000.00"),
        Decimal("180000.00"),
    )
    assert (pz.disbursed, pz.subsidies, pz.spent) == (
        Decimal("26400.00"),
        Decimal("3600.00"),
        Decimal("30000.00"),
    )
    assert (pz.assistants, pz.employers, pz.inspections) == (2, 3, 4)
    assert pz.per_assistant == Decimal("90000.00")
    assert pz.per_employer == Decimal("60000.00")
    assert pz.per_inspection == Decimal("7500.00")
    assert pz.execution_rate == Decimal("16.7")
    lz = rows["520203"]
    assert (lz.allocated, lz.assistants, lz.employers, lz.per_inspection) == (Decimal("50000.00"), 1, 1, None)
    empty = rows["520201"]
    assert empty.allocated == 0 and empty.per_assistant is None and empty.execution_rate is None
    total = total_row(list(rows.values()), "合计")
    assert total.allocated == Decimal("230000.00") and total.assistants == 3


def test_a_county_code_gives_its_own_row_and_other_years_are_empty(world):
    (row,) = county_funding("520281", YEAR)
    assert row.name == "盘州市" and row.inspections == 4
    (row,) = county_funding("520281117", YEAR)  # a township narrows to its county
    assert row.code == "520281"
    (before,) = county_funding("520281", YEAR - 1)
    assert before.allocated == 0 and before.inspections == 1


def test_query_count_does_not_depend_on_the_number_of_counties(world, django_assert_num_queries):
    with django_assert_num_queries(7):
        county_funding("520281", YEAR)
    with django_assert_num_queries(7):
        rows = county_funding("52", YEAR)
    assert len(rows) == 88
