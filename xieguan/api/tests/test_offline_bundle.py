"""The offline bundle: contents, ETag / 304, who may have it, and a query count that does not grow
with the number of employers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.models import Employer, HazardCategory
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.tests.factories import assist_for
from xieguan.lib.testing import OTHER_TOWNSHIP, TOWNSHIP, EmployerFactory
from xieguan.tasks.tests.factories import issue

pytestmark = pytest.mark.django_db
URL = "/api/v1/offline/bundle"


@pytest.fixture
def field_day(personas):
    ensure_code_lists()
    load_templates()
    mine = EmployerFactory.create(name="贵州盘州测试煤矿有限公司", construction_project=True)
    mine.hazard_categories.set(HazardCategory.objects.filter(code__in=["dust", "physical"]))
    EmployerFactory.create(name="六枝特区测试建材厂", region_id=OTHER_TOWNSHIP + "001")
    assist_for(personas)
    issue(
        personas.panzhou,
        assistants=[personas.xieguan],
        title="统计辖区粉尘企业",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    return mine


def test_bundle_has_what_a_day_offline_needs(client_for, field_day):
    response = client_for("xieguan").get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["version"] and data["generated_at"] and data["size"] > 1000
    assert response["ETag"] == f'"{data["version"]}"'
    names = [e["name"] for e in data["employers"]]
    assert "贵州盘州测试煤矿有限公司" in names and "六枝特区测试建材厂" not in names
    assert set(names) == set(Employer.objects.filter(township_id=TOWNSHIP).values_list("name", flat=True))
    employer = next(e for e in data["employers"] if e["name"] == "贵州盘州测试煤矿有限公司")
    for key in ("address", "legal_representative", "phone", "version", "status", "is_key", "registered"):
        assert key in employer
    assert employer["hazard_categories"] == ["dust", "physical"] and employer["construction_project"]
    assert employer["region_name"] and employer["status_label"] == "在产"
    assert data["template"]["code"] == "fubiao1" and len(data["template"]["items"]) == 7
    assert [a["status"] for a in data["assists"]] == ["requested"]
    assert [t["title"] for t in data["tasks"]] == ["统计辖区粉尘企业"]
    lists = data["code_lists"]
    assert {c["code"] for c in lists["hazard_categories"]} >= {"dust", "chemical"}
    for name in ("industries", "complaint_channels", "publicity_kinds", "lead_types", "abnormal_kinds"):
        assert lists[name] and all(item["label"] for item in lists[name])
    assert any(section["title"] for section in data["worklist"])


def test_unchanged_bundle_is_304_and_a_change_moves_the_version(client_for, field_day):
    client = client_for("xieguan")
    first = client.get(URL)
    etag = first["ETag"]
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    Employer.objects.filter(pk=field_day.pk).update(phone="13900000000")
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_bundle_is_for_assistants(client, client_for, field_day):
    assert client.get(URL).status_code == 401
    for name in ("panzhou", "jiandu", "sheng"):
        response = client_for(name).get(URL)
        assert response.status_code == 403 and "协管员" in response.json()["detail"]
    other = client_for("xieguan2").get(URL).json()
    assert [e["name"] for e in other["employers"]] == ["六枝特区测试建材厂"]
    assert other["assists"] == [] and other["tasks"] == []


def test_query_count_does_not_grow_with_employers(client_for, field_day):
    client = client_for("xieguan")
    with CaptureQueriesContext(connection) as few:
        few_data = client.get(URL).json()
    categories = list(HazardCategory.objects.all())
    for n in range(25):
        employer = EmployerFactory.create(name=f"测试{n:02d}厂")
        employer.hazard_categories.set(categories[: 1 + n % 3])
    with CaptureQueriesContext(connection) as many:
        data = client.get(URL).json()
    assert len(data["employers"]) == 25 + len(few_data["employers"])
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
