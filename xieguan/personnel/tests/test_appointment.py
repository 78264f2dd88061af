"""Appointment (聘任): refused without pre-job training and the four conditions; terms and the account."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.lib.testing import PASSWORD
from xieguan.personnel import actions
from xieguan.personnel.models import Assistant, AssistantStatus
from xieguan.personnel.rules import default_term_end
from xieguan.personnel.tests.factories import AssistantFactory, passed_pre_job

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def test_refused_without_training_and_conditions_says_what_is_missing(personas):
    a = AssistantFactory.create()
    with pytest.raises(ValidationError) as exc:
        actions.appoint_assistant(
            a, start=today(), end=default_term_end(today()), document_no="", by=personas.panzhou
        )
    messages = exc.value.messages
    assert any("岗前培训" in m for m in messages)
    assert sum("尚未确认" in m for m in messages) == 4
    assert not a.appointments.exists()


def test_refused_with_conditions_but_no_training(personas):
    a = AssistantFactory.create(eligible=True)
    with pytest.raises(ValidationError) as exc:
        actions.appoint_assistant(
            a, start=today(), end=default_term_end(today()), document_no="", by=personas.panzhou
        )
    assert exc.value.messages == ["尚未通过岗前培训（须参加县(区)组织的岗前培训并考核合格）。"]


def test_refused_with_training_but_one_condition_without_evidence(personas):
    a = AssistantFactory.create(eligible=True, fit_for_duty_evidence="  ")
    passed_pre_job(a)
    with pytest.raises(ValidationError) as exc:
        actions.appoint_assistant(
            a, start=today(), end=default_term_end(today()), document_no="", by=personas.panzhou
        )
    assert exc.value.messages == ["条件“具有正常履行职责的身体条件”尚未确认（须勾选并填写依据或本人声明）。"]


def test_failed_pre_job_exam_does_not_count(personas):
    a = AssistantFactory.create(eligible=True)
    record = passed_pre_job(a)
    record.passed = False
    record.save()
    with pytest.raises(ValidationError):
        actions.appoint_assistant(
            a, start=today(), end=default_term_end(today()), document_no="", by=personas.panzhou
        )


def test_appointment_activates_the_account_until_the_term_end(personas):
    a = AssistantFactory.create(eligible=True, user=None)
    passed_pre_job(a)
    user = actions.create_account(a, username="newbie", password="Xg-2026-secret")
    user.refresh_from_db()
    assert not user.is_active and user.access_until < today()
    end = default_term_end(today())
    actions.appoint_assistant(
        a, start=today(), end=end, document_no="盘卫健聘〔2026〕1号", by=personas.panzhou
    )
    user.refresh_from_db()
    a.refresh_from_db()
    assert a.status == AssistantStatus.APPOINTED
    assert user.is_active and user.access_until == end


def test_term_rules(personas):
    a = AssistantFactory.create(eligible=True)
    passed_pre_job(a)
    by = personas.panzhou
    with pytest.raises(ValidationError, match="晚于开始"):
        actions.appoint_assistant(a, start=today(), end=today(), document_no="", by=by)
    with pytest.raises(ValidationError, match="不能超过 5 年"):
        actions.appoint_assistant(
            a, start=today(), end=today() + dt.timedelta(days=6 * 366), document_no="", by=by
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.appoint_assistant(
            a,
            start=today() + dt.timedelta(days=3),
            end=today() + dt.timedelta(days=400),
            document_no="",
            by=by,
        )
    with pytest.raises(ValidationError, match="已过"):
        actions.appoint_assistant(
            a,
            start=today() - dt.timedelta(days=400),
            end=today() - dt.timedelta(days=1),
            document_no="",
            by=by,
        )
    actions.appoint_assistant(a, start=today(), end=default_term_end(today()), document_no="", by=by)
    with pytest.raises(ValidationError, match="未结束的聘期"):
        actions.appoint_assistant(a, start=today(), end=default_term_end(today()), document_no="", by=by)


def test_renewal_continues_the_term_and_extends_access(personas):
    a = AssistantFactory.create(eligible=True, user=personas.xieguan)
    passed_pre_job(a)
    first_end = today() + dt.timedelta(days=20)
    actions.appoint_assistant(
        a, start=today() - dt.timedelta(days=700), end=first_end, document_no="", by=personas.panzhou
    )
    renewal = actions.renew_appointment(
        a, end=first_end + dt.timedelta(days=1095), document_no="续", by=personas.panzhou
    )
    assert (
        renewal.start == first_end + dt.timedelta(days=1)
        and renewal.renewal_of is not None
        and renewal.renewal_of.end == first_end
    )
    personas.xieguan.refresh_from_db()
    assert personas.xieguan.access_until == renewal.end
    # A second renewal continues from the renewal, never overlapping it
    with pytest.raises(ValidationError, match="晚于开始"):
        actions.renew_appointment(
            a, end=first_end + dt.timedelta(days=1000), document_no="", by=personas.panzhou
        )


def test_login_refused_after_the_term_ends_and_expireterms_is_idempotent(client, personas):
    a = AssistantFactory.create(eligible=True, user=personas.xieguan)
    passed_pre_job(a)
    end = today() + dt.timedelta(days=10)
    actions.appoint_assistant(
        a, start=today() - dt.timedelta(days=30), end=end, document_no="", by=personas.panzhou
    )
    assert (
        client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD}).status_code
        == 302
    )
    client.logout()
    later = end + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(later, dt.time(9), tzinfo=timezone.get_default_timezone())):
        # Derived in queries before the nightly command has run
        assert not Assistant.objects.in_service().filter(pk=a.pk).exists()
        assert Assistant.objects.derived_status_of(a.pk) == AssistantStatus.EXPIRED
        response = client.post(reverse("accounts:login"), {"username": "xieguan", "password": PASSWORD})
        assert response.status_code == 200 and "聘期已结束" in response.content.decode()
        assert actions.expire_terms() == 1
        assert actions.expire_terms() == 0
    a.refresh_from_db()
    assert a.status == AssistantStatus.EXPIRED


def test_renewal_after_a_lapse_starts_today(personas):
    a = AssistantFactory.create(eligible=True)
    passed_pre_job(a)
    actions.appoint_assistant(
        a,
        start=today() - dt.timedelta(days=30),
        end=today() + dt.timedelta(days=1),
        document_no="",
        by=personas.panzhou,
    )
    later = today() + dt.timedelta(days=40)
    with time_machine.travel(dt.datetime.combine(later, dt.time(9), tzinfo=timezone.get_default_timezone())):
        term = actions.renew_appointment(
            a, end=later + dt.timedelta(days=365), document_no="", by=personas.panzhou
        )
        assert term.start == later
        a.refresh_from_db()
        assert a.status == AssistantStatus.APPOINTED


def test_appoint_page_says_what_is_missing_and_refuses(client_for, personas):
    a = AssistantFactory.create(eligible=True)
    client = client_for("panzhou")
    body = client.get(reverse("personnel:appoint", args=[a.pk])).content.decode()
    assert "尚未通过岗前培训" in body and "disabled" in body
    response = client.post(
        reverse("personnel:appoint", args=[a.pk]),
        {"start": today().isoformat(), "end": default_term_end(today()).isoformat(), "document_no": ""},
    )
    assert response.status_code == 200 and "尚未通过岗前培训" in response.content.decode()
    assert not a.appointments.exists()


def test_appoint_page_appoints(client_for, personas):
    a = AssistantFactory.create(eligible=True)
    passed_pre_job(a)
    response = client_for("panzhou").post(
        reverse("personnel:appoint", args=[a.pk]),
        {"start": today().isoformat(), "end": default_term_end(today()).isoformat(), "document_no": "1号"},
    )
    assert response.status_code == 302
    assert a.appointments.get().document_no == "1号"
