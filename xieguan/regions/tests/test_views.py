from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_assistant_sees_own_township(client_for):
    response = client_for("xieguan").get(reverse("regions:detail", args=["520281117"]))
    assert response.status_code == 200
    assert "柏果镇" in response.content.decode()


def test_assistant_cannot_see_the_county_above(client_for):
    assert client_for("xieguan").get(reverse("regions:detail", args=["520281"])).status_code == 404


def test_county_admin_of_another_county_gets_404(client_for):
    assert client_for("liuzhi").get(reverse("regions:detail", args=["520281117"])).status_code == 404


def test_prefecture_viewer_sees_both_counties(client_for):
    client = client_for("lps")
    assert client.get(reverse("regions:detail", args=["520281"])).status_code == 200
    assert client.get(reverse("regions:detail", args=["520203"])).status_code == 200
    assert client.get(reverse("regions:detail", args=["5201"])).status_code == 404


def test_mine_redirects_to_own_region(client_for):
    response = client_for("panzhou").get(reverse("regions:mine"))
    assert response.status_code == 302 and response.url.endswith("/regions/520281/")


def test_breadcrumbs_stop_at_the_users_scope(client_for):
    body = client_for("panzhou").get(reverse("regions:detail", args=["520281117"])).content.decode()
    assert 'href="/regions/520281/"' in body
    assert 'href="/regions/5202/"' not in body


def test_picker_offers_only_the_subtree(client_for):
    client = client_for("panzhou")
    body = client.get(reverse("regions:picker")).content.decode()
    assert "柏果镇" in body and "岩脚镇" not in body
    assert client.get(reverse("regions:picker"), {"parent": "520203"}).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("regions:detail", args=["52"]))
    assert response.status_code == 302 and "/login/" in response.url


def test_region_list_query_count(client_for, django_assert_max_num_queries):
    client = client_for("sheng")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("regions:detail", args=["5202"])).status_code == 200


@pytest.mark.parametrize("field", ["x, body", "a&parent=53", "<b>", "", "A", "x" * 41, "区划"])
def test_the_picker_refuses_a_field_name_that_is_not_an_identifier(client_for: Any, field: str) -> None:
    response = client_for("panzhou").get(reverse("regions:picker"), {"field": field})
    assert response.status_code == 400
    assert "字段名无效" in response.content.decode()


def test_the_picker_names_its_field(client_for: Any) -> None:
    body = client_for("panzhou").get(reverse("regions:picker"), {"field": "township_2"}).content.decode()
    assert 'id="picker-township_2"' in body and 'hx-target="#picker-township_2"' in body
