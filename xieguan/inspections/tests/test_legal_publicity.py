"""普法 during the visit (谁执法谁普法): recorded on the inspection by the form, the API and amendments."""

import json

import pytest
from django.urls import reverse

from xieguan.inspections import actions
from xieguan.inspections.models import Inspection
from xieguan.inspections.tests.factories import api_payload, payload

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/inspections/submit"


def post(client, body):
    return client.post(SUBMIT, json.dumps(body), content_type="application/json")


def test_the_api_records_and_returns_it(client_for, fubiao1, employer):
    client = client_for("xieguan")
    given = post(client, api_payload(employer, fubiao1, legal_publicity=True))
    assert given.status_code == 201, given.content
    assert given.json()["inspection"]["legal_publicity"] is True
    refused = post(client, api_payload(employer, fubiao1, legal_publicity=False))
    assert refused.json()["inspection"]["legal_publicity"] is False
    # an older client that does not send it: not recorded (null), never a guess
    silent = post(client, api_payload(employer, fubiao1))
    assert silent.json()["inspection"]["legal_publicity"] is None
    assert sorted(Inspection.objects.values_list("legal_publicity", flat=True), key=str) == [
        False,
        None,
        True,
    ]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "legal_publicity" in schema["InspectionIn"]["properties"]
    assert "legal_publicity" in schema["InspectionOut"]["properties"]


def test_the_form_asks_and_the_detail_shows_it(client_for, personas, fubiao1, employer):
    client = client_for("xieguan")
    form = client.get(reverse("inspections:new", args=[employer.pk])).content.decode()
    assert 'name="legal_publicity"' in form and "谁执法谁普法" in form
    old = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection
    assert old.legal_publicity is None
    page = client.get(reverse("inspections:detail", args=[old.pk])).content.decode()
    assert "未记录" in page


def test_an_amendment_can_record_it_and_says_so_in_words(client_for, personas, fubiao1, employer):
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection
    client = client_for("xieguan")
    form = {
        "employer_name": inspection.employer_name,
        "address": inspection.address,
        "legal_representative": inspection.legal_representative,
        "phone": inspection.phone,
        "inspected_at": "2020-01-01T09:30",
        "accompanying_person": inspection.accompanying_person,
        "legal_publicity": "yes",
        "reason": "补记普法宣传",
    }
    for answer in inspection.answers.select_related("item"):
        form[f"answer_{answer.item.number}"] = answer.answer
        form[f"note_{answer.item.number}"] = answer.note
    response = client.post(reverse("inspections:amend", args=[inspection.pk]), form)
    assert response.status_code == 302, response.content.decode()
    inspection.refresh_from_db()
    assert inspection.legal_publicity is True
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "巡查时开展普法宣传" in page and "已开展" in page
    assert "True" not in page and "None" not in page


def test_the_offline_template_data_asks_it(client_for, fubiao1):
    template = client_for("xieguan").get("/api/v1/inspections/templates/active").json()
    assert [q["name"] for q in template["questions"]] == ["legal_publicity"]
    assert "谁执法谁普法" in template["questions"][0]["label"]
    bundle = client_for("xieguan").get("/api/v1/offline/bundle")
    assert bundle.status_code == 200
    assert bundle.json()["template"]["questions"][0]["true_label"] == "已开展"
