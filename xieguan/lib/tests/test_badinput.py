"""Issue 14 item 6: odd input gets a 400 or 404 with a Chinese message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
HUGE = "9" * 30


@pytest.mark.parametrize(
    "url",
    ["/leads/?q=%00", "/employers/?q=a%00b", "/regions/%00/", "/indicators/?year=%00", "/?next=%00"],
)
def test_a_nul_byte_is_a_400_in_chinese(client_for, url):
    response = client_for("panzhou").get(url)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_a_nul_byte_in_a_form_is_a_400(client_for):
    response = client_for("xieguan").post("/notifications/read/", {"next": "/\x00"})
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_the_api_answers_json(client_for):
    response = client_for("panzhou").get("/api/v1/leads?q=%00")
    assert response.status_code == 400
    assert "空字符" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [f"/leads/{HUGE}/", f"/employers/{HUGE}/", f"/tasks/a/{HUGE}/", f"/personnel/{HUGE}/"],
)
def test_a_huge_id_is_not_found(client_for, url):
    response = client_for("panzhou").get(url)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("year", ["0", "1999", HUGE])
def test_a_year_outside_the_kept_years_is_not_found(client_for, year):
    response = client_for("panzhou").get(f"/funding/520281/{year}/")
    assert response.status_code == 404


def test_a_huge_id_in_the_api(client_for):
    response = client_for("panzhou").get(f"/api/v1/leads/{HUGE}")
    assert response.status_code in (400, 404, 422)


@pytest.mark.parametrize(
    "url",
    [
        "/funding/999999/2026/",
        "/regions/999999999/",
        "/indicators/?year=0",
        "/indicators/?region=99",
        "/indicators/register/?year=0&township=999999999",
        "/login/?next=https://evil.example/",
    ],
)
def test_odd_values_are_refused_not_crashed(client_for, url):
    client: Client = client_for("panzhou")
    response = client.get(url)
    assert response.status_code < 500


# Characters str.isdigit() accepts and int() refuses (superscripts, circled digits): a view that
# checked a number with isdigit() and then called int() on it answered 500.
NOT_INT_DIGITS = ["²", "2025²", "①"]


@pytest.mark.parametrize("value", NOT_INT_DIGITS)
@pytest.mark.parametrize(
    ("who", "url", "name"),
    [
        ("xieguan", "/indicators/register/", "year"),
        ("panzhou", "/indicators/register.xlsx", "year"),
        ("panzhou", "/outreach/", "year"),
        ("panzhou", "/outreach/consultations/", "year"),
        ("panzhou", "/outreach/consultations/", "employer"),
        ("xieguan", "/outreach/consultations/new/", "employer"),
        ("xieguan", "/leads/new/", "employer"),
    ],
)
def test_a_digit_that_is_no_number_is_not_a_500(client_for, who, url, name, value):
    params = {name: value, **({"township": "520281117"} if url.endswith(".xlsx") else {})}
    response = client_for(who).get(url, params)
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("value", NOT_INT_DIGITS)
def test_a_digit_that_is_no_number_in_a_form_is_not_a_500(client_for, value):
    response = client_for("xieguan").post("/notifications/read/", {"id": [value]})
    assert response.status_code == 302
