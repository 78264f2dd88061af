"""The complainant's identity, for every role, in pages, lists, the API and exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.accounts.models import Role
from xieguan.leads import actions
from xieguan.leads.confidentiality import Where, can_see_complainant, complainant_for
from xieguan.leads.tests.factories import complaint, lead_of
from xieguan.lib.testing import COUNTY, TOWNSHIP, UserFactory

pytestmark = pytest.mark.django_db

NAME, CONTACT = "王秘密", "13900001111"
SEES = {"xieguan", "panzhou", "jiandu"}  # recorder, county admin of the county, handling officer
MASKED = {"sheng", "lps", "other_officer", "other_assistant"}
OUT_OF_SCOPE = {"liuzhi", "jiandu2", "xieguan2"}


@pytest.fixture
def case(personas, client_for):
    """A complaint recorded by xieguan, reported to the officer jiandu and signed for by him."""
    item = complaint(personas)
    actions.report_lead(lead_of(item), by=personas.xieguan, method="phone", officer=personas.jiandu)
    actions.acknowledge_lead(lead_of(item), by=personas.jiandu)
    users = {
        name: getattr(personas, name)
        for name in SEES | MASKED - {"other_officer", "other_assistant"} | OUT_OF_SCOPE
    }
    users["other_officer"] = UserFactory(
        username="jiandu_b", role=Role.OFFICER, region_id=COUNTY, agency=personas.jiandu.agency
    )
    users["other_assistant"] = UserFactory(username="xieguan_b", role=Role.ASSISTANT, region_id=TOWNSHIP)
    return item, users


def client_of(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(SEES | MASKED | OUT_OF_SCOPE))
def test_the_rule_for_every_role(case, name):
    item, users = case
    user = users[name]
    assert can_see_complainant(user, item) is (name in SEES)
    for where in (Where.LIST, Where.EXPORT, Where.API):
        assert not can_see_complainant(user, item, where=where)
        shown = complainant_for(user, item, where=where)
        assert shown.masked and NAME not in shown.name and CONTACT not in shown.contact


@pytest.mark.parametrize("name", sorted(SEES | MASKED | OUT_OF_SCOPE))
def test_detail_page(case, client, name):
    item, users = case
    response = client_of(client, users[name]).get(reverse("leads:detail", args=[item.lead_id]))
    if name in OUT_OF_SCOPE:
        assert response.status_code == 404
        return
    body = response.content.decode()
    assert response.status_code == 200
    if name in SEES:
        assert NAME in body and CONTACT in body
    else:
        assert NAME not in body and CONTACT not in body and "（已保密）" in body


@pytest.mark.parametrize("name", sorted(SEES | MASKED))
def test_lists_home_and_notifications_never_show_it(case, client, name):
    _item, users = case
    c = client_of(client, users[name])
    pages = [
        reverse("leads:list"),
        reverse("accounts:home"),
        reverse("accounts:notifications"),
        reverse("leads:assists"),
    ]
    if users[name].role == Role.OFFICER:
        pages += [reverse("leads:inbox") + "?tab=open"]
    for url in pages:
        response = c.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert NAME not in body and CONTACT not in body, url


@pytest.mark.parametrize("name", sorted(SEES | MASKED))
def test_export_masks_it(case, client, name):
    _item, users = case
    response = client_of(client, users[name]).get(reverse("leads:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    text = "\n".join(cells)
    assert "夜间排放刺鼻气体" in text  # the complaint is in the register …
    assert NAME not in text and CONTACT not in text and "（已保密）" in text  # … its complainant is not


@pytest.mark.parametrize("name", sorted(SEES | MASKED | OUT_OF_SCOPE))
def test_api_masks_it(case, client, name):
    item, users = case
    c = client_of(client, users[name])
    detail = c.get(f"/api/v1/leads/{item.lead_id}")
    listing = c.get("/api/v1/leads")
    if name in OUT_OF_SCOPE:
        assert detail.status_code == 404
        assert item.lead_id not in [row["id"] for row in listing.json()["items"]]
        return
    assert detail.status_code == 200 and listing.status_code == 200
    data = detail.json()
    assert data["complaint"]["masked"] is True
    assert data["complaint"]["complainant_name"] == "（已保密）"
    assert NAME not in detail.content.decode() and CONTACT not in detail.content.decode()
    assert NAME not in listing.content.decode()


def test_anonymous_complaint_says_so(personas, client_for):
    item = complaint(personas, anonymous=True, complainant_name="", complainant_contact="")
    body = client_for("panzhou").get(reverse("leads:detail", args=[item.lead_id])).content.decode()
    assert 'data-testid="complainant-name">匿名<' in body


def test_officer_sees_it_once_reported_to_him_or_signed_by_him(personas, client_for):
    item = complaint(personas)
    item.refresh_from_db()
    assert not can_see_complainant(personas.jiandu, item)  # not yet his case
    actions.report_lead(lead_of(item), by=personas.xieguan, method="system", agency=personas.jiandu.agency)
    item = type(item).objects.select_related("lead").get(pk=item.pk)
    assert not can_see_complainant(personas.jiandu, item)  # his agency's, but nobody signed for it
    actions.acknowledge_lead(lead_of(item), by=personas.jiandu)
    item = type(item).objects.select_related("lead").get(pk=item.pk)
    assert can_see_complainant(personas.jiandu, item)


def test_a_county_admin_who_recorded_it_sees_it_and_the_assistant_does_not(personas):
    item = complaint(personas, by=personas.panzhou)
    assert can_see_complainant(personas.panzhou, item)
    assert not can_see_complainant(personas.xieguan, item)
