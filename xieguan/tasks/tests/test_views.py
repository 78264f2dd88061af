import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Notification
from xieguan.lib.testing import COUNTY, TOWNSHIP
from xieguan.tasks import actions
from xieguan.tasks.models import AssignmentStatus, Task, TaskAssignment, TaskStatus
from xieguan.tasks.tests.factories import assistant, document, issue, photo
from xieguan.tasks.worklist import sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(personas):
    t = issue(personas.panzhou, regions=[TOWNSHIP], files=[document()])
    a = t.assignments.get()
    actions.complete_assignment(a, by=personas.xieguan, note="已完成", files=[photo()])
    return t


@pytest.fixture
def urls(task):
    a = task.assignments.get()
    return {
        "index": ("get", reverse("tasks:index")),
        "mine": ("get", reverse("tasks:mine")),
        "create": ("get", reverse("tasks:create")),
        "detail": ("get", reverse("tasks:detail", args=[task.pk])),
        "remind": ("post", reverse("tasks:remind", args=[task.pk])),
        "close": ("post", reverse("tasks:close", args=[task.pk])),
        "assignment": ("get", reverse("tasks:assignment", args=[a.pk])),
        "complete": ("post", reverse("tasks:complete", args=[a.pk])),
        "unable": ("post", reverse("tasks:unable", args=[a.pk])),
        "acknowledge": ("post", reverse("tasks:acknowledge", args=[a.pk])),
        "transfer": ("post", reverse("tasks:transfer", args=[a.pk])),
        "task_file": ("get", reverse("tasks:task_file", args=[task.attachments.get().pk])),
        "answer_file": ("get", reverse("tasks:answer_file", args=[a.files.get().pk])),
    }


ALL = ["index", "mine", "create", "detail", "remind", "close", "assignment", "complete", "unable"]
ALL += ["acknowledge", "transfer", "task_file", "answer_file"]


@pytest.mark.parametrize("name", ALL)
def test_anonymous_is_sent_to_login(client, urls, name):
    method, url = urls[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("liuzhi", "detail"),
        ("liuzhi", "remind"),
        ("liuzhi", "close"),
        ("liuzhi", "assignment"),
        ("liuzhi", "transfer"),
        ("liuzhi", "task_file"),
        ("liuzhi", "answer_file"),
        ("xieguan2", "assignment"),
        ("xieguan2", "complete"),
        ("xieguan2", "unable"),
        ("xieguan2", "acknowledge"),
        ("xieguan2", "task_file"),
        ("xieguan2", "answer_file"),
        ("jiandu", "assignment"),  # same county, but not an assignee
        ("jiandu", "task_file"),
        ("jiandu", "answer_file"),
    ],
)
def test_outside_the_scope_is_404(client_for, urls, persona, name):
    method, url = urls[name]
    assert getattr(client_for(persona), method)(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("xieguan", "index"),
        ("xieguan", "create"),
        ("xieguan", "detail"),
        ("xieguan", "remind"),
        ("xieguan", "close"),
        ("xieguan", "transfer"),
        ("jiandu", "index"),
        ("jiandu", "create"),
        ("jiandu", "mine"),
        ("panzhou", "mine"),
        ("panzhou", "complete"),
        ("panzhou", "unable"),
        ("sheng", "acknowledge"),
        ("lps", "transfer"),
    ],
)
def test_wrong_role_is_403(client_for, urls, persona, name):
    method, url = urls[name]
    assert getattr(client_for(persona), method)(url).status_code == 403


def test_a_colleague_in_the_same_township_cannot_open_or_answer_my_assignment(personas, client, urls):
    colleague = assistant()
    client.force_login(colleague)
    for name in ("assignment", "complete", "answer_file", "task_file"):
        method, url = urls[name]
        assert getattr(client, method)(url).status_code == 404, name


def test_county_sees_a_province_task_in_its_region_only(personas, client_for):
    other = assistant("520203102")
    task = issue(personas.sheng, regions=["520281", "520203"])
    body = client_for("panzhou").get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert personas.xieguan.full_name in body and other.full_name not in body
    assert "催办未完成的协管员" not in body  # the province manages its own task
    assert client_for("panzhou").post(reverse("tasks:close", args=[task.pk])).status_code == 403


def test_create_assigns_to_a_township_with_attachments(personas, client_for):
    due = timezone.localdate() + dt.timedelta(days=10)
    response = client_for("panzhou").post(
        reverse("tasks:create"),
        {
            "title": "核查放射诊疗单位",
            "description": "核查辖区放射诊疗单位个人剂量监测情况。",
            "due_on": due.isoformat(),
            "answer_required": "on",
            "townships": [TOWNSHIP],
            "attachments": [document("核查表.xlsx", b"PK\x03\x04 xlsx")],
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.due_on == due and task.answer_required
    assert task.assignments.get().assignee == personas.xieguan
    assert task.attachments.get().name == "核查表.xlsx"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"townships": [TOWNSHIP], "due_on": "2020-01-01"}, "完成期限不能早于今天。"),
        ({}, "请至少选择一名协管员、一个乡镇或一个县(区)。"),
        ({"townships": ["520203102"]}, "选择一个有效的选项"),  # another county's township is not offered
        ({"townships": ["520281104"]}, "目前没有在聘的协管员"),
    ],
)
def test_create_refusals_say_why_in_chinese(personas, client_for, data, message):
    post = {"title": "任务", "description": "要求", "due_on": timezone.localdate().isoformat(), **data}
    response = client_for("panzhou").post(reverse("tasks:create"), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_create_form_offers_targets_by_level(client_for):
    county = client_for("panzhou").get(reverse("tasks:create")).content.decode()
    assert "柏果镇" in county and "交办给全县(区)" in county and "xieguan" in county
    province = client_for("sheng").get(reverse("tasks:create")).content.decode()
    assert "交办给乡(镇、街道)" not in province and "六枝特区" in province


def test_create_form_marks_its_required_fields_as_the_other_forms_do(client_for):
    """任务名称, 任务要求 and 完成期限 are required: a red ``*`` after the label (as in the leads,
    personnel and outreach forms); 附件 is optional: none."""
    page = client_for("panzhou").get(reverse("tasks:create")).content.decode()
    star = ' <span class="text-danger" aria-hidden="true">*</span></label>'
    for label in ("任务名称", "任务要求", "完成期限"):
        assert f">{label}{star}" in page, label
    assert ">附件</label>" in page


def test_assistant_completes_with_a_photo_and_the_county_sees_it(personas, client_for):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = task.assignments.get()
    phone = client_for("xieguan")
    page = phone.get(a.get_absolute_url())
    assert page.status_code == 200 and "填报完成情况" in page.content.decode()
    a.refresh_from_db()
    assert a.seen_at is not None
    response = phone.post(
        reverse("tasks:complete", args=[a.pk]), {"note": "已排查 2 个项目，均已预评价。", "photos": [photo()]}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.DONE and a.files.count() == 1
    detail = client_for("panzhou").get(task.get_absolute_url()).content.decode()
    assert 'data-testid="n-done">1<' in detail and "已排查 2 个项目" in detail


def test_complete_without_a_note_is_refused_and_shown(personas, client_for):
    a = issue(personas.panzhou, regions=[TOWNSHIP]).assignments.get()
    response = client_for("xieguan").post(reverse("tasks:complete", args=[a.pk]), {"note": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = client_for("xieguan").post(
        reverse("tasks:complete", args=[a.pk]), {"note": "完成", "photos": [document("x.exe")]}
    )
    assert response.status_code == 400 and "类型不支持" in response.content.decode()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OPEN and not a.files.exists()


def test_unable_and_acknowledge_views(personas, client_for):
    a = issue(personas.panzhou, regions=[TOWNSHIP]).assignments.get()
    client = client_for("xieguan")
    assert client.post(reverse("tasks:unable", args=[a.pk]), {"reason": "项目已停工"}).status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.UNABLE
    b = issue(personas.panzhou, regions=[TOWNSHIP], answer_required=False, title="知悉").assignments.get()
    assert client.post(reverse("tasks:acknowledge", args=[b.pk])).status_code == 302
    b.refresh_from_db()
    assert b.status == AssignmentStatus.ACKNOWLEDGED


def test_remind_and_close_views(personas, client_for):
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    client = client_for("panzhou")
    client.post(reverse("tasks:remind", args=[task.pk]))
    client.post(reverse("tasks:remind", args=[task.pk]))
    assert Notification.objects.filter(kind="task_reminder").count() == 1
    client.post(reverse("tasks:close", args=[task.pk]), {"note": "改为电话报送"})
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.close_note == "改为电话报送"


def test_transfer_view(personas, client_for):
    gone = assistant()
    task = issue(personas.panzhou, regions=[TOWNSHIP])
    a = task.assignments.get(assignee=gone)
    gone.is_active = False
    gone.save()
    newcomer = assistant()
    page = client_for("panzhou").get(a.get_absolute_url()).content.decode()
    assert "已不在聘（已解聘或聘期届满）" in page and newcomer.full_name in page
    response = client_for("panzhou").post(reverse("tasks:transfer", args=[a.pk]), {"to": newcomer.pk})
    new = TaskAssignment.objects.get(assignee=newcomer)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    # Someone of another county cannot be chosen.
    response = client_for("panzhou").post(
        reverse("tasks:transfer", args=[new.pk]), {"to": personas.xieguan2.pk}
    )
    assert TaskAssignment.objects.get(pk=new.pk).status == AssignmentStatus.OPEN


def test_files_are_served_to_the_scope_only(personas, client_for, task):
    attachment = task.attachments.get()
    answer = task.assignments.get().files.get()
    response = client_for("xieguan").get(reverse("tasks:task_file", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    response = client_for("panzhou").get(reverse("tasks:answer_file", args=[answer.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"  # re-encoded on upload
    assert response["Cache-Control"] == "private, no-store"
    assert client_for("sheng").get(reverse("tasks:answer_file", args=[answer.pk])).status_code == 200


def test_index_shows_progress_and_filters(personas, client_for):
    issue(personas.panzhou, regions=[TOWNSHIP], title="按期任务")
    late = issue(personas.panzhou, regions=[TOWNSHIP], title="逾期任务", due_on=timezone.localdate())
    Task.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client = client_for("panzhou")
    body = client.get(reverse("tasks:index")).content.decode()
    assert "按期任务" in body and "逾期任务" in body and "1 人逾期" in body
    overdue = client.get(reverse("tasks:index") + "?show=overdue").content.decode()
    assert "逾期任务" in overdue and "按期任务" not in overdue
    assert "没有符合条件的任务" in client_for("liuzhi").get(reverse("tasks:index")).content.decode()


def test_list_pages_query_counts_do_not_grow(personas, client_for, django_assert_max_num_queries):
    for n in range(12):
        assistant(full_name=f"协管员{n}")
    for n in range(6):
        issue(personas.panzhou, regions=[COUNTY], title=f"任务{n}", files=[document()])
    task = Task.objects.earliest("pk")
    county, phone = client_for("panzhou"), client_for("xieguan")
    with django_assert_max_num_queries(10):
        assert county.get(reverse("tasks:index")).status_code == 200
    with django_assert_max_num_queries(10):
        assert county.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert phone.get(reverse("tasks:mine")).status_code == 200
    # The home page gathers every app's work-list sections; the tasks section adds a fixed few.
    with django_assert_max_num_queries(40):
        assert phone.get(reverse("accounts:home")).status_code == 200
    # The work-list sections this app adds to the home page: a fixed number of queries.
    with django_assert_max_num_queries(2):
        sections(personas.xieguan)
    with django_assert_max_num_queries(2):
        sections(personas.panzhou)


def test_province_sees_progress_by_county(personas, client_for):
    assistant("520203102")
    task = issue(personas.sheng, regions=["520281", "520203"], due_on=timezone.localdate())
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    mine = task.assignments.get(assignee=personas.xieguan)
    actions.complete_assignment(mine, by=personas.xieguan, note="完成")
    body = client_for("sheng").get(task.get_absolute_url()).content.decode()
    assert 'data-testid="by-county"' in body
    table = body.split('data-testid="by-county"')[1].split("</table>")[0]
    assert "盘州市" in table and "六枝特区" in table
    assert 'data-testid="n-done">1<' in body and 'data-testid="n-overdue">2<' in body
    county = client_for("panzhou").get(task.get_absolute_url()).content.decode()
    assert 'data-testid="by-county"' not in county and 'data-testid="n-overdue">0<' in county


def test_menu_is_role_limited(client_for):
    def menu(name):
        return client_for(name).get(reverse("accounts:home")).context["nav_links"]

    assert any(link.url == reverse("tasks:mine") for link in menu("xieguan"))
    assert any(link.url == reverse("tasks:index") for link in menu("panzhou"))
    assert any(link.url == reverse("funding:index") for link in menu("lps"))
    officer = [link.url for link in menu("jiandu")]
    assert reverse("tasks:index") not in officer and reverse("funding:index") not in officer
    assert reverse("funding:index") not in [link.url for link in menu("xieguan")]
