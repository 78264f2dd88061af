import datetime as dt
import importlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from xieguan.employers.actions import (
    DuplicateEmployer,
    LedgerError,
    RegionNotAllowed,
    StaleEmployer,
    apply_industry_mapping,
    close_employer,
    purge_employer,
    refresh_key_flags,
    update_employer,
)
from xieguan.employers.history import history_entries
from xieguan.employers.models import Employer, FocusIndustry, HazardCategory, IndustryCode
from xieguan.employers.tests.factories import ledger_data, make_employer, valid_credit_code
from xieguan.leads.actions import discover_lead
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


def test_create_sets_derived_fields_and_history(personas):
    employer = make_employer(personas.xieguan, credit_code=valid_credit_code(1))
    assert employer.township_id == "520281117"
    assert employer.registered and employer.missing_fields == []
    assert employer.is_key  # coal
    assert employer.version == 1 and employer.name_key == "盘州市柏果镇测试煤矿"
    records = list(employer.history.all())
    assert len(records) == 1  # one row for the creation, not one per save and m2m change
    assert records[0].history_type == "+" and records[0].history_user == personas.xieguan
    assert list(records[0].hazard_categories.values_list("hazardcategory_id", flat=True)) == ["dust"]


def test_missing_fields_are_listed_in_form_order(personas):
    employer = make_employer(
        personas.xieguan, address="", phone="", workers=None, exposed_workers=None, hazard_categories=[]
    )
    assert not employer.registered
    assert employer.missing_fields == ["address", "phone", "hazard_categories", "workers", "exposed_workers"]


def test_an_invalid_stored_phone_counts_as_missing(personas):
    employer = make_employer(personas.xieguan, phone="0858-123")
    assert employer.missing_fields == ["phone"]


def test_township_level_region_is_its_own_township(personas):
    employer = make_employer(personas.xieguan, region_code="520281117")
    assert employer.township_id == "520281117"


@pytest.mark.parametrize("code", ["520281", "520203102001"])
def test_region_must_be_a_township_or_village_in_scope(personas, code):
    with pytest.raises(RegionNotAllowed):
        make_employer(personas.xieguan, region_code=code)
    assert not Employer.objects.exists()


def test_is_key_from_serious_hazard_and_focus_industry(personas):
    other = make_employer(personas.xieguan, name="家具厂", industry="other", industry_code=None)
    assert not other.is_key
    serious = make_employer(
        personas.xieguan, name="严重厂", industry="other", industry_code=None, serious_hazard=True
    )
    assert serious.is_key
    furniture = IndustryCode.objects.get(code="21")
    FocusIndustry.objects.create(region_id="520281", industry_code=furniture)
    focus = make_employer(personas.xieguan, name="木器厂", industry="other", industry_code=furniture)
    assert focus.is_key


def test_refresh_key_flags_after_focus_industries_change(personas):
    furniture = IndustryCode.objects.get(code="21")
    employer = make_employer(personas.xieguan, name="木器厂", industry="other", industry_code=furniture)
    assert not employer.is_key
    focus = FocusIndustry.objects.create(region_id="520281", industry_code=furniture)
    assert refresh_key_flags("520281") == 1
    employer.refresh_from_db()
    assert employer.is_key
    focus.delete()
    assert refresh_key_flags("520281") == 1
    employer.refresh_from_db()
    assert not employer.is_key


def test_remapping_an_industry_code_recategorises_its_employers(personas):
    code = IndustryCode.objects.get(code="11")
    employer = make_employer(personas.xieguan, industry="other", industry_code=code)
    assert not employer.is_key
    code.category = "noncoal_mining"
    code.save()
    assert apply_industry_mapping(code) == 1
    employer.refresh_from_db()
    assert employer.industry == "noncoal_mining" and employer.is_key


# --- duplicates -----------------------------------------------------------------------


def test_same_credit_code_anywhere_is_refused(personas):
    code = valid_credit_code(7)
    make_employer(personas.xieguan, credit_code=code)
    with pytest.raises(DuplicateEmployer) as caught:
        make_employer(personas.panzhou, name="另一个名字", region_code="520281104001", credit_code=code)
    assert caught.value.field == "credit_code" and caught.value.visible
    assert "已登记为" in caught.value.message


def test_credit_code_in_another_county_is_refused_without_revealing_the_record(personas):
    code = valid_credit_code(8)
    make_employer(personas.xieguan, credit_code=code)
    with pytest.raises(DuplicateEmployer) as caught:
        make_employer(personas.xieguan2, name="岩脚某厂", region_code="520203102001", credit_code=code)
    assert not caught.value.visible
    assert "其他辖区" in caught.value.message and "测试煤矿" not in caught.value.message


@pytest.mark.parametrize(
    "variant",
    ["盘州市柏果镇测试煤矿", "盘州市 柏果镇 测试煤矿 ", "盘州市柏果镇测试煤矿"],
)
def test_same_normalised_name_in_the_same_township_is_refused(personas, variant):
    make_employer(personas.xieguan)
    with pytest.raises(DuplicateEmployer) as caught:
        make_employer(personas.xieguan, name=variant, region_code="520281117002")
    assert caught.value.field == "name"


def test_brackets_and_width_compare_equal(personas):
    make_employer(personas.xieguan, name="贵州柏果（有限公司）ABC１２")
    with pytest.raises(DuplicateEmployer):
        make_employer(personas.xieguan, name="贵州柏果(有限公司)abc12")


def test_same_name_in_another_township_is_allowed(personas):
    make_employer(personas.xieguan)
    make_employer(personas.panzhou, region_code="520281104001")
    assert Employer.objects.count() == 2


# --- update, concurrency, close, purge ------------------------------------------------------


def test_update_records_changed_fields_and_bumps_the_version(personas):
    employer = make_employer(personas.xieguan)
    changes = update_employer(
        employer,
        {
            "phone": "0858-3621108",
            "hazard_categories": list(HazardCategory.objects.filter(code__in=["dust", "physical"])),
        },
        by=personas.panzhou,
        expected_version=1,
    )
    assert changes == ["phone", "hazard_categories"]
    employer.refresh_from_db()
    assert employer.version == 2 and employer.phone == "0858-3621108"
    entry = history_entries(employer)[0]
    assert entry.who == "panzhou" and entry.version == 2
    assert {(c.label, c.old, c.new) for c in entry.changes} == {
        ("联系电话", "13908581126", "0858-3621108"),
        ("职业病危害因素类别", "粉尘", "物理因素、粉尘"),
    }


def test_an_unchanged_save_writes_nothing(personas):
    employer = make_employer(personas.xieguan)
    assert update_employer(employer, ledger_data(), by=personas.xieguan, expected_version=1) == []
    employer.refresh_from_db()
    assert employer.version == 1 and employer.history.count() == 1


def test_the_second_of_two_concurrent_edits_is_refused(personas):
    employer = make_employer(personas.xieguan)
    mine = Employer.objects.get(pk=employer.pk)
    theirs = Employer.objects.get(pk=employer.pk)
    update_employer(theirs, {"workers": 120}, by=personas.panzhou, expected_version=1)
    with pytest.raises(StaleEmployer) as caught:
        update_employer(mine, {"workers": 90}, by=personas.xieguan, expected_version=1)
    assert caught.value.current.workers == 120 and caught.value.current.version == 2
    employer.refresh_from_db()
    assert employer.workers == 120 and employer.version == 2


def test_update_refuses_a_duplicate_and_writes_nothing(personas):
    make_employer(personas.xieguan, name="甲煤矿")
    second = make_employer(personas.xieguan, name="乙煤矿")
    with pytest.raises(DuplicateEmployer):
        update_employer(second, {"name": "甲 煤矿"}, by=personas.xieguan, expected_version=1)
    second.refresh_from_db()
    assert second.name == "乙煤矿" and second.version == 1


def test_close_needs_a_reason_and_keeps_the_record(personas):
    employer = make_employer(personas.xieguan)
    with pytest.raises(LedgerError):
        close_employer(employer, reason="  ", by=personas.xieguan)
    close_employer(employer, reason="已注销", by=personas.xieguan)
    employer.refresh_from_db()
    assert employer.status == "closed" and employer.closed_reason == "已注销"
    assert employer.closed_on == timezone.localdate()  # the closing date stays on the ledger
    assert history_entries(employer)[0].reason == "关闭：已注销"
    with pytest.raises(LedgerError):
        close_employer(employer, reason="again", by=personas.xieguan)


def test_reopening_clears_the_closed_reason(personas):
    employer = make_employer(personas.xieguan)
    close_employer(employer, reason="停业", by=personas.xieguan)
    update_employer(employer, {"status": "operating"}, by=personas.xieguan, expected_version=2)
    employer.refresh_from_db()
    assert employer.status == "operating" and employer.closed_reason == "" and employer.closed_on is None


def test_the_closing_date_backfill_reads_the_last_closing_in_the_history():
    """Migration 0008: the first row of the last run of "closed" history rows, else the last update."""
    migration = importlib.import_module(
        "xieguan.employers.migrations.0008_employer_closing_date_from_history"
    )
    tz = timezone.get_default_timezone()

    def at(month, day, hour=10):
        return dt.datetime(2025, month, day, hour, tzinfo=tz)

    created, updated = at(1, 2), at(11, 30)
    newest_first = [
        ("closed", at(9, 1)),
        ("closed", at(8, 10)),
        ("operating", at(6, 1)),
        ("closed", at(3, 1)),
    ]
    assert migration.closing_day(newest_first, created, updated) == dt.date(2025, 8, 10)
    assert migration.closing_day([], created, updated) == dt.date(2025, 11, 30)  # no history
    # 23:30 in Beijing is still the same local day
    assert migration.closing_day([("closed", at(5, 4, 23))], created, updated) == dt.date(2025, 5, 4)


def test_only_a_province_admin_may_purge(personas):
    employer = make_employer(personas.xieguan)
    with pytest.raises(PermissionDenied):
        purge_employer(employer, by=personas.panzhou)
    pk = employer.pk
    purge_employer(employer, by=personas.sheng)
    assert not Employer.objects.exists()
    deleted = Employer.history.filter(id=pk, history_type="-").get()
    assert deleted.history_user == personas.sheng


def test_purge_is_refused_when_records_refer_to_the_employer(personas):
    employer = make_employer(personas.xieguan)
    discover_lead(
        region=Region.objects.get(code="520281117001"),
        lead_type="abnormal",
        source="direct",
        description="粉尘很大",
        discovered_by=personas.xieguan,
        employer=employer,
    )
    with pytest.raises(LedgerError) as caught:
        purge_employer(employer, by=personas.sheng)
    assert "改为关闭" in caught.value.message
    assert Employer.objects.filter(pk=employer.pk).exists()


# --- many at once (the import) ---------------------------------------------------------------


def test_create_employers_in_bulk_keeps_every_rule(personas, django_assert_max_num_queries):
    from xieguan.employers.actions import create_employers
    from xieguan.employers.models import HazardFactor

    furniture = IndustryCode.objects.get(code="21")
    FocusIndustry.objects.create(region_id="520281", industry_code=furniture)
    noise = HazardFactor.objects.get(name="噪声")
    rows = [
        ledger_data(name=f"批量煤矿{n}", credit_code=valid_credit_code(100 + n), hazard_factors=[noise])
        for n in range(40)
    ]
    rows.append(ledger_data(name="批量木器厂", industry="other", industry_code=furniture, phone=""))
    # A fixed number of bulk statements (SQLite splits an INSERT into batches of a few dozen rows).
    with django_assert_max_num_queries(14):
        created = create_employers(rows, by=personas.panzhou, reason="批量")
    assert len(created) == 41 and Employer.objects.count() == 41
    wood = Employer.objects.get(name="批量木器厂")
    assert wood.is_key and not wood.registered and wood.missing_fields == ["phone"]
    record = Employer.objects.get(name="批量煤矿7").history.get()
    assert (
        record.history_type == "+"
        and record.history_user == personas.panzhou
        and record.history_change_reason == "批量"
    )
    assert list(record.hazard_categories.values_list("hazardcategory_id", flat=True)) == ["dust"]
    assert list(record.hazard_factors.values_list("hazardfactor_id", flat=True)) == [noise.pk]
    assert history_entries(Employer.objects.get(name="批量煤矿7"))[0].kind == "新建登记"


def test_create_employers_refuses_duplicates_and_writes_nothing(personas):
    from xieguan.employers.actions import create_employers

    with pytest.raises(LedgerError) as caught:
        create_employers(
            [ledger_data(name="甲"), ledger_data(name="乙"), ledger_data(name="甲 ")], by=personas.xieguan
        )
    assert "第 3 家与第 1 家" in caught.value.message
    make_employer(personas.xieguan, name="已有", credit_code=valid_credit_code(200))
    with pytest.raises(DuplicateEmployer):
        create_employers(
            [ledger_data(name="新的"), ledger_data(name="别名", credit_code=valid_credit_code(200))],
            by=personas.xieguan,
        )
    assert Employer.objects.count() == 1
