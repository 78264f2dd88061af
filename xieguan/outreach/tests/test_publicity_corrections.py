"""Publicity events corrected and withdrawn: reasons and history kept, withdrawn ones leave the indicator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.indicators import periods
from xieguan.indicators.registry import indicator
from xieguan.indicators.tests.factories import EmployerFactory
from xieguan.lib.testing import TOWNSHIP, UserFactory
from xieguan.outreach import actions
from xieguan.outreach.models import PublicityEvent, PublicityRevision
from xieguan.personnel.assessment import measure
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(personas):
    return actions.record_publicity_event(
        recorded_by=personas.xieguan,
        region=Region.objects.get(code=TOWNSHIP),
        held_on=timezone.localdate() - dt.timedelta(days=3),
        kind="law",
        topic="职业病防治法宣传",
        audience=30,
    )


def form(event, **extra):
    data = {
        "held_on": event.held_on.isoformat(),
        "kind": event.kind,
        "topic": event.topic,
        "location": "镇政府广场",
        "audience": "80",
        "description": "",
        "reason": "人数记错",
    }
    data.update(extra)
    return data


def test_a_correction_keeps_the_reason_and_both_versions(client_for, event):
    mine = EmployerFactory.create(region_id=TOWNSHIP + "001", name="柏果煤矿")
    client = client_for("xieguan")
    url = reverse("outreach:correct", args=[event.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**form(event), "employers": [mine.pk]})
    assert response.status_code == 302, response.content.decode()
    event.refresh_from_db()
    assert (event.audience, event.location) == (80, "镇政府广场")
    revision = PublicityRevision.objects.get()
    assert revision.before["audience"] == 30 and revision.after["audience"] == 80
    assert revision.after["employers"] == ["柏果煤矿"] and revision.reason == "人数记错"
    page = client.get(reverse("outreach:detail", args=[event.pk])).content.decode()
    assert "受众人数：30 → 80" in page and "人数记错" in page


def test_a_correction_needs_a_reason_and_a_change(personas, event):
    with pytest.raises(ValidationError, match="请填写原因"):
        actions.correct_publicity_event(
            event, by=personas.xieguan, reason=" ", held_on=event.held_on, kind="law", topic="x"
        )
    with pytest.raises(ValidationError, match="没有修改任何内容"):
        actions.correct_publicity_event(
            event,
            by=personas.xieguan,
            reason="核对",
            held_on=event.held_on,
            kind=event.kind,
            topic=event.topic,
            audience=event.audience,
        )
    assert not PublicityRevision.objects.exists()
    event.refresh_from_db()
    assert event.audience == 30  # nothing half-saved


def test_a_withdrawn_event_leaves_the_indicator_and_the_assessment_but_stays(client_for, personas, event):
    from xieguan.personnel.tests.factories import serve

    year = periods.current_year()
    # in service all year (personnel's one definition): the township counts for publicity
    assistant = serve(personas.xieguan, TOWNSHIP, year.year - 1, year.year + 2, personas.panzhou)
    before = indicator("publicity").total(TOWNSHIP, year)
    assert before.numerator == 1
    assert measure(assistant, timezone.localdate().year).publicity_events == 1
    client = client_for("panzhou")  # the county admin may withdraw it too
    response = client.post(reverse("outreach:withdraw", args=[event.pk]), {"reason": "重复记录"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.withdrawn_at is not None
    assert indicator("publicity").total(TOWNSHIP, year).numerator == 0
    assert measure(assistant, timezone.localdate().year).publicity_events == 0
    assert PublicityEvent.objects.count() == 1 and PublicityEvent.objects.standing().count() == 0
    page = client.get(reverse("outreach:detail", args=[event.pk])).content.decode()
    assert "已撤回" in page and "重复记录" in page
    listing = client.get(reverse("outreach:list")).content.decode()
    assert "已撤回" in listing
    # once withdrawn it can neither be corrected nor withdrawn again
    with pytest.raises(ValidationError, match="已撤回"):
        actions.withdraw_publicity_event(event, by=personas.panzhou, reason="再撤")


def test_refusals(client, client_for, personas, event):
    correct = reverse("outreach:correct", args=[event.pk])
    withdraw = reverse("outreach:withdraw", args=[event.pk])
    for url in (correct, withdraw):
        # another county: 404
        assert client_for("liuzhi").get(url).status_code == 404
        assert client_for("xieguan2").get(url).status_code == 404
        # wrong role: 403
        assert client_for("jiandu").get(url).status_code == 403
        assert client_for("lps").get(url).status_code == 403
        assert client.get(url).status_code == 302  # anonymous: to login
    # an assistant of the same township who did not record it: 403
    colleague = UserFactory.create(username="colleague", region_id=TOWNSHIP)
    other = client_for("xieguan")
    other.force_login(colleague)
    assert other.post(withdraw, {"reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.withdraw_publicity_event(event, by=colleague, reason="x")
    event.refresh_from_db()
    assert event.withdrawn_at is None
