"""Annual assessment (考核): pre-filled with the measured work, graded by thresholds, locked once signed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.employers.models import OperatingStatus
from xieguan.inspections import patrol
from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionStatus
from xieguan.leads.actions import discover_lead
from xieguan.leads.models import AssistRequest, AssistStatus, LeadSource, LeadType
from xieguan.lib.testing import EmployerFactory
from xieguan.outreach.models import PublicityEvent, PublicityKind
from xieguan.personnel import actions
from xieguan.personnel.assessment import grade_for, measure
from xieguan.personnel.models import Grade, GradeThreshold

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


@pytest.fixture
def work(world, personas):
    """A year of work of 王芳 (user xieguan, 柏果镇)."""
    year = timezone.localdate().year
    user = personas.xieguan
    template = ChecklistTemplate.objects.create(code="fb1", name="附表1", builtin=True, is_active=True)
    key1, key2 = EmployerFactory.create(is_key=True), EmployerFactory.create(is_key=True)
    serious = EmployerFactory.create(is_key=False, serious_hazard=True, industry="other")
    other = EmployerFactory.create(is_key=False, industry="other")
    EmployerFactory.create(  # closed last year: not in this year's area
        status=OperatingStatus.CLOSED,
        created_at=at(year - 3, 1, 1),
        closed_on=dt.date(year - 1, 6, 1),
    )
    elsewhere = EmployerFactory.create(region_id="520281105001", is_key=True)

    def inspect(employer, when, status=InspectionStatus.SUBMITTED, **kw):
        made = Inspection.objects.create(
            **kw,
            template=template,
            employer=employer,
            region=employer.region,
            assistant=user,
            employer_name=employer.name,
            inspected_at=when,
            status=status,
        )
        patrol.refresh_assistants([user.pk])  # the half-year counts, as the actions keep them
        return made

    inspect(key1, at(year, 1, 3), legal_publicity=True)  # 普法 given during this visit
    inspect(key1, at(year, 1, 4), legal_publicity=False)
    inspect(other, at(year, 1, 5))  # not recorded (null)
    inspect(elsewhere, at(year, 1, 5))  # outside their area: counted as an inspection, not coverage
    inspect(key2, at(year, 1, 6), InspectionStatus.DRAFT)
    inspect(serious, at(year - 1, 12, 30))
    # Leads: 3 this year, 2 reported, 1 of them late; 1 last year
    early = at(year, 1, 2)
    leads = [
        discover_lead(
            region=key1.region,
            lead_type=LeadType.ABNORMAL,
            source=LeadSource.DIRECT,
            description=f"粉尘{i}",
            discovered_by=user,
            employer=key1,
            discovered_at=early,
        )
        for i in range(3)
    ]
    leads[0].reported_at = early + dt.timedelta(hours=3)
    leads[0].save()
    leads[1].reported_at = early + dt.timedelta(days=10)
    leads[1].save()
    discover_lead(
        region=key1.region,
        lead_type=LeadType.ABNORMAL,
        source=LeadSource.DIRECT,
        description="去年",
        discovered_by=user,
        employer=key1,
        discovered_at=at(year - 1, 5, 1),
    )
    for status in (AssistStatus.DONE, AssistStatus.REQUESTED):
        AssistRequest.objects.create(
            region_id="520281117",
            employer=key1,
            requested_by=personas.jiandu,
            assistant=user,
            requested_at=early,
            status=status,
            done_on=early.date() if status == AssistStatus.DONE else None,
        )
    PublicityEvent.objects.create(
        region_id="520281117", held_on=early.date(), kind=PublicityKind.LAW, topic="普法", recorded_by=user
    )
    PublicityEvent.objects.create(
        region_id="520281117",
        held_on=dt.date(year - 1, 3, 1),
        kind=PublicityKind.LAW,
        topic="去年",
        recorded_by=user,
    )
    from xieguan.outreach.actions import record_consultation
    from xieguan.outreach.models import ConsultationKind

    for kind, when in (
        (ConsultationKind.HEALTH_CHECK, early.date()),
        (ConsultationKind.CONSULTATION, early.date()),
        (ConsultationKind.HEALTH_CHECK, dt.date(year - 1, 6, 1)),  # last year: not counted
    ):
        record_consultation(
            recorded_by=user, employer=key1, given_on=when, kind=kind, subject="体检", outcome="已安排"
        )
    session = world["session"]  # business training this year: 王芳 attends and passes
    records = {r.assistant_id: r for r in session.records.all()}
    actions.record_attendance(
        session, [actions.AttendanceRow(records[world["appointed"].pk].pk, True, Decimal(85))]
    )
    return world


def test_measures_count_the_years_work(work):
    m = measure(work["appointed"], timezone.localdate().year)
    assert (m.inspections, m.employers, m.employers_inspected) == (4, 4, 2)
    assert (m.key_employers, m.key_employers_inspected) == (3, 1)
    assert (m.leads_discovered, m.leads_reported, m.leads_on_time) == (3, 2, 1)
    assert (m.assists_requested, m.assists_done, m.publicity_events) == (2, 1, 1)
    assert m.patrol_publicity == 1  # one visit recorded 普法; one recorded none, one did not say
    assert (m.consultations, m.health_check_guidance) == (2, 1)  # 咨询、指导 this year
    # pre-job training in the fixture was held today too, so this year has 2 sessions
    assert (m.training_invited, m.training_attended, m.training_passed) == (2, 2, 2)
    assert m.coverage == 0.5 and m.reporting_rate == 0.6667 and m.on_time_rate == 0.5


def test_measures_of_an_assistant_without_account_or_work(world):
    m = measure(world["candidate"], timezone.localdate().year)
    assert m.inspections == 0 and m.training_invited == 1 and m.training_attended == 0


def test_prefill_equals_the_measures_and_the_page_shows_them(client_for, work):
    year = timezone.localdate().year
    assessment = work["assessment"]
    actions.refresh_measures(assessment)
    assert assessment.measured == measure(work["appointed"], year).as_dict()
    fresh = actions.start_assessment(work["other"], year - 1)
    assert fresh.measured == measure(work["other"], year - 1).as_dict()
    body = (
        client_for("panzhou").get(reverse("personnel:assessment_edit", args=[assessment.pk])).content.decode()
    )
    for label in (
        "提交巡查个案（次）",
        "完成协查（次）",
        "开展宣传活动（次）",
        "巡查时开展普法宣传（次）",
        "培训合格（次）",
    ):
        assert label in body
    assert "50.0% / 33.3%" in body


def test_grades_follow_thresholds_as_data():
    assert [grade_for(Decimal(s), "52") for s in (95, 90, 89.5, 75, 60, 59.9)] == [
        Grade.EXCELLENT,
        Grade.EXCELLENT,
        Grade.GOOD,
        Grade.GOOD,
        Grade.BASIC,
        Grade.FAIL,
    ]
    GradeThreshold.objects.create(grade=Grade.EXCELLENT, min_score=95)
    GradeThreshold.objects.create(grade=Grade.GOOD, min_score=80)
    GradeThreshold.objects.create(grade=Grade.BASIC, min_score=60)
    GradeThreshold.objects.create(grade=Grade.FAIL, min_score=0)
    assert grade_for(Decimal(92), "52") == Grade.GOOD and grade_for(Decimal(79), "52") == Grade.BASIC


def test_scoring_sign_off_and_lock(client_for, work, personas):
    assessment = work["assessment"]
    client = client_for("panzhou")
    edit = reverse("personnel:assessment_edit", args=[assessment.pk])
    response = client.post(
        edit, {"duty_score": "41", "service_score": "30", "discipline_score": "20", "comments": ""}
    )
    assert "分数应在 0 到 40 之间" in response.content.decode()
    response = client.post(
        edit,
        {
            "duty_score": "36",
            "service_score": "35",
            "discipline_score": "20",
            "comments": "",
            "sign_off": "1",
        },
    )
    assert "确认考核前请填写考核意见" in response.content.decode()
    response = client.post(
        edit,
        {
            "duty_score": "36",
            "service_score": "35",
            "discipline_score": "20",
            "comments": "工作扎实",
            "sign_off": "1",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.total_score == Decimal(91) and assessment.grade == Grade.EXCELLENT
    assert assessment.signed_off_by == personas.panzhou
    # locked: the edit page sends to the read-only page, the action refuses
    assert client.get(edit).status_code == 302
    with pytest.raises(ValidationError, match="已确认"):
        actions.save_assessment(
            assessment,
            duty_score=Decimal(1),
            service_score=Decimal(1),
            discipline_score=Decimal(1),
            comments="x",
            by=personas.panzhou,
        )
    with pytest.raises(ValidationError, match="已确认"):
        actions.refresh_measures(assessment)
    body = client.get(reverse("personnel:assessment", args=[assessment.pk])).content.decode()
    assert 'data-testid="grade">优秀' in body and 'data-testid="locked"' in body


def test_start_rules(world, client_for):
    with pytest.raises(ValidationError, match="尚未聘任"):
        actions.start_assessment(world["candidate"], 2025)
    with pytest.raises(ValidationError, match="尚未开始"):
        actions.start_assessment(world["appointed"], timezone.localdate().year + 1)
    client = client_for("panzhou")
    response = client.post(
        reverse("personnel:assessment_start", args=[world["appointed"].pk]), {"year": "2025"}
    )
    assert response.status_code == 302 and "/edit/" in response["Location"]
    response = client.post(reverse("personnel:assessment_start", args=[world["appointed"].pk]), {"year": "x"})
    assert response.status_code == 302


def test_printable_one_page_pdf_with_the_id_number_as_privacy_decides(client_for, work, personas):
    from xieguan.documents.tests.test_render import compact, pdf_text

    assessment = work["assessment"]
    actions.save_assessment(
        assessment,
        duty_score=Decimal(36),
        service_score=Decimal(30),
        discipline_score=Decimal(18),
        comments="工作扎实，巡查覆盖有待提高。",
        sign_off=True,
        by=personas.panzhou,
    )
    for persona, number in (("panzhou", "520203198803121235"), ("lps", "5202**********1235")):
        response = client_for(persona).get(reverse("personnel:assessment_pdf", args=[assessment.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pages = [p for p in pdf_text(response.content).split("\f") if p.strip()]
        assert len(pages) == 1
        text = compact(pages[0])
        assert "职业健康监督协管员年度考核表" in text and number in text and "84.0/100" in text
        assert "合格" in text and "工作扎实" in text


def test_prefill_counts_assigned_tasks(world, personas):
    """完成上级交办的其他任务: answered tasks due in the year count in the service aspect."""
    from xieguan.tasks.actions import complete_assignment
    from xieguan.tasks.tests.factories import issue

    today = timezone.localdate()
    done = issue(personas.panzhou, assistants=[personas.xieguan], due_on=today, answer_required=True)
    issue(personas.panzhou, assistants=[personas.xieguan], due_on=today, answer_required=True)
    complete_assignment(done.assignments.get(), by=personas.xieguan, note="已完成排查")
    figures = measure(personas.xieguan.assistant, today.year)
    assert (figures.tasks_assigned, figures.tasks_done, figures.tasks_on_time) == (2, 1, 1)


def test_blank_comments_row_is_a_handwritten_line_high_in_every_format(work, personas):
    """考核意见 left empty (written by hand on paper) is at least 9 mm high: measured from the PDF
    (the lines above and below it), the .docx row height and the .xlsx row height."""
    import io
    import re
    import subprocess

    from docx import Document
    from openpyxl import load_workbook

    from xieguan.documents.render import render
    from xieguan.documents.tests.test_render import poppler
    from xieguan.personnel.printing import assessment_doc

    doc = assessment_doc(work["assessment"], personas.panzhou)
    pdf = render(doc, "pdf")
    boxes = subprocess.run(
        [poppler("pdftotext"), "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    words = [
        (m.group(3), float(m.group(1)), float(m.group(2)))
        for m in re.finditer(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', boxes
        )
    ]
    heading_bottom = next(y_max for text, _, y_max in words if text == "考核意见")
    below = min(y_min for text, y_min, _ in words if text.startswith("考核单位"))
    # the gap holds the blank row (and the 0.5 cm before the signature line)
    assert (below - heading_bottom) * 25.4 / 72 >= 9 + 5

    table = Document(io.BytesIO(render(doc, "docx"))).tables[-1]
    assert table.rows[0].cells[0].text == "考核意见" and table.rows[1].cells[0].text == ""
    height = table.rows[1].height
    assert height is not None and height.mm >= 9

    ws = load_workbook(io.BytesIO(render(doc, "xlsx"))).active
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "考核意见") + 1
    assert ws.cell(row, 1).value is None and ws.row_dimensions[row].height * 25.4 / 72 >= 9
