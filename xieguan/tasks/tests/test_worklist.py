import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.lib.testing import TOWNSHIP
from xieguan.tasks import actions
from xieguan.tasks.models import Task, TaskAssignment
from xieguan.tasks.tests.factories import assistant, issue
from xieguan.tasks.worklist import due_badge, sections

pytestmark = pytest.mark.django_db


def _late(task: Task, days: int) -> None:
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - dt.timedelta(days=days))


def test_assistant_sees_open_tasks_due_first_with_overdue_flagged(personas):
    later = issue(
        personas.panzhou, regions=[TOWNSHIP], title="下月任务", due_on=timezone.localdate() + dt.timedelta(30)
    )
    soon = issue(personas.panzhou, regions=[TOWNSHIP], title="本周任务")
    late = issue(personas.panzhou, regions=[TOWNSHIP], title="逾期任务")
    _late(late, 2)
    done = issue(personas.panzhou, regions=[TOWNSHIP], title="已完成任务")
    actions.complete_assignment(done.assignments.get(), by=personas.xieguan, note="完成")
    closed = issue(personas.panzhou, regions=[TOWNSHIP], title="已关闭任务")
    actions.close_task(closed, by=personas.panzhou)
    (section,) = sections(personas.xieguan)
    assert [e.title for e in section.entries] == ["逾期任务", "本周任务", "下月任务"]
    assert [e.urgent for e in section.entries] == [True, False, False]
    assert section.entries[0].badge == "逾期 2 天"
    assert section.entries[0].url == late.assignments.get().get_absolute_url()
    assert later and soon


def test_other_assistants_and_counties_do_not_see_it(personas):
    issue(personas.panzhou, regions=[TOWNSHIP])
    assert sections(personas.xieguan2)[0].entries == []
    assert sections(assistant())[0].entries == []  # joined the township after the assignment


def test_county_sees_overdue_tasks_and_dismissed_assistants_open_tasks(personas):
    gone = assistant(full_name="老李")
    late = issue(personas.panzhou, regions=[TOWNSHIP], title="逾期任务")
    _late(late, 1)
    gone.is_active = False
    gone.save()
    by_title = {str(s.title): s for s in sections(personas.panzhou)}
    overdue = by_title["逾期未完成的交办任务"]
    assert [(e.title, e.urgent) for e in overdue.entries] == [("逾期任务", True)]
    assert "2 人未填报" in overdue.entries[0].detail
    dismissed = by_title["已不在聘协管员的未完成任务"]
    assert [e.url for e in dismissed.entries] == [late.assignments.get(assignee=gone).get_absolute_url()]
    assert "老李" in dismissed.entries[0].detail
    # The other county sees neither; the province sees the overdue one.
    assert all(not s.entries for s in sections(personas.liuzhi))
    assert sections(personas.sheng)[0].entries


def test_an_assistant_whose_term_ended_leaves_tasks_to_transfer(personas, client_for):
    """Not dismissed, but the term is over (the account is active, the login refused): the same
    rule as the pickers (accounts.models.can_work) lists their open task for 转交."""
    ended = assistant(full_name="老王", access_until=timezone.localdate() - dt.timedelta(days=1))
    task = issue(personas.panzhou, assistants=[personas.xieguan], title="在聘时交办")
    left_behind = TaskAssignment.objects.create(task=task, region_id=TOWNSHIP, assignee=ended)
    by_title = {str(s.title): s for s in sections(personas.panzhou)}
    left = by_title["已不在聘协管员的未完成任务"]
    assert [e.title for e in left.entries] == ["在聘时交办"] and "老王" in left.entries[0].detail
    body = client_for("panzhou").get(reverse("tasks:index") + "?show=orphaned").content.decode()
    assert "在聘时交办" in body and "待转交 1" in body
    page = client_for("panzhou").get(left_behind.get_absolute_url()).content.decode()
    assert "已不在聘（已解聘或聘期届满）" in page


def test_dismissed_section_is_absent_when_nothing_to_reassign(personas):
    issue(personas.panzhou, regions=[TOWNSHIP])
    assert [str(s.title) for s in sections(personas.panzhou)] == ["逾期未完成的交办任务"]
    assert sections(personas.jiandu) == []


def test_home_page_shows_the_task(personas, client_for):
    issue(personas.panzhou, regions=[TOWNSHIP], title="报送半年小结")
    body = client_for("xieguan").get(reverse("accounts:home")).content.decode()
    assert "上级交办任务" in body and "报送半年小结" in body


def test_due_badge():
    today = dt.date(2026, 6, 1)
    assert due_badge(today, today) == ("今天到期", False)
    assert due_badge(dt.date(2026, 6, 3), today) == ("2 天后到期", False)
    assert due_badge(dt.date(2026, 5, 30), today) == ("逾期 2 天", True)
