"""Ledger additions and edits from the phone: an addition exactly once by client_uuid; a resent
edit that is already in the ledger is no conflict; a real conflict is 409 with both versions."""

import uuid

import pytest

from xieguan.employers import actions
from xieguan.employers.models import Employer
from xieguan.employers.tests.factories import make_employer, valid_credit_code
from xieguan.employers.tests.test_api import BASE, payload, post
from xieguan.lib import sync
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


def test_an_addition_is_stored_once(personas, client_for):
    client = client_for("xieguan")
    key = str(uuid.uuid4())
    first = post(client, BASE, payload(client_uuid=key))
    assert first.status_code == 201, first.content
    assert first.json()["client_uuid"] == key
    again = post(client, BASE, payload(client_uuid=key, name="改了名字的煤矿", workers=5, exposed_workers=9))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["name"] == "盘州市柏果镇接口煤矿"
    assert Employer.objects.count() == 1
    # without a UUID the same body is a duplicate, as before
    assert post(client, BASE, payload()).status_code == 409


def test_someone_elses_uuid_and_roles(personas, client_for):
    key = str(uuid.uuid4())
    assert post(client_for("xieguan"), BASE, payload(client_uuid=key)).status_code == 201
    assert post(client_for("panzhou"), BASE, payload(client_uuid=key)).status_code == 404
    assert post(client_for("jiandu"), BASE, payload(client_uuid=str(uuid.uuid4()))).status_code == 403
    refused = post(client_for("xieguan"), BASE, payload(client_uuid=str(uuid.uuid4()), region="520203102001"))
    assert refused.status_code == 400 and refused.json()["problems"]
    assert Employer.objects.count() == 1


def test_a_twin_that_meets_the_winner_as_a_duplicate_is_a_repeat(personas, monkeypatch):
    """The race's loser checked for the UUID before the winner committed, then its duplicate
    check sees the winner's row: it is answered with that row, not refused."""
    key = uuid.uuid4()
    data: dict[str, object] = {
        "name": "柏果镇孪生煤矿",
        "region": Region.objects.get(code="520281117001"),
        "hazard_categories": [],
        "credit_code": valid_credit_code(7),
    }
    winner = actions.create_employer(data, by=personas.xieguan, client_uuid=key)
    real = sync.stored
    looks = {"n": 0}

    def stale_first_look(queryset, client_uuid, *, user, field="client_uuid"):
        looks["n"] += 1
        return None if looks["n"] == 1 else real(queryset, client_uuid, user=user, field=field)

    monkeypatch.setattr(sync, "stored", stale_first_look)
    loser = actions.create_employer(data, by=personas.xieguan, client_uuid=key)
    assert loser.pk == winner.pk and sync.is_repeat(loser) and Employer.objects.count() == 1


def test_a_resent_edit_is_no_conflict_and_a_real_one_shows_both(personas, client_for):
    baiguo = make_employer(personas.xieguan, credit_code=valid_credit_code(1))
    url = f"{BASE}/{baiguo.pk}"
    edit = payload(credit_code=baiguo.credit_code, workers=150, version=1)
    assert post(client_for("xieguan"), url, edit, "put").json()["version"] == 2
    resent = post(client_for("xieguan"), url, edit, "put")  # the answer was lost; the phone resends
    assert resent.status_code == 200 and resent.json()["version"] == 2
    offline = payload(credit_code=baiguo.credit_code, workers=90, phone="13800001111", version=1)
    conflict = post(client_for("xieguan"), url, offline, "put")
    assert conflict.status_code == 409
    body = conflict.json()
    assert "已被他人修改" in body["detail"] and body["problems"]
    assert body["current"]["workers"] == 150 and body["current"]["version"] == 2
    assert body["submitted"]["workers"] == 90 and body["submitted"]["version"] == 1
    baiguo.refresh_from_db()
    assert baiguo.workers == 150 and baiguo.version == 2  # nothing overwritten
