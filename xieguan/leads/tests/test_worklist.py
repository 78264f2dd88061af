"""The leads' sections of the home work list."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from xieguan.leads import actions
from xieguan.leads.actions import State
from xieguan.leads.models import Importance
from xieguan.leads.tests.factories import lead_in, make_lead, report
from xieguan.leads.worklist import sections

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def titled(user, title):
    return next(s for s in sections(user) if str(s.title) == title)


def test_assistant_sees_unreported_important_first_with_waiting_time(personas):
    start = dt.datetime(2025, 5, 6, 8, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False):
        old = make_lead(personas, place="老厂", employer=None)
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        important = make_lead(personas, importance=Importance.IMPORTANT, place="新厂", employer=None)
    with time_machine.travel(start + dt.timedelta(hours=3, minutes=15), tick=False):
        section = titled(personas.xieguan, "待报告的线索")
    assert section.total == 2
    first, second = section.entries
    assert first.url == reverse("leads:detail", args=[important.pk]) and first.badge == "重要"
    assert first.urgent and "已等待 2 小时 15 分钟" in first.detail and "已逾期" in first.detail
    assert second.url == reverse("leads:detail", args=[old.pk]) and not second.urgent
    assert "已等待 3 小时 15 分钟" in second.detail


def test_assistant_sees_assists_requested_of_them(personas):
    lead = lead_in(State.ACKNOWLEDGED, personas)
    assist = actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, lead=lead)
    section = titled(personas.xieguan, "请我协查的事项")
    assert [e.url for e in section.entries] == [reverse("leads:assist", args=[assist.pk])]
    assert titled(personas.xieguan2, "请我协查的事项").entries == []


def test_officer_inbox_counts(personas):
    lead_in(State.REPORTED, personas, importance=Importance.IMPORTANT)
    lead_in(State.REPORTED, personas)
    lead_in(State.HANDLING, personas)
    section = titled(personas.jiandu, "线索收件箱")
    titles = [e.title for e in section.entries]
    assert titles == ["待签收的线索 2 条", "办理中的线索 1 条"] and section.entries[0].urgent
    assert titled(personas.jiandu2, "线索收件箱").entries == []


def test_county_admin_sees_overdue_oldest_first(personas):
    start = dt.datetime(2025, 5, 6, 8, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False):
        older = make_lead(personas)  # due 8 May 08:00
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        newer = make_lead(personas, importance=Importance.IMPORTANT)  # due 7 May 10:00
        reported = make_lead(personas, importance=Importance.IMPORTANT)
        report(reported, personas)
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        section = titled(personas.panzhou, "逾期未报告的线索")
        assert [e.url for e in section.entries] == [
            reverse("leads:detail", args=[newer.pk]),
            reverse("leads:detail", args=[older.pk]),
        ]
        assert section.total == 2
        assert titled(personas.liuzhi, "逾期未报告的线索").total == 0


def test_home_page_shows_the_sections(personas, client_for, django_assert_max_num_queries):
    make_lead(personas, importance=Importance.IMPORTANT)
    client = client_for("xieguan")
    with django_assert_max_num_queries(40):
        body = client.get(reverse("accounts:home")).content.decode()
    assert "待报告的线索" in body and "请我协查的事项" in body
    assert "线索收件箱" in client_for("jiandu").get(reverse("accounts:home")).content.decode()
    assert "逾期未报告的线索" in client_for("panzhou").get(reverse("accounts:home")).content.decode()


def test_menu(personas, client_for):
    body = client_for("jiandu").get(reverse("leads:list")).content.decode()
    assert ">收件箱<" in body and ">协查<" in body and ">线索<" in body
    body = client_for("sheng").get(reverse("leads:list")).content.decode()
    assert ">收件箱<" not in body and ">协查<" not in body
