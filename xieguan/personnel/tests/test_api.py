import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401(client, world):
    assert client.get("/api/v1/personnel/assistants").status_code == 401


@pytest.mark.parametrize("persona", ["jiandu", "xieguan"])
def test_other_roles_get_403(client_for, world, persona):
    client = client_for(persona)
    assert client.get("/api/v1/personnel/assistants").status_code == 403
    assert client.get(f"/api/v1/personnel/assistants/{world['appointed'].pk}").status_code == 403


def test_list_detail_and_filters(client_for, world):
    client = client_for("panzhou")
    data = client.get("/api/v1/personnel/assistants").json()
    assert {a["name"]: a["status"] for a in data} == {"王芳": "appointed", "李强": "candidate"}
    assert client.get("/api/v1/personnel/assistants?status=candidate").json()[0]["name"] == "李强"
    assert client.get("/api/v1/personnel/assistants?township=520281117").json()[0]["username"] == "xieguan"
    detail = client.get(f"/api/v1/personnel/assistants/{world['appointed'].pk}").json()
    assert detail["township_name"] == "柏果镇" and detail["term_end"] and detail["status_label"] == "在聘"
    assert (
        client_for("liuzhi").get(f"/api/v1/personnel/assistants/{world['appointed'].pk}").status_code == 404
    )


def test_schema_lists_the_operations(client_for):
    schema = client_for("sheng").get("/api/v1/openapi.json").json()
    assert "/api/v1/personnel/assistants" in schema["paths"]
    assert "/api/v1/personnel/assistants/{pk}" in schema["paths"]
