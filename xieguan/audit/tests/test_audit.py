"""The personal-data access log: what writes a row, who reads it, retention, duplicate messages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from xieguan.audit.models import AccessLog, Kind
from xieguan.audit.retention import apply_retention
from xieguan.employers.codelists import ensure_code_lists
from xieguan.indicators.tests.factories import InspectionFactory
from xieguan.inspections.models import InspectionPhoto
from xieguan.leads.confidentiality import complainant_for
from xieguan.leads.models import Complaint, Lead, LeadPhoto, LeadStatus
from xieguan.leads.tests.factories import complaint, lead_of, make_lead
from xieguan.lib.clientip import client_ip
from xieguan.lib.testing import EmployerFactory
from xieguan.personnel import actions as personnel_actions
from xieguan.personnel.tests.factories import AssistantFactory, valid_id_number
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db
NAME = "王秘密"


def rows(**filters):
    return list(AccessLog.objects.filter(**filters).order_by("pk"))


# --- what is logged ----------------------------------------------------------------------


def test_seeing_a_complainant_is_logged_with_who_what_and_where_from(personas, client_for, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    item = complaint(personas, complainant_name=NAME)
    lead = lead_of(item)
    county = client_for("panzhou")
    page = county.get(
        reverse("leads:detail", args=[lead.pk]),
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert NAME in page.content.decode()
    (row,) = rows(kind=Kind.COMPLAINANT)
    assert (row.user, row.username, row.role) == (personas.panzhou, "panzhou", "county_admin")
    assert row.region_id == item.region_id and str(lead.pk) in row.record
    assert row.ip == "203.0.113.9"  # the address nginx saw, not what the client wrote in front
    assert row.at <= timezone.now()
    # masked for the province: nothing seen, nothing logged
    body = client_for("sheng").get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert NAME not in body and len(rows(kind=Kind.COMPLAINANT)) == 1
    # an anonymous complaint reveals nobody
    other = complaint(personas, anonymous=True, complainant_name="", complainant_contact="")
    county.get(reverse("leads:detail", args=[lead_of(other).pk]))
    assert len(rows(kind=Kind.COMPLAINANT)) == 1


def test_full_id_numbers_are_logged_where_shown(personas, client_for):
    person = AssistantFactory.create(id_number=valid_id_number(77))
    county = client_for("panzhou")
    assert person.id_number in county.get(reverse("personnel:detail", args=[person.pk])).content.decode()
    assert person.id_number in county.get(reverse("personnel:list")).content.decode()
    county.get(reverse("personnel:edit", args=[person.pk]))
    county.get(f"/api/v1/personnel/assistants/{person.pk}")
    logged = rows(kind=Kind.ID_NUMBER)
    assert len(logged) >= 3 and all(f"#{person.pk}" in r.detail for r in logged)
    assert {r.region_id for r in logged} == {"520281"}
    # the province sees the number masked: not logged
    before = len(logged)
    body = client_for("sheng").get(reverse("personnel:detail", args=[person.pk])).content.decode()
    assert person.id_number not in body and len(rows(kind=Kind.ID_NUMBER)) == before


def test_personal_data_exports_are_logged(personas, client_for):
    ensure_code_lists()
    AssistantFactory.create()
    EmployerFactory.create()
    make_lead(personas)
    county = client_for("panzhou")
    for name in ("personnel:export", "employers:export", "leads:export"):
        response = county.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store", name
    records = [r.record for r in rows(kind=Kind.EXPORT)]
    assert len(records) == 3
    assert any("花名册" in r for r in records) and any("台账" in r for r in records)
    assert any("信息报告登记表" in r for r in records)
    assert all(r.username == "panzhou" for r in rows(kind=Kind.EXPORT))


# --- who reads the log -------------------------------------------------------------------


@pytest.fixture
def logged(personas, client_for):
    here = complaint(personas, complainant_name=NAME)
    client_for("panzhou").get(reverse("leads:detail", args=[lead_of(here).pk]))
    there = complaint(
        personas,
        by=personas.xieguan2,
        complainant_name="李外县",
        region=Region.objects.get(code="520203102001"),
    )
    client_for("liuzhi").get(reverse("leads:detail", args=[lead_of(there).pk]))
    assert len(rows(kind=Kind.COMPLAINANT)) == 2
    return here, there


def test_the_county_sees_its_county_and_the_province_all(client_for, logged):
    here, _there = logged
    mine = client_for("panzhou").get(reverse("audit:log"))
    assert mine.status_code == 200
    listed = list(mine.context["page"].object_list)
    assert [r.region_id for r in listed] == [here.region_id]
    assert "liuzhi" not in mine.content.decode()
    everything = client_for("sheng").get(reverse("audit:log"))
    assert {r.username for r in everything.context["page"].object_list} == {"panzhou", "liuzhi"}


def test_filters_and_refusals(client_for, logged):
    _here, _there = logged
    province = client_for("sheng")
    by_user = province.get(reverse("audit:log"), {"user": "liuzhi", "kind": Kind.COMPLAINANT})
    assert [r.username for r in by_user.context["page"].object_list] == ["liuzhi"]
    by_region = province.get(reverse("audit:log"), {"region": "520281"})
    assert [r.username for r in by_region.context["page"].object_list] == ["panzhou"]
    today = timezone.localdate()
    assert len(province.get(reverse("audit:log"), {"start": today}).context["page"].object_list) == 2
    later = today + dt.timedelta(days=1)
    assert not province.get(reverse("audit:log"), {"start": later}).context["page"].object_list
    # another county's region asked for by a county admin: 404, like a record that does not exist
    assert client_for("panzhou").get(reverse("audit:log"), {"region": "520203"}).status_code == 404
    for role in ("lps", "jiandu", "xieguan"):
        assert client_for(role).get(reverse("audit:log")).status_code == 403, role


def test_the_region_filter_and_the_scope_are_one_condition(client_for, logged):
    """The county admin's region filter narrows their scope in one prefix condition
    (visible_within), not a second LIKE on the same column; a disjoint code is 404 as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    here, _there = logged
    client = client_for("panzhou")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("audit:log"), {"region": "520281"})
    assert [r.region_id for r in response.context["page"].object_list] == [here.region_id]
    table = AccessLog._meta.db_table
    statements = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    like = re.compile(rf'"{table}"\."region_id"(::text)? LIKE')  # PostgreSQL casts it
    counts = [len(like.findall(sql)) for sql in statements]
    assert counts and max(counts) == 1, counts  # none with two
    assert client.get(reverse("audit:log"), {"region": "520203102"}).status_code == 404
    assert client.get(reverse("audit:log"), {"region": "52"}).status_code == 404


def test_anonymous_is_sent_to_login(client, logged):
    assert client.get(reverse("audit:log")).status_code == 302


# --- retention -----------------------------------------------------------------------------


def test_retention_erases_identities_and_photos_past_their_period_and_logs_it(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.XIEGUAN_RETENTION_COMPLAINANT_DAYS = 30
    settings.XIEGUAN_RETENTION_PHOTO_DAYS = 60
    settings.XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS = 60  # the operator chose a period for them too
    old = complaint(personas, complainant_name=NAME, complainant_contact="13900001111")
    recent = complaint(personas, complainant_name="新举报人")
    long_ago = timezone.now() - dt.timedelta(days=90)
    Lead.objects.filter(pk=lead_of(old).pk).update(status=LeadStatus.CLOSED, closed_at=long_ago)
    Lead.objects.filter(pk=lead_of(recent).pk).update(status=LeadStatus.CLOSED, closed_at=timezone.now())
    lead = make_lead(personas)
    photo = LeadPhoto.objects.create(lead=lead, image=ContentFile(b"x", name="old.jpg"))
    LeadPhoto.objects.filter(pk=photo.pk).update(uploaded_at=long_ago)
    kept = LeadPhoto.objects.create(lead=lead, image=ContentFile(b"y", name="new.jpg"))
    inspection = InspectionFactory.create(assistant=personas.xieguan, employer=EmployerFactory.create())
    old_photo = InspectionPhoto.objects.create(
        inspection=inspection, image=ContentFile(b"z", name="i.jpg"), taken_at=long_ago
    )
    storage = photo.image.storage
    name = photo.image.name

    dry = apply_retention(dry_run=True)
    assert dry.total == (1, 2)
    assert Complaint.objects.get(pk=old.pk).complainant_name == NAME and not rows(kind=Kind.RETENTION)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("applyretention")
    erased = Complaint.objects.get(pk=old.pk)
    assert (erased.complainant_name, erased.complainant_contact) == ("", "")
    assert erased.identity_erased_at is not None
    assert Complaint.objects.get(pk=recent.pk).complainant_name == "新举报人"
    assert (
        not LeadPhoto.objects.filter(pk=photo.pk).exists() and LeadPhoto.objects.filter(pk=kept.pk).exists()
    )
    assert not InspectionPhoto.objects.filter(pk=old_photo.pk).exists()
    assert not storage.exists(str(name))
    (row,) = rows(kind=Kind.RETENTION)
    assert row.region_id == "520281" and "举报人身份 1 条" in row.record and "照片 2 张" in row.record
    assert row.user is None
    shown = complainant_for(personas.panzhou, erased)
    assert "已清除" in shown.name and NAME not in shown.name
    call_command("applyretention")  # idempotent: nothing more to do, nothing logged
    assert len(rows(kind=Kind.RETENTION)) == 1


def test_inspection_photos_are_kept_by_default_as_part_of_the_case_record(
    personas, settings, django_capture_on_commit_callbacks
):
    """附表1 photos are part of the official case record: the default photo period does not
    touch them (docs/decisions.md 10); lead photos of the same age go."""
    assert settings.XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS == 0  # the shipped default
    settings.XIEGUAN_RETENTION_PHOTO_DAYS = 60
    long_ago = timezone.now() - dt.timedelta(days=9999)
    inspection = InspectionFactory.create(assistant=personas.xieguan, employer=EmployerFactory.create())
    kept = InspectionPhoto.objects.create(
        inspection=inspection, image=ContentFile(b"z", name="i.jpg"), taken_at=long_ago
    )
    lead_photo = LeadPhoto.objects.create(lead=make_lead(personas), image=ContentFile(b"x", name="l.jpg"))
    LeadPhoto.objects.filter(pk=lead_photo.pk).update(uploaded_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        result = apply_retention()
    assert result.total == (0, 1)
    assert InspectionPhoto.objects.filter(pk=kept.pk).exists()
    assert kept.image.storage.exists(str(kept.image.name))
    assert not LeadPhoto.objects.filter(pk=lead_photo.pk).exists()
    (row,) = rows(kind=Kind.RETENTION)
    assert "照片 1 张" in row.record and "检查照片 长期保存" in row.detail


def test_retention_zero_keeps_everything(personas, settings):
    settings.XIEGUAN_RETENTION_COMPLAINANT_DAYS = 0
    settings.XIEGUAN_RETENTION_PHOTO_DAYS = 0
    old = complaint(personas, complainant_name=NAME)
    ended = timezone.now() - dt.timedelta(days=9999)
    Lead.objects.filter(pk=lead_of(old).pk).update(status=LeadStatus.CLOSED, closed_at=ended)
    assert apply_retention().total == (0, 0)
    assert Complaint.objects.get(pk=old.pk).complainant_name == NAME


# --- duplicates across counties ------------------------------------------------------------


def test_an_id_number_taken_elsewhere_says_nothing_about_where(personas):
    number = valid_id_number(91)
    AssistantFactory.create(id_number=number, township_id="520203102", name="外县人")
    mine = AssistantFactory.build(id_number=number, township_id="520281117", name="本县人")
    with pytest.raises(Exception) as refused:
        personnel_actions.save_assistant(mine)
    text = " ".join(refused.value.message_dict["id_number"])  # type: ignore[attr-defined]
    assert text == personnel_actions.ID_NUMBER_TAKEN
    assert "外县人" not in text and "六枝" not in text


def test_a_credit_code_taken_elsewhere_names_only_the_county(personas):
    from xieguan.employers.actions import DuplicateEmployer
    from xieguan.employers.tests.factories import make_employer, valid_credit_code

    ensure_code_lists()
    code = valid_credit_code(5)
    make_employer(personas.xieguan2, name="岩脚秘密厂", region_code="520203102001", credit_code=code)
    with pytest.raises(DuplicateEmployer) as caught:
        make_employer(personas.xieguan, name="另一家", region_code="520281117001", credit_code=code)
    message = caught.value.message
    assert "六盘水市六枝特区" in message and "岩脚" not in message and "岩脚秘密厂" not in message


# --- the one client-address helper -----------------------------------------------------------


def Req(**meta):
    return RequestFactory().get("/", **meta)


def test_client_ip_trusts_only_the_configured_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(Req(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert (
        client_ip(Req(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 2
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9, 10.0.0.2"}
    assert client_ip(Req(**meta)) == "203.0.113.9"
    assert client_ip(Req(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="junk, not-an-ip")) == "10.0.0.1"
    assert client_ip(Req(REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"  # no header: the direct address
