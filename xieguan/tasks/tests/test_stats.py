import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from xieguan.lib.testing import TOWNSHIP
from xieguan.tasks import actions
from xieguan.tasks.models import Task
from xieguan.tasks.stats import TaskCounts, assistant_task_counts, task_counts_for
from xieguan.tasks.tests.factories import assistant, issue

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ), tick=False)
def test_counts_per_assistant_and_year(personas, django_assert_num_queries):
    colleague = assistant()
    year = timezone.localdate().year
    on_time = issue(personas.panzhou, regions=[TOWNSHIP], title="按时")
    actions.complete_assignment(
        on_time.assignments.get(assignee=personas.xieguan), by=personas.xieguan, note="好"
    )
    late = issue(personas.panzhou, regions=[TOWNSHIP], title="逾期完成")
    Task.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    late.refresh_from_db()
    actions.complete_assignment(
        late.assignments.get(assignee=personas.xieguan), by=personas.xieguan, note="晚了"
    )
    cannot = issue(personas.panzhou, regions=[TOWNSHIP], title="做不了")
    actions.report_unable(cannot.assignments.get(assignee=personas.xieguan), by=personas.xieguan, reason="无")
    issue(personas.panzhou, regions=[TOWNSHIP], title="不计", answer_required=False)
    with django_assert_num_queries(1):
        counts = assistant_task_counts(year)
    assert counts[personas.xieguan.pk] == TaskCounts(assigned=3, done=2, on_time=1, unable=1, unanswered=0)
    assert counts[colleague.pk] == TaskCounts(assigned=3, done=0, on_time=0, unable=0, unanswered=3)
    assert assistant_task_counts(year, [colleague.pk]).keys() == {colleague.pk}
    assert task_counts_for(personas.xieguan2.pk, year) == TaskCounts()
    assert assistant_task_counts(year + 1) == {}


def test_transferred_assignment_counts_for_the_new_assignee(personas):
    gone = assistant()
    task = issue(personas.panzhou, assistants=[gone])
    newcomer = assistant()
    actions.transfer_assignment(task.assignments.get(), by=personas.panzhou, to=newcomer)
    counts = assistant_task_counts(task.due_on.year)
    assert gone.pk not in counts and counts[newcomer.pk].assigned == 1


def test_on_time_is_judged_in_china_days(personas):
    # Due 30 June; answered at 23:30 Beijing time on 30 June (15:30 UTC) is on time.
    with time_machine.travel(dt.datetime(2026, 6, 20, 9, 0, tzinfo=TZ), tick=False):
        task = issue(personas.panzhou, assistants=[personas.xieguan], due_on=dt.date(2026, 6, 30))
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=TZ), tick=False):
        actions.complete_assignment(task.assignments.get(), by=personas.xieguan, note="完成")
    assert task_counts_for(personas.xieguan.pk, 2026).on_time == 1
