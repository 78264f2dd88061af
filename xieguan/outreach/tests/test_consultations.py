"""Consultations and guidance (咨询、指导): recorded once, listed, on the employer page; refusals."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.employers.models import OperatingStatus
from xieguan.lib.sync import UuidTaken
from xieguan.lib.testing import OTHER_TOWNSHIP, EmployerFactory
from xieguan.outreach import actions
from xieguan.outreach.models import Consultation, ConsultationKind

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach/consultations"


@pytest.fixture
def employer(personas):
    return EmployerFactory.create(name="柏果煤矿")


@pytest.fixture
def far_employer(personas):
    return EmployerFactory.create(name="岩脚煤矿", region_id=OTHER_TOWNSHIP + "001")


def form(employer, **extra):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "employer": employer.pk,
        "given_on": timezone.localdate().isoformat(),
        "kind": ConsultationKind.HEALTH_CHECK,
        "contact_person": "张主任",
        "subject": "指导安排接尘工人在岗期间职业健康检查",
        "outcome": "企业已联系体检机构，下月安排",
    }
    data.update(extra)
    return data


def record(personas, employer, **extra):
    data = {
        "recorded_by": personas.xieguan,
        "employer": employer,
        "given_on": timezone.localdate(),
        "kind": ConsultationKind.CONSULTATION,
        "subject": "咨询防尘口罩配发",
        "outcome": "已答复",
    }
    data.update(extra)
    return actions.record_consultation(**data)


def test_the_assistant_records_one_from_the_employer_page_and_a_resend_is_stored_once(client_for, employer):
    client = client_for("xieguan")
    page = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()
    new_url = reverse("outreach:consultation_create") + f"?employer={employer.pk}"
    assert "咨询指导" in page and new_url in page
    shown = client.get(new_url)
    assert shown.status_code == 200
    assert shown.context["form"].initial["employer"] == employer.pk
    data = form(employer)
    first = client.post(reverse("outreach:consultation_create"), data)
    again = client.post(reverse("outreach:consultation_create"), data)  # the page sent twice
    consultation = Consultation.objects.get()
    assert (
        first["Location"]
        == again["Location"]
        == reverse("outreach:consultation_detail", args=[consultation.pk])
    )
    assert consultation.region_id == employer.township_id and consultation.recorded_by.username == "xieguan"
    detail = client.get(first["Location"]).content.decode()
    assert "指导企业开展职业健康检查" in detail and "企业已联系体检机构" in detail
    listing = client_for("panzhou").get(reverse("outreach:consultations"), {"employer": employer.pk})
    assert [c.pk for c in listing.context["page"].object_list] == [consultation.pk]
    assert "柏果煤矿" in client.get(reverse("employers:detail", args=[employer.pk])).content.decode()


def test_bad_input_is_refused_whole_in_chinese(client_for, employer):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client_for("xieguan").post(
        reverse("outreach:consultation_create"), form(employer, given_on=tomorrow, outcome="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "日期不能晚于今天。" in errors["given_on"] and errors["outcome"]
    assert not Consultation.objects.exists()


def test_the_action_refuses_closed_and_foreign_employers_and_other_roles(personas, employer, far_employer):
    with pytest.raises(ValidationError) as refused:
        record(personas, far_employer)
    assert refused.value.message_dict["employer"] == ["只能记录本辖区用人单位的咨询指导。"]
    employer.status = OperatingStatus.CLOSED
    employer.closed_on = timezone.localdate()  # as employers.actions.close_employer keeps it
    employer.save()
    with pytest.raises(ValidationError, match="已关闭"):
        record(personas, employer)
    with pytest.raises(PermissionDenied):
        record(personas, employer, recorded_by=personas.panzhou)
    assert not Consultation.objects.exists()


def test_a_uuid_of_someone_elses_record_is_not_given_back(personas, employer):
    key = uuid.uuid4()
    _stored, created = record(personas, employer, client_uuid=key)
    assert created
    again, created_again = record(personas, employer, client_uuid=key, subject="不同的内容")
    assert not created_again and again.subject == "咨询防尘口罩配发"  # the first body wins
    from xieguan.lib.testing import UserFactory

    colleague = UserFactory.create(username="colleague", region_id=employer.township_id)
    with pytest.raises(UuidTaken):
        record(personas, employer, recorded_by=colleague, client_uuid=key)
    assert Consultation.objects.count() == 1


def test_pages_refuse_other_counties_and_roles(client, client_for, personas, employer):
    consultation, _ = record(personas, employer)
    detail = reverse("outreach:consultation_detail", args=[consultation.pk])
    create = reverse("outreach:consultation_create")
    listing = reverse("outreach:consultations")
    # another county: 404 for the record and for its employer
    assert client_for("liuzhi").get(detail).status_code == 404
    assert client_for("xieguan2").get(detail).status_code == 404
    assert client_for("xieguan2").get(create, {"employer": employer.pk}).status_code == 404
    assert client_for("liuzhi").get(listing, {"employer": employer.pk}).status_code == 404
    assert list(client_for("liuzhi").get(listing).context["page"].object_list) == []
    # wrong role: only assistants record
    for name in ("panzhou", "jiandu", "sheng"):
        assert client_for(name).get(create).status_code == 403, name
    # every role in scope reads
    for name in ("panzhou", "jiandu", "lps", "sheng", "xieguan"):
        assert client_for(name).get(detail).status_code == 200, name
    assert client.get(detail).status_code == 302  # anonymous: to the login page


def test_the_api_records_exactly_once(client_for, personas, employer, far_employer):
    client = client_for("xieguan")
    body = {
        "client_uuid": str(uuid.uuid4()),
        "employer_id": employer.pk,
        "given_on": timezone.localdate().isoformat(),
        "kind": "guidance",
        "subject": "指导设置警示标识",
        "outcome": "已整改",
    }
    post = lambda c, b: c.post(API, json.dumps(b), content_type="application/json")  # noqa: E731
    first = post(client, body)
    assert first.status_code == 201, first.content
    again = post(client, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert first.json()["kind_label"] == "职业病防治指导"
    assert Consultation.objects.count() == 1
    # refusals: another assistant's UUID, another county's employer, a wrong role, bad input
    assert post(client_for("xieguan2"), body).status_code == 404
    assert (
        post(client, {**body, "client_uuid": str(uuid.uuid4()), "employer_id": far_employer.pk}).status_code
        == 404
    )
    assert post(client_for("panzhou"), {**body, "client_uuid": str(uuid.uuid4())}).status_code == 403
    bad = post(client, {**body, "client_uuid": str(uuid.uuid4()), "subject": ""})
    assert bad.status_code == 422 and bad.json()["problems"]["subject"] == ["请填写咨询或指导的内容。"]
    assert Consultation.objects.count() == 1
