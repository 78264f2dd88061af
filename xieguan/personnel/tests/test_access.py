"""Who may open which personnel page: anonymous → login, wrong role → 403, other county → 404."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (url name, world key for the pk or None)
READ = [
    ("personnel:list", None),
    ("personnel:export", None),
    ("personnel:detail", "appointed"),
    ("personnel:aftermath", "appointed"),
    ("personnel:assessment", "assessment"),
    ("personnel:assessment_pdf", "assessment"),
    ("personnel:training", None),
    ("personnel:training_rates", None),
    ("personnel:training_detail", "session"),
    ("personnel:staffing", None),
]
COUNTY_WRITE = [
    ("personnel:new", None),
    ("personnel:edit", "appointed"),
    ("personnel:eligibility", "candidate"),
    ("personnel:account", "candidate"),
    ("personnel:appoint", "candidate"),
    ("personnel:renew", "appointed"),
    ("personnel:reward", "appointed"),
    ("personnel:dismiss", "appointed"),
    ("personnel:assessment_edit", "assessment"),
]
TRAINER_WRITE = [("personnel:training_new", None), ("personnel:training_edit", "session")]
ALL = READ + COUNTY_WRITE + TRAINER_WRITE


def url(world, name, key):
    return reverse(name, args=[world[key].pk]) if key else reverse(name)


@pytest.mark.parametrize(("name", "key"), ALL)
def test_anonymous_is_sent_to_login(world, name, key):
    response = Client().get(url(world, name, key))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(("name", "key"), ALL)
@pytest.mark.parametrize("persona", ["jiandu", "xieguan"])
def test_officers_and_assistants_are_forbidden(client_for, world, name, key, persona):
    assert client_for(persona).get(url(world, name, key)).status_code == 403


@pytest.mark.parametrize(("name", "key"), ALL)
def test_the_county_admin_opens_every_page(client_for, world, name, key):
    assert client_for("panzhou").get(url(world, name, key)).status_code == 200


@pytest.mark.parametrize(("name", "key"), [(n, k) for n, k in ALL if k])
def test_another_county_gets_404(client_for, world, name, key):
    assert client_for("liuzhi").get(url(world, name, key)).status_code == 404


@pytest.mark.parametrize(("name", "key"), READ)
@pytest.mark.parametrize("persona", ["sheng", "lps"])
def test_province_and_prefecture_read(client_for, world, name, key, persona):
    assert client_for(persona).get(url(world, name, key)).status_code == 200


@pytest.mark.parametrize(("name", "key"), COUNTY_WRITE)
@pytest.mark.parametrize("persona", ["sheng", "lps"])
def test_province_and_prefecture_do_not_manage(client_for, world, name, key, persona):
    assert client_for(persona).get(url(world, name, key)).status_code == 403


def test_training_is_organised_by_province_and_county_not_prefecture(client_for, world):
    assert client_for("sheng").get(reverse("personnel:training_new")).status_code == 200
    assert client_for("lps").get(reverse("personnel:training_new")).status_code == 403
    # Only the organiser edits a session or records its results
    session = world["session"]
    assert client_for("sheng").get(reverse("personnel:training_edit", args=[session.pk])).status_code == 404
    assert (
        client_for("sheng").post(reverse("personnel:training_detail", args=[session.pk]), {}).status_code
        == 404
    )


def test_assessment_start_is_county_only_and_scoped(client_for, world):
    target = reverse("personnel:assessment_start", args=[world["appointed"].pk])
    assert client_for("sheng").post(target, {"year": "2025"}).status_code == 403
    assert client_for("liuzhi").post(target, {"year": "2025"}).status_code == 404
    assert client_for("panzhou").get(target).status_code == 405


def test_me_is_the_assistants_own_record(client_for, world):
    assert client_for("panzhou").get(reverse("personnel:me")).status_code == 403
    body = client_for("xieguan").get(reverse("personnel:me")).content.decode()
    assert "王芳" in body and "杨明" not in body
    assert "李强" not in body
    body2 = client_for("xieguan2").get(reverse("personnel:me")).content.decode()
    assert "杨明" in body2 and "王芳" not in body2


def test_lists_show_only_the_users_region(client_for, world):
    body = client_for("panzhou").get(reverse("personnel:list")).content.decode()
    assert "王芳" in body and "李强" in body and "杨明" not in body
    body = client_for("liuzhi").get(reverse("personnel:list")).content.decode()
    assert "杨明" in body and "王芳" not in body
    body = client_for("lps").get(reverse("personnel:list")).content.decode()
    assert "杨明" in body and "王芳" in body
    sessions = client_for("liuzhi").get(reverse("personnel:training")).content.decode()
    assert world["session"].topic not in sessions and world["other_session"].topic in sessions


def test_list_query_count(client_for, world, django_assert_max_num_queries):
    client = client_for("panzhou")
    with django_assert_max_num_queries(12):
        client.get(reverse("personnel:list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("personnel:training"))
    with django_assert_max_num_queries(12):
        client.get(reverse("personnel:staffing"))
