"""The county's work list: terms ending within 60 days, assistants due for training, staffing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xieguan.personnel import actions
from xieguan.personnel.tests.factories import AssistantFactory, TrainingSessionFactory, passed_pre_job
from xieguan.personnel.worklist import sections

pytestmark = pytest.mark.django_db


def titles(section):
    return [e.title for e in section.entries]


def by_title(user):
    return {str(s.title): s for s in sections(user)}


def test_terms_ending_within_60_days(world, personas):
    today = timezone.localdate()
    soon = AssistantFactory.create(name="陈静", eligible=True, township_id="520281104")
    passed_pre_job(soon)
    actions.appoint_assistant(
        soon,
        start=today - dt.timedelta(days=1000),
        end=today + dt.timedelta(days=59),
        document_no="",
        by=personas.panzhou,
    )
    later = AssistantFactory.create(name="赵六", eligible=True, township_id="520281104")
    passed_pre_job(later)
    actions.appoint_assistant(
        later,
        start=today - dt.timedelta(days=1000),
        end=today + dt.timedelta(days=61),
        document_no="",
        by=personas.panzhou,
    )
    section = by_title(personas.panzhou)["聘期 60 天内到期"]
    assert titles(section) == ["陈静（民主镇）"] and section.total == 1
    assert "还剩 59 天" in section.entries[0].detail
    actions.renew_appointment(soon, end=today + dt.timedelta(days=900), document_no="", by=personas.panzhou)
    assert by_title(personas.panzhou)["聘期 60 天内到期"].total == 0
    assert (
        "聘期 60 天内到期" not in by_title(personas.liuzhi)
        or by_title(personas.liuzhi)["聘期 60 天内到期"].total == 0
    )


def test_assistants_due_for_training(world, personas):
    section = by_title(personas.panzhou)["待培训的协管员"]
    details = {e.title: e.detail for e in section.entries}
    # 王芳 is appointed and has not attended this year's business training; 李强 has no pre-job training
    assert details == {
        "王芳（柏果镇）": f"{timezone.localdate().year} 年尚未参加业务培训",
        "李强（大山镇）": "待参加岗前培训",
    }
    session = world["session"]
    records = {r.assistant_id: r.pk for r in session.records.all()}
    actions.record_attendance(
        session, [actions.AttendanceRow(records[world["appointed"].pk], True, Decimal(70))]
    )
    pre_job = TrainingSessionFactory.create(kind="pre_job", created_by=personas.panzhou)
    actions.save_training_session(pre_job, [world["candidate"]])
    record = pre_job.records.get()
    actions.record_attendance(pre_job, [actions.AttendanceRow(record.pk, True, Decimal(50))])
    assert titles(by_title(personas.panzhou)["待培训的协管员"]) == ["李强（大山镇）"]  # failed: still due
    actions.record_attendance(pre_job, [actions.AttendanceRow(record.pk, True, Decimal(60))])
    assert by_title(personas.panzhou)["待培训的协管员"].total == 0


def test_home_shows_the_sections(client_for, world, django_assert_max_num_queries):
    client = client_for("panzhou")
    with django_assert_max_num_queries(40):
        body = client.get(reverse("accounts:home")).content.decode()
    for title in ("聘期 60 天内到期", "待培训的协管员", "协管员配备不足的乡镇"):
        assert title in body
    assert "杨明" not in body


def test_assistant_sees_own_term_ending(world, personas, client_for):
    assert "您的聘期即将到期" not in client_for("xieguan").get(reverse("accounts:home")).content.decode()
    term = world["appointed"].appointments.get()
    term.end = timezone.localdate() + dt.timedelta(days=10)
    term.save()
    assert "您的聘期即将到期" in client_for("xieguan").get(reverse("accounts:home")).content.decode()
    assert sections(personas.sheng) == [] and sections(personas.jiandu) == []


def test_the_own_term_statement_does_not_join_the_township(world, client_for):
    """The assistant's own term is one person's: ordering by the assistant (the model's ordering)
    joined the regions to sort one township by its code, planned on every home page."""
    term = world["appointed"].appointments.get()
    term.end = timezone.localdate() + dt.timedelta(days=10)
    term.save()
    with CaptureQueriesContext(connection) as captured:
        page = client_for("xieguan").get(reverse("accounts:home")).content.decode()
    assert "您的聘期即将到期" in page
    [own] = [q["sql"] for q in captured.captured_queries if "personnel_appointment" in q["sql"]]
    assert "regions_region" not in own
