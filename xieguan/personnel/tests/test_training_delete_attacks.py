"""Attacks on deleting a training session: forged requests, dismissed invitees, a stale edit of a
deleted session, and an edit racing the recording of a result."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from xieguan.lib.testing import while_uncommitted
from xieguan.personnel import actions
from xieguan.personnel.models import Assistant, AssistantStatus, TrainingRecord, TrainingSession
from xieguan.personnel.tests.factories import AssistantFactory, TrainingSessionFactory


@pytest.fixture
def three(personas):
    return [AssistantFactory.create() for _ in range(3)]


def _attend(session, assistant, score):
    record = session.records.get(assistant=assistant)
    actions.record_attendance(session, [actions.AttendanceRow(record.pk, True, score)])


@pytest.mark.django_db
def test_a_delete_without_the_csrf_token_is_refused(personas, three):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, three)
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.panzhou)
    response = client.post(reverse("personnel:training_delete", args=[session.pk]))
    assert response.status_code == 403
    assert TrainingSession.objects.filter(pk=session.pk).exists()


@pytest.mark.django_db
def test_a_dismissed_invitee_s_result_still_refuses_the_delete(client_for, personas, three):
    """The result of someone dismissed since still counts: the session is not deleted, and the
    page offers no delete button; with no result of anyone, dismissed invitees go with it."""
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, three)
    _attend(session, three[0], Decimal(80))
    Assistant.objects.filter(pk=three[0].pk).update(status=AssistantStatus.DISMISSED)
    client = client_for("panzhou")
    detail = client.get(reverse("personnel:training_detail", args=[session.pk])).content.decode()
    assert 'data-testid="training-delete"' not in detail
    response = client.post(reverse("personnel:training_delete", args=[session.pk]), follow=True)
    assert "已有 1 人登记了参训或考核结果" in response.content.decode()
    assert TrainingRecord.objects.filter(session=session).count() == 3

    unrecorded = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(unrecorded, three)
    Assistant.objects.filter(pk=three[1].pk).update(status=AssistantStatus.DISMISSED)
    assert client.post(reverse("personnel:training_delete", args=[unrecorded.pk])).status_code == 302
    assert not TrainingRecord.objects.filter(session_id=unrecorded.pk).exists()


@pytest.mark.django_db
def test_deleting_twice_is_a_404_the_second_time(client_for, personas, three):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, three)
    client = client_for("panzhou")
    url = reverse("personnel:training_delete", args=[session.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_an_edit_of_a_session_deleted_meanwhile_does_not_bring_it_back(personas, three):
    """The edit view read the session, then the session was deleted (another admin of the county,
    or the organiser's other tab) before the edit saved it: Model.save() found no row to update
    and inserted the session again with its invitations. The edit is refused instead."""
    session = TrainingSessionFactory.create(created_by=personas.panzhou, topic="取消的培训")
    actions.save_training_session(session, three)
    stale = TrainingSession.objects.get(pk=session.pk)
    actions.delete_training_session(session)
    stale.topic = "改过的主题"
    with pytest.raises(ValidationError, match="该培训已被删除"):
        actions.save_training_session(stale, three)
    assert not TrainingSession.objects.filter(pk=session.pk).exists()
    assert not TrainingRecord.objects.filter(session_id=session.pk).exists()


def recording_results(session, record) -> list[tuple[str, list[object]]]:
    """record_attendance up to its commit: the session row locked, a record marked attended."""
    return [
        (f"SELECT id FROM {TrainingSession._meta.db_table} WHERE id = %s FOR UPDATE", [session.pk]),  # noqa: S608
        (
            f"UPDATE {TrainingRecord._meta.db_table} SET attended = true, passed = true WHERE id = %s",  # noqa: S608
            [record.pk],
        ),
    ]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_withdrawing_an_invitation_waits_for_a_result_being_recorded(personas, three):
    """The organiser records 张三's attendance (the session row locked, the record updated, not
    committed) while an edit withdraws 张三's invitation, which it read as without a result: the
    edit must wait and then refuse, not delete the record with its result."""
    session = TrainingSessionFactory.create(created_by=personas.panzhou, has_exam=False)
    actions.save_training_session(session, three)
    record = session.records.get(assistant=three[0])
    race = while_uncommitted(
        recording_results(session, record),
        lambda: actions.save_training_session(TrainingSession.objects.get(pk=session.pk), three[1:]),
    )
    assert TrainingRecord.objects.filter(pk=record.pk, attended=True).exists()
    assert len(race.errors) == 1 and isinstance(race.errors[0], ValidationError), race.errors
    assert "已登记参训结果的人员不能取消邀请" in str(race.errors[0])


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_delete_waits_for_results_being_recorded_and_then_refuses(personas, three):
    """Results are being recorded (the session row locked, a record marked attended, not
    committed) while the organiser deletes the session: the delete waits for them and refuses."""
    session = TrainingSessionFactory.create(created_by=personas.panzhou, has_exam=False)
    actions.save_training_session(session, three)
    record = session.records.get(assistant=three[0])
    race = while_uncommitted(
        recording_results(session, record),
        lambda: actions.delete_training_session(TrainingSession.objects.get(pk=session.pk)),
    )
    assert race.waited, "the delete should wait for the session's lock"
    assert len(race.errors) == 1 and "已有 1 人登记了参训或考核结果" in str(race.errors[0]), race.errors
    assert TrainingRecord.objects.filter(pk=record.pk, attended=True).exists()


@pytest.mark.django_db
def test_a_hostile_topic_is_escaped_in_the_delete_question(client_for, personas, three):
    topic = '"><img src=x onerror=alert(1)>“删除”'
    session = TrainingSessionFactory.create(created_by=personas.panzhou, topic=topic)
    actions.save_training_session(session, three)
    page = client_for("panzhou").get(reverse("personnel:training_detail", args=[session.pk])).content.decode()
    assert 'data-testid="training-delete"' in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
