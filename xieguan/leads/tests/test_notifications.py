"""Notifications: created exactly once per event, to the right people; e-mail when configured."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from xieguan.accounts.models import Notification, Role
from xieguan.leads import actions
from xieguan.leads.actions import State
from xieguan.leads.models import Importance, LeadType
from xieguan.leads.notify import notify_overdue
from xieguan.leads.tests.factories import lead_in, make_lead, report
from xieguan.lib.testing import COUNTY, UserFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def recipients(key):
    return sorted(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))


def test_important_lead_notifies_county_admins_and_officers_once(personas):
    lead = make_lead(personas, lead_type=LeadType.POISONING)
    assert recipients(f"lead-important:{lead.pk}") == ["jiandu", "panzhou"]
    from xieguan.leads.notify import notify_important_lead

    assert notify_important_lead(lead) == []  # the same event again: nothing new
    assert Notification.objects.filter(key=f"lead-important:{lead.pk}").count() == 2
    make_lead(personas)  # ordinary: nobody is notified
    assert Notification.objects.count() == 2


def test_assist_request_notifies_the_assistant(personas):
    lead = lead_in(State.ACKNOWLEDGED, personas)
    assist = actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, lead=lead)
    assert recipients(f"assist-request:{assist.pk}") == ["xieguan"]
    note = Notification.objects.get(key=f"assist-request:{assist.pk}")
    assert note.url == f"/leads/assists/{assist.pk}/" and note.region_id == lead.region_id


def test_overdue_command_is_idempotent(personas):
    start = dt.datetime(2025, 5, 6, 9, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False):
        important = make_lead(personas, importance=Importance.IMPORTANT)
        ordinary = make_lead(personas)
        on_time = make_lead(personas, importance=Importance.IMPORTANT)
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        report(on_time, personas)
    Notification.objects.all().delete()  # forget the "important lead" notices
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        call_command("notifyoverdue", stdout=None)
        assert Notification.objects.count() == 0  # due at 11:00, not overdue at 11:00
    with time_machine.travel(start + dt.timedelta(hours=2, minutes=1), tick=False):
        call_command("notifyoverdue")
        assert recipients(f"lead-overdue:{important.pk}") == ["panzhou", "xieguan"]
        assert Notification.objects.count() == 2
        call_command("notifyoverdue")
        assert Notification.objects.count() == 2
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        assert notify_overdue() == 2  # the ordinary one, now overdue
        assert notify_overdue() == 0
        assert recipients(f"lead-overdue:{ordinary.pk}") == ["panzhou", "xieguan"]
    assert not Notification.objects.filter(key=f"lead-overdue:{on_time.pk}").exists()


def test_overdue_skips_other_counties_and_inactive_users(personas):
    personas.panzhou.is_active = False
    personas.panzhou.save()
    with time_machine.travel(dt.datetime(2025, 5, 6, 9, 0, tzinfo=SH), tick=False):
        lead = make_lead(personas, importance=Importance.IMPORTANT)
    with time_machine.travel(dt.datetime(2025, 5, 6, 12, 0, tzinfo=SH), tick=False):
        notify_overdue()
    assert recipients(f"lead-overdue:{lead.pk}") == ["xieguan"]


def test_email_when_configured(personas, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.example.cn"
    settings.DEBUG = False
    personas.panzhou.email = "panzhou@example.cn"
    personas.panzhou.save()
    with django_capture_on_commit_callbacks(execute=True):
        lead = make_lead(personas, lead_type=LeadType.SUSPECTED_PATIENT)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["panzhou@example.cn"] and "重要线索" in mail.outbox[0].subject
    assert f"/leads/{lead.pk}/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        from xieguan.leads.notify import notify_important_lead

        notify_important_lead(lead)
    assert len(mail.outbox) == 1  # once per event


def test_no_email_without_a_server(personas, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    settings.DEBUG = False
    personas.panzhou.email = "panzhou@example.cn"
    personas.panzhou.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_lead(personas, lead_type=LeadType.SUSPECTED_PATIENT)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=personas.panzhou).count() == 1


def test_prefecture_officer_is_not_a_county_recipient(personas):
    UserFactory(username="shi_jiandu", role=Role.OFFICER, region_id=COUNTY[:4])
    lead = make_lead(personas, lead_type=LeadType.POISONING)
    assert "shi_jiandu" not in recipients(f"lead-important:{lead.pk}")
