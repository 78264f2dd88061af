import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xieguan.accounts.models import Notification
from xieguan.lib.testing import COUNTY, OTHER_TOWNSHIP, TOWNSHIP
from xieguan.tasks import actions
from xieguan.tasks.models import (
    AnswerFile,
    AssignmentStatus,
    Task,
    TaskAssignment,
    TaskAttachment,
    TaskStatus,
)
from xieguan.tasks.tests.factories import assistant, document, issue, photo

pytestmark = pytest.mark.django_db

OTHER_BAIGUO_TOWNSHIP = "520281104"  # another township of 盘州市


def test_township_target_gives_one_assignment_per_active_assistant(personas):
    colleague = assistant()
    gone = assistant(is_active=False)
    elsewhere = assistant(OTHER_BAIGUO_TOWNSHIP)
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    assignees = set(task.assignments.values_list("assignee_id", flat=True))
    assert assignees == {personas.xieguan.pk, colleague.pk}
    assert gone.pk not in assignees and elsewhere.pk not in assignees
    assert task.region_id == COUNTY
    assert all(a.region_id == TOWNSHIP and a.via_id == TOWNSHIP for a in task.assignments.all())
    assert list(task.targets.values_list("code", flat=True)) == [TOWNSHIP]


def test_whole_county_and_direct_choice_collapse_to_one_assignment_each(personas):
    elsewhere = assistant(OTHER_BAIGUO_TOWNSHIP)
    task = issue(personas.panzhou, regions=[COUNTY], assistants=[personas.xieguan])
    rows = {a.assignee_id: a for a in task.assignments.all()}
    assert set(rows) == {personas.xieguan.pk, elsewhere.pk}
    assert rows[personas.xieguan.pk].via_id is None  # chosen by name
    assert rows[elsewhere.pk].via_id == COUNTY


def test_each_assignee_is_notified_once(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = task.assignments.get()
    notes = Notification.objects.filter(recipient=personas.xieguan, kind="task_assigned")
    assert notes.count() == 1
    assert notes.get().url == a.get_absolute_url() and task.title in notes.get().title


def test_province_assigns_to_a_county(personas):
    task = issue(personas.sheng, regions=[COUNTY])
    assert task.region_id == "52"
    assert task.assignments.get().assignee == personas.xieguan


@pytest.mark.parametrize(
    ("issuer", "kwargs", "message"),
    [
        ("panzhou", {"regions": [OTHER_TOWNSHIP]}, "不在您的辖区内"),
        ("panzhou", {"assistants": ["xieguan2"]}, "不在您的辖区内"),
        ("liuzhi", {"regions": [TOWNSHIP]}, "不在您的辖区内"),
        ("panzhou", {"regions": ["520281117001"]}, "只能交办给乡(镇、街道)或县(区)"),
        ("panzhou", {"regions": [OTHER_BAIGUO_TOWNSHIP]}, "目前没有在聘的协管员"),
        ("panzhou", {}, "请至少选择"),
        ("panzhou", {"assistants": ["jiandu"]}, "不是在聘的协管员"),
    ],
)
def test_refusals_save_nothing(personas, issuer, kwargs, message):
    if "assistants" in kwargs:
        kwargs = {"assistants": [getattr(personas, n) for n in kwargs["assistants"]]}
    with pytest.raises(ValidationError) as info:
        issue(getattr(personas, issuer), **kwargs)
    assert message in " ".join(info.value.messages)
    assert not Task.objects.exists() and not Notification.objects.exists()


def test_assistant_and_officer_cannot_assign(personas):
    for name in ("xieguan", "jiandu"):
        with pytest.raises(PermissionDenied):
            issue(getattr(personas, name), regions=[TOWNSHIP])


def test_empty_title_and_bad_files_are_refused(personas):
    with pytest.raises(ValidationError) as info:
        issue(personas.panzhou, regions=[TOWNSHIP], title="  ")
    assert info.value.message_dict == {"title": ["请填写任务名称。"]}
    with pytest.raises(ValidationError, match="类型不支持"):
        issue(personas.panzhou, regions=[TOWNSHIP], files=[document("run.exe")])
    assert not Task.objects.exists() and not TaskAttachment.objects.exists()


def test_attachments_are_stored_with_the_task(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP], files=[document(), photo()])
    names = sorted(task.attachments.values_list("name", flat=True))
    assert names == ["现场.jpg", "通知.pdf"]  # the photo re-encoded as JPEG
    assert all(f.region_id == COUNTY for f in task.attachments.all())


def test_complete_records_note_time_files_and_tells_the_issuer(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = task.assignments.get()
    done = actions.complete_assignment(a, by=personas.xieguan, note="已排查 3 个项目。", files=[photo()])
    assert done.status == AssignmentStatus.DONE and done.answered_at is not None
    assert done.on_time is True
    assert AnswerFile.objects.get().region_id == TOWNSHIP
    assert Notification.objects.filter(recipient=personas.panzhou, kind="task_answered").count() == 1


def test_answer_refusals(personas):
    colleague = assistant()
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    mine = task.assignments.get(assignee=personas.xieguan)
    with pytest.raises(PermissionDenied):
        actions.complete_assignment(mine, by=colleague, note="替别人填")
    with pytest.raises(ValidationError, match="请填写完成情况"):
        actions.complete_assignment(mine, by=personas.xieguan, note=" ")
    with pytest.raises(ValidationError, match="请说明无法完成的原因"):
        actions.report_unable(mine, by=personas.xieguan, reason="")
    with pytest.raises(ValidationError, match="需要填报完成情况"):
        actions.acknowledge_assignment(mine, by=personas.xieguan)
    actions.complete_assignment(mine, by=personas.xieguan, note="完成")
    with pytest.raises(ValidationError, match="不能重复填报"):
        actions.report_unable(mine, by=personas.xieguan, reason="其实做不了")
    mine.refresh_from_db()
    assert mine.status == AssignmentStatus.DONE and mine.note == "完成"


def test_unable_and_acknowledge(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = actions.report_unable(task.assignments.get(), by=personas.xieguan, reason="辖区内无此类项目")
    assert a.status == AssignmentStatus.UNABLE and a.note == "辖区内无此类项目"
    notice = issue(personas.panzhou, regions=[TOWNSHIP], title="学习新版目录", answer_required=False)
    b = actions.acknowledge_assignment(notice.assignments.get(), by=personas.xieguan)
    assert b.status == AssignmentStatus.ACKNOWLEDGED


def test_closed_task_takes_no_answers_and_leaves_work_lists(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    actions.close_task(task, by=personas.panzhou, note="已电话确认")
    a = task.assignments.get()
    with pytest.raises(ValidationError, match="已关闭"):
        actions.complete_assignment(a, by=personas.xieguan, note="完成")
    assert not TaskAssignment.objects.pending().exists()
    with pytest.raises(ValidationError, match="已经关闭"):
        actions.close_task(task, by=personas.panzhou)


def test_only_the_issuing_region_manages(personas):
    task = issue(personas.sheng, regions=[COUNTY])
    for name in ("panzhou", "liuzhi", "xieguan"):
        with pytest.raises(PermissionDenied):
            actions.close_task(task, by=getattr(personas, name))
        with pytest.raises(PermissionDenied):
            actions.remind(task, by=getattr(personas, name))
    county_task = issue(personas.panzhou, regions=[TOWNSHIP])
    assert actions.close_task(county_task, by=personas.sheng).status == TaskStatus.CLOSED


def test_remind_notifies_open_assignees_once_per_key(personas):
    colleague = assistant()
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    actions.complete_assignment(task.assignments.get(assignee=colleague), by=colleague, note="完成")
    assert actions.remind(task, by=personas.panzhou) == 1
    assert actions.remind(task, by=personas.panzhou) == 0  # same day: once
    assert actions.remind(task, by=personas.panzhou, key="second") == 1
    reminders = Notification.objects.filter(kind="task_reminder")
    assert set(reminders.values_list("recipient_id", flat=True)) == {personas.xieguan.pk}
    assert reminders.count() == 2
    assert task.assignments.get(assignee=personas.xieguan).last_reminded_at is not None


def test_transfer_hands_an_open_assignment_to_an_active_assistant(personas):
    gone = assistant()
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    old = task.assignments.get(assignee=gone)
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError, match="已有此任务"):
        actions.transfer_assignment(old, by=personas.panzhou, to=personas.xieguan)
    newcomer = assistant()
    new = actions.transfer_assignment(old, by=personas.panzhou, to=newcomer)
    old.refresh_from_db()
    assert old.status == AssignmentStatus.TRANSFERRED and old.transferred_to == new
    assert new.assignee == newcomer and new.status == AssignmentStatus.OPEN
    assert Notification.objects.filter(recipient=newcomer, key=f"task-assigned:{new.pk}").exists()
    with pytest.raises(ValidationError, match="只能转交尚未填报"):
        actions.transfer_assignment(old, by=personas.panzhou, to=assistant())


def test_transfer_refusals(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = task.assignments.get()
    with pytest.raises(PermissionDenied):
        actions.transfer_assignment(a, by=personas.liuzhi, to=assistant())
    with pytest.raises(PermissionDenied):
        actions.transfer_assignment(a, by=personas.lps, to=assistant())  # the prefecture only views
    with pytest.raises(ValidationError, match="不在您的辖区内"):
        actions.transfer_assignment(a, by=personas.panzhou, to=personas.xieguan2)
    with pytest.raises(ValidationError, match="不是在聘的协管员"):
        actions.transfer_assignment(a, by=personas.panzhou, to=assistant(is_active=False))


def test_history_is_kept_for_tasks_and_assignments(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = task.assignments.get()
    actions.complete_assignment(a, by=personas.xieguan, note="完成")
    actions.close_task(task, by=personas.panzhou)
    assert [h.status for h in a.history.order_by("history_date")] == ["open", "done"]
    assert [h.status for h in task.history.order_by("history_date")] == ["open", "closed"]


def test_overdue_is_by_due_date_and_answer_required(personas):
    late = issue(personas.panzhou, regions=[TOWNSHIP], due_on=timezone.localdate() - dt.timedelta(days=1))
    fyi = issue(
        personas.panzhou,
        regions=[TOWNSHIP],
        title="知悉即可",
        answer_required=False,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert list(TaskAssignment.objects.overdue()) == [late.assignments.get()]
    assert not fyi.assignments.get().is_overdue()
