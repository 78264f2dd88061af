"""The ledger API: scoping, roles, validation, duplicates and the version check."""

import json

import pytest

from xieguan.employers.models import Employer
from xieguan.employers.tests.factories import make_employer, valid_credit_code

pytestmark = pytest.mark.django_db

BASE = "/api/v1/employers"


def payload(**overrides):
    data = {
        "name": "盘州市柏果镇接口煤矿",
        "credit_code": valid_credit_code(21),
        "region": "520281117001",
        "address": "柏果社区 2 组",
        "legal_representative": "李四",
        "phone": "0858 3621108",
        "industry_code": "06",
        "hazard_categories": ["dust"],
        "workers": 100,
        "exposed_workers": 60,
    }
    data.update(overrides)
    return data


def post(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def baiguo(personas):
    return make_employer(personas.xieguan, credit_code=valid_credit_code(1))


def test_anonymous_gets_401(client, baiguo):
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/{baiguo.pk}").status_code == 401
    assert post(client, BASE, payload()).status_code == 401


def test_list_is_scoped_and_filtered(client_for, personas, baiguo):
    make_employer(personas.xieguan, name="缺电话厂", phone="", industry="other", industry_code=None)
    make_employer(personas.xieguan2, name="岩脚煤矿", region_code="520203102001")
    data = client_for("xieguan").get(BASE).json()
    assert data["count"] == 2 and {e["name"] for e in data["items"]} == {baiguo.name, "缺电话厂"}
    data = client_for("xieguan").get(BASE, {"registered": "no"}).json()
    assert [(e["name"], e["missing_labels"]) for e in data["items"]] == [("缺电话厂", ["联系电话"])]
    assert client_for("liuzhi").get(BASE).json()["count"] == 1
    assert client_for("liuzhi").get(BASE, {"region": "520281117"}).status_code == 404


def test_list_query_count_is_flat(client_for, personas, django_assert_max_num_queries):
    for n in range(12):
        make_employer(personas.xieguan, name=f"煤矿{n}")
    client = client_for("panzhou")
    with django_assert_max_num_queries(10):
        assert client.get(BASE).json()["count"] == 12


def test_detail_and_its_refusal(client_for, baiguo):
    data = client_for("panzhou").get(f"{BASE}/{baiguo.pk}").json()
    assert data["credit_code"] == baiguo.credit_code and data["hazard_categories"] == ["dust"]
    assert data["version"] == 1 and data["registered"] is True
    for persona in ("liuzhi", "xieguan2", "jiandu2"):
        response = client_for(persona).get(f"{BASE}/{baiguo.pk}")
        assert response.status_code == 404 and response.json() == {"detail": "未找到"}


def test_response_matches_the_openapi_schema(client_for, baiguo):
    client = client_for("xieguan")
    schema = client.get("/api/v1/openapi.json").json()
    assert {f"{BASE}", f"{BASE}/{{employer_id}}"} <= set(schema["paths"])
    properties = schema["components"]["schemas"]["EmployerOut"]["properties"]
    assert set(client.get(f"{BASE}/{baiguo.pk}").json()) == set(properties)


def test_create(client_for, personas):
    response = post(client_for("xieguan"), BASE, payload())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["phone"] == "0858-3621108" and data["industry"] == "coal" and data["registered"]
    employer = Employer.objects.get()
    assert employer.created_by == personas.xieguan and employer.history.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"credit_code": valid_credit_code(21)[:-1] + "0"}, "credit_code", "校验位不对"),
        ({"phone": "0858-12345"}, "phone", "电话号码无效"),
        ({"exposed_workers": 500}, "exposed_workers", "不能多于劳动者人数"),
        ({"hazard_categories": []}, "hazard_categories", "至少选择一类"),
        ({"region": "520203102001"}, "region", "辖区内"),
    ],
)
def test_create_refusals_are_400_with_field_messages(client_for, overrides, field, message):
    response = post(client_for("xieguan"), BASE, payload(**overrides))
    assert response.status_code == 400
    body = response.json()
    assert message in " ".join(body["errors"][field]) and body["detail"].startswith("输入有误")
    assert not Employer.objects.exists()


def test_duplicate_is_409_with_the_existing_id(client_for, baiguo):
    response = post(client_for("xieguan"), BASE, payload(credit_code=baiguo.credit_code))
    assert response.status_code == 409 and response.json()["existing_id"] == baiguo.pk
    other = post(client_for("xieguan2"), BASE, payload(credit_code=baiguo.credit_code, region="520203102001"))
    assert other.status_code == 409 and other.json()["existing_id"] is None
    assert "其他辖区" in other.json()["detail"]


@pytest.mark.parametrize("persona", ["jiandu", "lps"])
def test_read_only_roles_get_403(client_for, baiguo, persona):
    client = client_for(persona)
    assert post(client, BASE, payload()).status_code == 403
    assert post(client, f"{BASE}/{baiguo.pk}", payload(version=1), method="put").status_code == 403


def test_update_with_version_check(client_for, baiguo):
    url = f"{BASE}/{baiguo.pk}"
    first = post(
        client_for("xieguan"), url, payload(credit_code=baiguo.credit_code, workers=150, version=1), "put"
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = post(
        client_for("panzhou"), url, payload(credit_code=baiguo.credit_code, workers=90, version=1), "put"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert (
        "已被他人修改" in body["detail"]
        and body["current"]["workers"] == 150
        and body["current"]["version"] == 2
    )
    baiguo.refresh_from_db()
    assert baiguo.workers == 150


def test_update_out_of_scope_is_404(client_for, baiguo):
    url = f"{BASE}/{baiguo.pk}"
    response = post(client_for("liuzhi"), url, payload(region="520203102001", version=1), "put")
    assert response.status_code == 404
    baiguo.refresh_from_db()
    assert baiguo.version == 1


def test_a_control_character_is_refused_not_stored(client_for, personas):
    """A control character pasted into a name or an address (U+0007) is refused in Chinese: the
    ledger's export shows it as a mark (␇), and that file imported back changed the name."""
    client = client_for("panzhou")
    for overrides, field in (({"name": "铃\x07煤矿"}, "name"), ({"address": "柏果\x01社区"}, "address")):
        response = post(client, "/api/v1/employers", payload(**overrides))
        assert response.status_code == 400, response.content
        assert "控制字符" in response.json()["detail"], field
    assert not Employer.objects.exists()
