"""Security review: the complainant's identity in the places added lately — the offline bundle,
the personal-data access log, the API lists and transitions — for every role (masked = never the
name or the contact)."""

import pytest

from xieguan.leads.tests.test_confidentiality import CONTACT, MASKED, NAME, OUT_OF_SCOPE, SEES, case  # noqa: F401

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/offline/bundle",
    "/api/v1/leads",
    "/api/v1/assists",
    "/api/v1/me",
    "/audit/",
    "/audit/?q=" + NAME,
    "/notifications/",
    "/account/",
]


def _text(response) -> str:
    body = response.content.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        body += response.content.decode("unicode_escape", errors="replace")
    return body


@pytest.mark.parametrize("name", sorted(SEES | MASKED | OUT_OF_SCOPE))
def test_no_list_bundle_or_log_shows_the_complainant(case, client, name):  # noqa: F811
    _item, users = case
    client.force_login(users[name])
    for url in URLS:
        response = client.get(url)
        assert response.status_code < 500, url
        text = _text(response)
        assert NAME not in text and CONTACT not in text, (name, url)


@pytest.mark.parametrize("name", sorted(MASKED | OUT_OF_SCOPE))
def test_the_lead_itself_in_the_api_hides_the_complainant(case, client, name):  # noqa: F811
    item, users = case
    client.force_login(users[name])
    response = client.get(f"/api/v1/leads/{item.lead.pk}")
    assert response.status_code in (200, 403, 404)
    text = _text(response)
    assert NAME not in text and CONTACT not in text
