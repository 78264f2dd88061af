"""One rule of who can receive work (accounts.models.can_work): an active account whose term is not
over. An assistant whose last term ended keeps an active account that can no longer log in; the
pickers, the actions that hand out work and the notifications all leave them out alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from xieguan.accounts.models import User, can_work
from xieguan.leads import actions as lead_actions
from xieguan.leads import notify
from xieguan.leads.actions import LeadRefused
from xieguan.leads.forms import EmployerAssistForm
from xieguan.leads.tests.factories import employer, make_lead
from xieguan.lib.testing import TOWNSHIP
from xieguan.tasks import actions as task_actions
from xieguan.tasks.forms import TaskForm, TransferForm
from xieguan.tasks.tests.factories import assistant, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def expired(today):
    """An assistant whose term ended yesterday (personnel keeps the account active until a
    dismissal; access_until stops the login)."""
    return assistant(full_name="聘期届满者", access_until=today - dt.timedelta(days=1))


@pytest.fixture
def current(today):
    return assistant(full_name="在聘者", access_until=today)


def test_the_rule_as_a_query_and_on_a_loaded_user(expired, current, today):
    closed = assistant(full_name="停用者", is_active=False)
    found = set(User.objects.filter(can_work(), pk__in=[expired.pk, current.pk, closed.pk]))
    assert found == {current}
    assert [u.can_work() for u in (expired, current, closed)] == [False, True, False]
    # a past day: the expired assistant could work then
    assert expired.can_work(today - dt.timedelta(days=1))
    assert User.objects.filter(can_work(today - dt.timedelta(days=1)), pk=expired.pk).exists()


def test_task_pickers_offer_only_people_who_can_work(personas, expired, current):
    form = TaskForm(user=personas.panzhou)
    offered = set(form.fields["assistants"].queryset)  # type: ignore[attr-defined]
    assert current in offered and expired not in offered
    task = issue(personas.panzhou, assistants=[personas.xieguan])
    transfer = TransferForm(user=personas.panzhou, assignment=task.assignments.get())
    choices = set(transfer.fields["to"].queryset)  # type: ignore[attr-defined]
    assert current in choices and expired not in choices


def test_tasks_are_not_given_to_an_expired_assistant(personas, expired, current):
    with pytest.raises(ValidationError, match="不是在聘的协管员"):
        issue(personas.panzhou, assistants=[expired])
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    assignees = set(task.assignments.values_list("assignee_id", flat=True))
    assert current.pk in assignees and expired.pk not in assignees
    assignment = task.assignments.get(assignee=personas.xieguan)
    with pytest.raises(ValidationError, match="不是在聘的协管员"):
        task_actions.transfer_assignment(assignment, by=personas.panzhou, to=expired)


def test_assisted_investigations_go_only_to_assistants_who_can_work(personas, expired, current):
    place = employer()
    form = EmployerAssistForm(user=personas.jiandu)
    offered = set(form.fields["assistant"].queryset)  # type: ignore[attr-defined]
    assert current in offered and expired not in offered
    assert expired not in lead_actions.assistants_for(place.region_id)
    with pytest.raises(LeadRefused):
        lead_actions.request_assist(by=personas.jiandu, assistant=expired, employer=place)
    made = lead_actions.request_assist(by=personas.jiandu, assistant=current, employer=place)
    assert made.assistant == current


def test_notifications_skip_people_who_cannot_work(personas, expired, current, today):
    lead = make_lead(personas)
    assert expired not in notify.township_assistants(TOWNSHIP)
    made = notify.notify(
        [expired, current], kind="test", key=f"t:{lead.pk}", region_id=TOWNSHIP, title="测试"
    )
    assert [n.recipient for n in made] == [current]
    gone_officer = personas.jiandu
    gone_officer.access_until = today - dt.timedelta(days=1)
    gone_officer.save(update_fields=["access_until"])
    assert gone_officer not in lead_actions.officers_for(lead)
