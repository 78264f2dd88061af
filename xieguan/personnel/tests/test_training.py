"""Training: attendance and exam results; participation and pass rates per session, county and year."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.indicators import periods
from xieguan.indicators.registry import indicator
from xieguan.personnel import actions, training
from xieguan.personnel.models import Assistant, AssistantStatus, TrainingKind, TrainingRecord, TrainingSession
from xieguan.personnel.tests.factories import AssistantFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def record_all(session, results):
    """results: {assistant: score or None (absent)}"""
    records = {r.assistant_id: r for r in session.records.all()}
    rows = [actions.AttendanceRow(records[a.pk].pk, score is not None, score) for a, score in results.items()]
    actions.record_attendance(session, rows)


@pytest.fixture
def ten(personas):
    people = [AssistantFactory.create() for _ in range(8)]
    people += [AssistantFactory.create(township_id="520203102") for _ in range(2)]
    return people


def test_session_rates(personas, ten):
    session = TrainingSessionFactory.create(region_id="5202", created_by=personas.lps)
    actions.save_training_session(session, ten)
    # 9 of 10 attend; 8 of the 9 pass (pass mark 60)
    scores = [Decimal(s) for s in (90, 85, 70, 60, 61, 99, 75, 80, 59)]
    record_all(session, dict(zip(ten, [*scores, None], strict=True)))
    rates = training.rates_of(session.records.all())
    assert (rates.invited, rates.attended, rates.passed) == (10, 9, 8)
    assert rates.participation == Decimal("0.9000") and rates.participation_met
    assert rates.pass_rate == Decimal("0.8889") and rates.pass_met is False


def test_rates_per_county_and_year_are_the_indicators(personas, ten):
    this_year = timezone.localdate().year
    session = TrainingSessionFactory.create(region_id="5202", created_by=personas.lps)
    actions.save_training_session(session, ten)
    record_all(
        session, {a: Decimal(80) for a in ten[:7]} | {ten[7]: None, ten[8]: Decimal(40), ten[9]: Decimal(95)}
    )
    last_year = TrainingSessionFactory.create(
        held_on=dt.date(this_year - 1, 6, 1), created_by=personas.panzhou
    )
    actions.save_training_session(last_year, ten[:8])
    pre_job = TrainingSessionFactory.create(kind=TrainingKind.PRE_JOB, created_by=personas.panzhou)
    actions.save_training_session(pre_job, ten[:8])
    period = periods.year(this_year)
    participation = indicator("training_participation").counts("5202", period, 6)
    passing = indicator("training_pass").counts("5202", period, 6)
    assert (participation["520281"].numerator, participation["520281"].denominator) == (7, 8)
    assert (passing["520281"].numerator, passing["520281"].denominator) == (7, 7)
    assert (participation["520203"].numerator, participation["520203"].denominator) == (2, 2)
    assert (passing["520203"].numerator, passing["520203"].denominator) == (1, 2)
    assert participation["520281"].rate == Decimal("87.5") and passing["520203"].rate == Decimal("50.0")
    # the same conditions give the per-session figures
    assert training.rates_of(session.records.all()) == training.Rates(invited=10, attended=9, passed=8)
    # last year's session counts in last year only; pre-job training never
    assert indicator("training_participation").total("520281", periods.year(this_year - 1)).denominator == 8
    drill = indicator("training_participation").rows("520281", period)
    assert [r.assistant_id for r in drill] == [ten[7].pk]


def test_no_records_means_no_rate():
    rates = training.Rates(0, 0, 0)
    assert rates.participation is None and rates.pass_rate is None and rates.participation_met is None


def test_attendance_rules(personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:2])
    r1 = session.records.order_by("pk").first()
    assert r1 is not None
    with pytest.raises(ValidationError, match="须登记成绩"):
        actions.record_attendance(session, [actions.AttendanceRow(r1.pk, True, None)])
    with pytest.raises(ValidationError, match="未参加培训不能登记成绩"):
        actions.record_attendance(session, [actions.AttendanceRow(r1.pk, False, Decimal(70))])
    with pytest.raises(ValidationError, match="0 到 100"):
        actions.record_attendance(session, [actions.AttendanceRow(r1.pk, True, Decimal(170))])
    assert not TrainingRecord.objects.filter(attended=True).exists()
    no_exam = TrainingSessionFactory.create(has_exam=False, created_by=personas.panzhou)
    actions.save_training_session(no_exam, ten[:2])
    a, b = no_exam.records.order_by("pk")
    actions.record_attendance(
        no_exam, [actions.AttendanceRow(a.pk, True, None), actions.AttendanceRow(b.pk, False, None)]
    )
    assert list(no_exam.records.order_by("pk").values_list("passed", flat=True)) == [True, None]


def test_invitations_cannot_drop_recorded_people(personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:3])
    record_all(session, {ten[0]: Decimal(80)})
    actions.save_training_session(session, [ten[0], ten[1]])
    assert session.records.count() == 2
    with pytest.raises(ValidationError, match="不能取消邀请"):
        actions.save_training_session(session, [ten[1]])
    with pytest.raises(ValidationError, match="不在培训组织单位的辖区内"):
        actions.save_training_session(session, [ten[9]])


def test_pages_create_a_session_and_record_results(client_for, personas, ten):
    client = client_for("panzhou")
    response = client.post(
        reverse("personnel:training_new"),
        {
            "kind": "pre_job",
            "held_on": timezone.localdate().isoformat(),
            "topic": "岗前培训",
            "has_exam": "on",
            "pass_mark": "60",
            "invited": [ten[0].pk, ten[1].pk],
        },
    )
    assert response.status_code == 302
    session = TrainingRecord.objects.get(assistant=ten[0]).session
    assert session.region_id == "520281"
    r0, r1 = (TrainingRecord.objects.get(session=session, assistant=a) for a in ten[:2])
    response = client.post(
        reverse("personnel:training_detail", args=[session.pk]),
        {f"attended-{r0.pk}": "on", f"score-{r0.pk}": "88", f"score-{r1.pk}": ""},
    )
    assert response.status_code == 302
    body = client.get(reverse("personnel:training_detail", args=[session.pk])).content.decode()
    assert "50.0%" in body and "100.0%" in body
    response = client.post(
        reverse("personnel:training_detail", args=[session.pk]),
        {f"attended-{r0.pk}": "on", f"score-{r0.pk}": "abc"},
    )
    assert "成绩应为数字" in response.content.decode()
    # the other county's assistants cannot be invited (not among the choices)
    response = client.post(
        reverse("personnel:training_new"),
        {
            "kind": "business",
            "held_on": "2026-01-05",
            "topic": "x",
            "pass_mark": "60",
            "invited": [ten[9].pk],
        },
    )
    assert response.status_code == 200


def test_rates_page(client_for, personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:2])
    record_all(session, {ten[0]: Decimal(80), ten[1]: None})
    body = client_for("lps").get(reverse("personnel:training_rates")).content.decode()
    assert "盘州市" in body and 'data-testid="total-participation">50.0%' in body
    body = client_for("panzhou").get(reverse("personnel:training_rates")).content.decode()
    assert "柏果镇" in body and 'data-testid="total-pass">100.0%' in body
    body = client_for("liuzhi").get(reverse("personnel:training_rates")).content.decode()
    assert "盘州市" not in body


def test_training_indicators_on_the_dashboard_and_drill_down(client_for, personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:2])
    record_all(session, {ten[0]: Decimal(80), ten[1]: None})
    client = client_for("panzhou")
    body = client.get(reverse("indicators:dashboard")).content.decode()
    assert "培训参加" in body and "培训合格" in body
    year = timezone.localdate().year
    drill = client.get(
        reverse("indicators:drill", args=["training_participation"]) + f"?region=520281&period={year}"
    ).content.decode()
    assert ten[1].name in drill and ten[0].name not in drill and "50.0%" in drill
    other = (
        client_for("liuzhi")
        .get(reverse("indicators:drill", args=["training_participation"]) + f"?region=520203&period={year}")
        .content.decode()
    )
    assert ten[1].name not in other


def test_invitations_are_grouped_one_level_below_the_organiser(client_for, personas, ten):
    """The province's training form grouped every assistant by township (one 全选本乡镇 per
    township, up to 1,510 of them): it offers 全选本市州 per prefecture; a county keeps townships."""
    body = client_for("sheng").get(reverse("personnel:training_new")).content.decode()
    assert "全选本市州" in body and "全选本乡镇" not in body
    assert body.count('data-picker-group="5202"') == 1  # all ten assistants: 六盘水市
    body = client_for("panzhou").get(reverse("personnel:training_new")).content.decode()
    assert "全选本乡镇" in body and "全选本市州" not in body


def _edit_post(session, invited, topic):
    return {
        "kind": session.kind,
        "held_on": session.held_on.isoformat(),
        "topic": topic,
        "location": session.location,
        "has_exam": "on" if session.has_exam else "",
        "pass_mark": str(session.pass_mark),
        "invited": [a.pk for a in invited],
    }


def test_editing_a_session_keeps_invitees_dismissed_since(client_for, personas, ten):
    """A session's edit form listed only assistants not dismissed: saving it as shown (say, to
    correct the topic) silently removed the invitations of people dismissed since (the past
    session's participation rate changed), and one of them with a recorded result made every
    edit fail (已登记参训结果的人员不能取消邀请) with no box left to tick."""
    client = client_for("panzhou")
    unrecorded = TrainingSessionFactory.create(created_by=personas.panzhou, topic="旧主题")
    actions.save_training_session(unrecorded, ten[:3])
    recorded = TrainingSessionFactory.create(created_by=personas.panzhou, topic="旧主题")
    actions.save_training_session(recorded, ten[:3])
    record_all(recorded, {ten[0]: Decimal(80)})
    Assistant.objects.filter(pk__in=[ten[0].pk, ten[1].pk]).update(status=AssistantStatus.DISMISSED)
    for session in (unrecorded, recorded):
        url = reverse("personnel:training_edit", args=[session.pk])
        # what the form shows: its checked boxes, with only the topic corrected
        form = client.get(url).context["form"]
        shown = {int(value) for value in form["invited"].value()}
        offered = {choice.instance.pk for choice, _label in form.fields["invited"].choices}
        assert shown == {a.pk for a in ten[:3]} and shown <= offered
        response = client.post(url, _edit_post(session, [a for a in ten if a.pk in shown], "新主题"))
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.topic == "新主题"
        assert set(session.records.values_list("assistant_id", flat=True)) == shown


# --- deleting a session ----------------------------------------------------------------------


def test_a_session_without_results_is_deleted_with_its_invitations(personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:3])
    # someone marked absent is no result: nothing distinguishes it from not yet recorded
    record_all(session, {ten[0]: None})
    actions.delete_training_session(session)
    assert not TrainingSession.objects.filter(pk=session.pk).exists()
    assert not TrainingRecord.objects.filter(session_id=session.pk).exists()


def test_a_session_with_a_recorded_result_is_not_deleted(personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:3])
    record_all(session, {ten[0]: Decimal(80), ten[1]: Decimal(40)})
    with pytest.raises(ValidationError, match="已有 2 人登记了参训或考核结果，不能删除该培训"):
        actions.delete_training_session(session)
    assert session.records.count() == 3
    # a score without attendance cannot be recorded, but a row changed behind the form's back
    # still counts as a result
    TrainingRecord.objects.filter(session=session).update(attended=False, score=None)
    TrainingRecord.objects.filter(session=session, assistant=ten[2]).update(score=Decimal(50))
    with pytest.raises(ValidationError, match="已有 1 人"):
        actions.delete_training_session(session)


def test_results_cannot_be_recorded_on_a_deleted_session(personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:1])
    stale = TrainingSession.objects.get(pk=session.pk)
    actions.delete_training_session(session)
    with pytest.raises(ValidationError, match="该培训已被删除"):
        actions.record_attendance(stale, [])
    with pytest.raises(ValidationError, match="该培训已不存在"):
        actions.delete_training_session(stale)


def test_the_organiser_deletes_a_session_from_its_page(client_for, personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou, topic="误建的培训")
    actions.save_training_session(session, ten[:2])
    client = client_for("panzhou")
    detail = reverse("personnel:training_detail", args=[session.pk])
    url = reverse("personnel:training_delete", args=[session.pk])
    assert 'data-testid="training-delete"' in client.get(detail).content.decode()
    assert client.get(url).status_code == 405  # only a POST deletes
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("personnel:training")
    assert "已删除培训“误建的培训”。" in response.content.decode()
    assert not TrainingSession.objects.filter(pk=session.pk).exists()


def test_a_session_with_results_offers_no_delete_and_refuses_it(client_for, personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:2])
    record_all(session, {ten[0]: Decimal(80)})
    client = client_for("panzhou")
    detail = reverse("personnel:training_detail", args=[session.pk])
    page = client.get(detail).content.decode()
    assert 'data-testid="training-delete"' not in page and "已登记参训结果，不能删除" in page  # says why
    response = client.post(reverse("personnel:training_delete", args=[session.pk]), follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert "已有 1 人登记了参训或考核结果，不能删除该培训" in response.content.decode()
    assert TrainingSession.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("liuzhi", 404), ("sheng", 404), ("lps", 403), ("jiandu", 403), ("xieguan", 403)]
)
def test_only_the_organiser_may_delete_a_session(client_for, personas, ten, who, status):
    """Another county's admin does not see the session; the province sees it but organises only
    its own sessions; the prefecture (a viewer), officers and assistants organise no training."""
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    actions.save_training_session(session, ten[:2])
    client = client_for(who)
    assert client.post(reverse("personnel:training_delete", args=[session.pk])).status_code == status
    assert TrainingSession.objects.filter(pk=session.pk).exists()
    if who in ("lps", "sheng"):
        detail = client.get(reverse("personnel:training_detail", args=[session.pk])).content.decode()
        assert 'data-testid="training-delete"' not in detail


def test_anonymous_delete_goes_to_login(client, personas, ten):
    session = TrainingSessionFactory.create(created_by=personas.panzhou)
    response = client.post(reverse("personnel:training_delete", args=[session.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert TrainingSession.objects.filter(pk=session.pk).exists()
