"""The yearly assessment (考核, 第十条): the measured work of an assistant, aspects and grades.

``measure(assistant, year)`` counts the year's work with database queries over the
inspections, leads, outreach and personnel tables. The assessment page shows these figures
under the three aspects of 第十条 and stores them with the assessment (``Assessment.measured``)
so a signed-off assessment keeps the figures it was judged on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.indicators import periods
from xieguan.indicators.sources import due_in_half, inspected_in, submitted_in
from xieguan.inspections.models import Inspection
from xieguan.leads.models import AssistRequest, AssistStatus, Lead
from xieguan.outreach.models import Consultation, ConsultationKind, PublicityEvent
from xieguan.personnel.models import Grade, GradeThreshold, Reward, TrainingRecord
from xieguan.tasks.stats import TaskCounts, assistant_task_counts

if TYPE_CHECKING:
    from xieguan.personnel.models import Assistant
    from xieguan.regions.models import Region

# Maximum score of each aspect of 第十条; the total is out of 100.
ASPECT_MAX: dict[str, Decimal] = {
    "duty_score": Decimal(40),  # 依法履行职责
    "service_score": Decimal(40),  # 开展卫生监督服务
    "discipline_score": Decimal(20),  # 遵纪守法
}

# Used only when the GradeThreshold table is empty; the data migration loads the same values
# and each province may set its own in the admin site (GradeThreshold.rows_for_region).
DEFAULT_THRESHOLDS: tuple[tuple[str, Decimal], ...] = (
    (Grade.EXCELLENT, Decimal(90)),
    (Grade.GOOD, Decimal(75)),
    (Grade.BASIC, Decimal(60)),
    (Grade.FAIL, Decimal(0)),
)


def thresholds(region: Region | str | None) -> list[tuple[str, Decimal]]:
    """The grade thresholds in force in the region's province, highest first."""
    rows = [(t.grade, t.min_score) for t in GradeThreshold.rows_for_region(region).values()]
    return sorted(rows, key=lambda r: -r[1]) or list(DEFAULT_THRESHOLDS)


def grade_for(total: Decimal, region: Region | str | None) -> str:
    """The grade of a total score in the region's province: the highest grade whose minimum the
    total reaches."""
    for grade, minimum in thresholds(region):
        if total >= minimum:
            return grade
    return Grade.FAIL


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``year`` and of the next, in Asia/Shanghai."""
    tz = timezone.get_default_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Measures:
    """One assistant's measured work in one year."""

    year: int
    # 依法履行职责: inspections and reporting
    halves_due: int = 0  # half-years of the year served in full (personnel.service)
    halves_patrolled: int = 0  # of those, with at least one submitted inspection
    inspections: int = 0
    employers: int = 0
    employers_inspected: int = 0
    key_employers: int = 0
    key_employers_inspected: int = 0
    leads_discovered: int = 0
    leads_reported: int = 0
    leads_on_time: int = 0
    # 开展卫生监督服务: assisted investigations, publicity, training
    assists_requested: int = 0
    assists_done: int = 0
    publicity_events: int = 0
    patrol_publicity: int = 0  # submitted inspections that recorded 普法 given during the visit
    consultations: int = 0  # 咨询、指导 given to employers (第六条(一))
    health_check_guidance: int = 0  # of which 指导企业开展职业健康检查
    training_invited: int = 0
    training_attended: int = 0
    training_passed: int = 0
    # 完成上级交办的其他任务 (tasks that asked for an answer, due in the year)
    tasks_assigned: int = 0
    tasks_done: int = 0
    tasks_on_time: int = 0
    # 遵纪守法 and recognition
    rewards: int = 0

    @property
    def coverage(self) -> float | None:
        return _ratio(self.employers_inspected, self.employers)

    @property
    def key_coverage(self) -> float | None:
        return _ratio(self.key_employers_inspected, self.key_employers)

    @property
    def reporting_rate(self) -> float | None:
        return _ratio(self.leads_reported, self.leads_discovered)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.leads_on_time, self.leads_reported)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# The figures shown under each aspect of 第十条, with their Chinese labels.
ASPECT_MEASURES: tuple[tuple[str, Any, tuple[tuple[str, Any], ...]], ...] = (
    (
        "duty_score",
        _("依法履行职责"),
        (
            ("halves_due", _("整半年在岗、应巡查的半年（个）")),
            ("halves_patrolled", _("其中有巡查的半年（个）")),
            ("inspections", _("提交巡查个案（次）")),
            ("employers", _("负责的用人单位（家）")),
            ("employers_inspected", _("已巡查的用人单位（家）")),
            ("key_employers", _("重点用人单位（家）")),
            ("key_employers_inspected", _("已巡查的重点用人单位（家）")),
            ("leads_discovered", _("发现事件或线索（条）")),
            ("leads_reported", _("已报告（条）")),
            ("leads_on_time", _("按时报告（条）")),
        ),
    ),
    (
        "service_score",
        _("开展卫生监督服务"),
        (
            ("assists_requested", _("收到协查请求（次）")),
            ("assists_done", _("完成协查（次）")),
            ("publicity_events", _("开展宣传活动（次）")),
            ("patrol_publicity", _("巡查时开展普法宣传（次）")),
            ("consultations", _("职业病防治咨询、指导（次）")),
            ("health_check_guidance", _("其中指导企业开展职业健康检查（次）")),
            ("training_invited", _("应参加培训（次）")),
            ("training_attended", _("参加培训（次）")),
            ("training_passed", _("培训合格（次）")),
            ("tasks_assigned", _("上级交办任务（项）")),
            ("tasks_done", _("完成交办任务（项）")),
            ("tasks_on_time", _("按期完成交办任务（项）")),
        ),
    ),
    (
        "discipline_score",
        _("遵纪守法"),
        (("rewards", _("本年度表彰奖励（次）")),),
    ),
)


def area_employers(assistant: Assistant, year: int) -> Any:
    """The employers an assistant is responsible for in ``year``: the township's, or their
    villages' (乡聘村用), in the ledger during the year (one closed in August still counts)."""
    qs = Employer.objects.operating_during(dt.date(year, 1, 1), dt.date(year, 12, 31)).within(
        assistant.township_id
    )
    village_codes = [v.code for v in assistant.villages.all()]
    if village_codes:
        qs = qs.filter(region_id__in=village_codes)
    return qs


def _halves(assistant: Assistant, year: int) -> dict[str, int]:
    """The half-years of ``year`` the assistant was due in (served in full, the indicators'
    definition) and those of them with a patrol, in one query."""
    flags: dict[str, Any] = {}
    for i, half in enumerate(periods.year(year).halves()):
        due = due_in_half(half)
        flags[f"due{i}"] = ExpressionWrapper(due, output_field=BooleanField())
        flags[f"done{i}"] = ExpressionWrapper(
            due & inspected_in(half, "assistant", ref="user_id"), output_field=BooleanField()
        )
    row = type(assistant).objects.filter(pk=assistant.pk).values(**flags).first() or {}
    return {
        "halves_due": sum(1 for k, v in row.items() if k.startswith("due") and v),
        "halves_patrolled": sum(1 for k, v in row.items() if k.startswith("done") and v),
    }


def measure(assistant: Assistant, year: int) -> Measures:
    """Count one assistant's work in ``year`` (a handful of aggregate queries)."""
    start, end = year_bounds(year)
    key = Q(is_key=True) | Q(serious_hazard=True)
    area = area_employers(assistant, year)
    area_counts = area.aggregate(n=Count("pk"), key=Count("pk", filter=key))
    training = TrainingRecord.objects.filter(assistant=assistant, session__held_on__year=year).aggregate(
        n_invited=Count("pk"),
        n_attended=Count("pk", filter=Q(attended=True)),
        n_passed=Count("pk", filter=Q(attended=True, passed=True)),
    )
    rewards = Reward.objects.filter(assistant=assistant, awarded_on__year=year).count()
    halves = _halves(assistant, year)
    figures: dict[str, int] = {
        "employers": area_counts["n"],
        "key_employers": area_counts["key"],
        "training_invited": training["n_invited"],
        "training_attended": training["n_attended"],
        "training_passed": training["n_passed"],
        "rewards": rewards,
        **halves,
    }
    user = assistant.user
    if user is not None:
        # "a patrol in the period" is the indicators' definition (indicators.sources.submitted_in)
        inspections = Inspection.objects.filter(submitted_in(periods.year(year)), assistant=user)
        in_area = Q(employer__in=area.values("pk"))
        key_in_area = Q(employer__in=area.filter(key).values("pk"))
        done = inspections.aggregate(
            n=Count("pk"),
            publicity=Count("pk", filter=Q(legal_publicity=True)),
            employers=Count("employer", distinct=True, filter=in_area),
            key=Count("employer", distinct=True, filter=key_in_area),
        )
        leads = Lead.objects.filter(
            discovered_by=user, discovered_at__gte=start, discovered_at__lt=end
        ).aggregate(
            discovered=Count("pk"),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
            on_time=Count("pk", filter=Q(reported_at__isnull=False, reported_at__lte=F("report_due_at"))),
        )
        assists = AssistRequest.objects.filter(assistant=user).aggregate(
            requested=Count("pk", filter=Q(requested_at__gte=start, requested_at__lt=end)),
            done=Count("pk", filter=Q(status=AssistStatus.DONE, done_on__year=year)),
        )
        figures.update(
            inspections=done["n"],
            patrol_publicity=done["publicity"],
            employers_inspected=done["employers"],
            key_employers_inspected=done["key"],
            leads_discovered=leads["discovered"],
            leads_reported=leads["reported"],
            leads_on_time=leads["on_time"],
            assists_requested=assists["requested"],
            assists_done=assists["done"],
            publicity_events=PublicityEvent.objects.standing()
            .filter(recorded_by=user, held_on__year=year)
            .count(),
        )
        consulted = Consultation.objects.filter(recorded_by=user, given_on__year=year).aggregate(
            n=Count("pk"), health_check=Count("pk", filter=Q(kind=ConsultationKind.HEALTH_CHECK))
        )
        figures.update(consultations=consulted["n"], health_check_guidance=consulted["health_check"])
        tasks = assistant_task_counts(year, [user.pk]).get(user.pk, TaskCounts())
        figures.update(tasks_assigned=tasks.assigned, tasks_done=tasks.done, tasks_on_time=tasks.on_time)
    return Measures(year=year, **figures)
