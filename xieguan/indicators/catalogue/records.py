"""（四）记录及报告: records made in time (全面、及时、客观、真实、准确).

Completeness alone cannot fail (an incomplete inspection cannot be submitted), so the indicator
measures what can: each record made within its deadline. Three kinds of record are counted
together, each judged once its deadline has passed or it has been made:

- an inspection (巡查个案) visited in the period: submitted within ``RecordingPolicy.inspection_days``
  of the visit (a draft past that deadline is late);
- a complaint (群众投诉举报) received in the period: recorded within ``RecordingPolicy.complaint_hours``
  of receipt (complaints recorded before the recording time was kept are not judged);
- a lead (事件或线索) discovered in the period and counted by the reporting rate: reported by its
  ``report_due_at`` (``leads.ReportingPolicy``: important ones within hours, 重要情况立即报告);
  one not reported and past due is late.

The deadlines are data (``indicators.RecordingPolicy``, ``leads.ReportingPolicy``) edited by the
province admin. The extras count the late records of each kind; the drill-down lists them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, DateTimeField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.indicators.models import RecordingPolicy
from xieguan.indicators.periods import Period
from xieguan.indicators.registry import Condition, Counts, Indicator, Show, indicator, path_of, register
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.leads.models import Complaint

RECORD = "record"  # the drill-down table indicators/_rows_record.html


def _deadline(field: str, delta: dt.timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) + delta, output_field=DateTimeField())


class _Part(Indicator):
    """One kind of record, judged against a deadline read once per computation."""

    kind: str = ""
    region_field = "region_id"
    subject = RECORD

    def __init__(self, policy: RecordingPolicy, now: dt.datetime) -> None:
        self.policy = policy
        self.now = now

    def extras(self, period: Period, code: str) -> dict[str, Condition]:
        return {f"late_{self.kind}": ~Q(self.ok(period, code))}

    @abstractmethod
    def listing(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """The rows as the drill-down's common columns (for a union of the three kinds)."""


class InspectionPart(_Part):
    key = "records.inspection"
    kind = "inspection"

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(days=self.policy.inspection_days)

    def base(self, code: str) -> QuerySet[Any]:
        return Inspection.objects.within(code)

    def member(self, period: Period, code: str) -> Q:
        judged = Q(status=InspectionStatus.SUBMITTED) | Q(inspected_at__lt=self.now - self.delta)
        return Q(inspected_at__gte=period.start_at, inspected_at__lt=period.end_before) & judged

    def ok(self, period: Period, code: str) -> Q:
        return Q(
            status=InspectionStatus.SUBMITTED,
            submitted_at__lte=_deadline("inspected_at", self.delta),
        )

    def listing(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.annotate(
            r_kind=Value(self.kind, output_field=CharField()),
            r_pk=Cast("pk", CharField()),
            r_occurred=F("inspected_at"),
            r_made=F("submitted_at"),
            r_due=_deadline("inspected_at", self.delta),
            r_who=F("assistant__full_name"),
            r_employer=F("employer_name"),
            r_region=F("region__name"),
            r_region_code=F("region_id"),
        )


class ComplaintPart(_Part):
    key = "records.complaint"
    kind = "complaint"

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(hours=self.policy.complaint_hours)

    def base(self, code: str) -> QuerySet[Any]:
        return Complaint.objects.within(code).filter(recorded_at__isnull=False)

    def member(self, period: Period, code: str) -> Q:
        return Q(received_at__gte=period.start_at, received_at__lt=period.end_before)

    def ok(self, period: Period, code: str) -> Q:
        return Q(recorded_at__lte=_deadline("received_at", self.delta))

    def listing(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.annotate(
            r_kind=Value(self.kind, output_field=CharField()),
            r_pk=Cast("lead_id", CharField()),
            r_occurred=F("received_at"),
            r_made=F("recorded_at"),
            r_due=_deadline("received_at", self.delta),
            r_who=F("recorded_by__full_name"),
            r_employer=Coalesce(F("employer__name"), F("place")),
            r_region=F("region__name"),
            r_region_code=F("region_id"),
        )


class LeadPart(_Part):
    """The leads the reporting rate counts (its one definition of a counted lead)."""

    key = "records.lead"
    kind = "lead"

    def base(self, code: str) -> QuerySet[Any]:
        return indicator("reporting").base(code)

    def member(self, period: Period, code: str) -> Q:
        judged = Q(reported_at__isnull=False) | Q(report_due_at__lt=self.now)
        return Q(indicator("reporting").member(period, code)) & judged

    def ok(self, period: Period, code: str) -> Q:
        return Q(reported_at__isnull=False, reported_at__lte=F("report_due_at"))

    def listing(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.annotate(
            r_kind=Value(self.kind, output_field=CharField()),
            r_pk=Cast("pk", CharField()),
            r_occurred=F("discovered_at"),
            r_made=F("reported_at"),
            r_due=F("report_due_at"),
            r_who=F("discovered_by__full_name"),
            r_employer=Coalesce(F("employer__name"), F("place")),
            r_region=F("region__name"),
            r_region_code=F("region_id"),
        )


PARTS: tuple[type[_Part], ...] = (InspectionPart, ComplaintPart, LeadPart)
COLUMNS = (
    "r_kind",
    "r_pk",
    "r_occurred",
    "r_made",
    "r_due",
    "r_who",
    "r_employer",
    "r_region",
    "r_region_code",  # its county named on a list over several counties (views._set_counties)
)


@register
class Records(Indicator):
    key = "records"
    label = _("记录及报告及时率")
    short_label = _("记录及时")
    numerator_label = _("按时记录或报告")
    denominator_label = _("应记录或报告")
    missing_label = _("逾期的记录或报告")
    subject = RECORD
    order = 60
    basis = _(
        "开展巡查工作应当填写相关工作表，接到群众举报时要做好举报信息记录，做到全面、及时、客观、真实、准确，"
        "需要报告的信息要及时上报，重要情况立即报告。"
    )
    extra_labels = {
        "late_inspection": _("逾期提交的巡查个案"),
        "late_complaint": _("逾期登记的投诉举报"),
        "late_lead": _("逾期报告的线索"),
    }

    def present(self, rows: Iterable[dict[str, Any]]) -> None:
        """Each record's page: the inspection, or the lead the complaint or report is about."""
        for row in rows:
            if row["r_kind"] == InspectionPart.kind:
                row["url"] = path_of("inspections:detail", str(uuid.UUID(row["r_pk"])))
            else:
                row["url"] = path_of("leads:detail", row["r_pk"]) if row["r_pk"] else ""

    def parts(self, code: str) -> list[_Part]:
        """The three kinds of record, with the policy in force now in the province of ``code``
        (one query; a national code reads the default policy)."""
        policy, now = RecordingPolicy.for_region(code), timezone.now()
        return [part(policy, now) for part in PARTS]

    def base(self, code: str) -> QuerySet[Any]:
        return Inspection.objects.within(code)  # unused: counts, series and rows are the parts'

    def ok(self, period: Period, code: str) -> Condition:
        raise NotImplementedError("records is counted by its parts")

    def counts_by_prefix(self, code: str, period: Period, length: int) -> dict[str, Counts]:
        out: dict[str, Counts] = {}
        for part in self.parts(code):
            for child, counts in part.counts_by_prefix(code, period, length).items():
                out[child] = out[child] + counts if child in out else counts
        for counts in out.values():  # every kind named, 0 where a region has none of it
            for name in self.extra_labels:
                counts.extras.setdefault(name, 0)
        return out

    def series(self, code: str, periods: list[Period]) -> list[Counts]:
        totals = [Counts() for _period in periods]
        for part in self.parts(code):
            totals = [a + b for a, b in zip(totals, part.series(code, periods), strict=True)]
        return totals

    def rows(self, code: str, period: Period, show: str = Show.MISSING, own: bool = False) -> QuerySet[Any]:
        """The records behind a number, the three kinds in one list (a union), oldest first."""
        listings = []
        for part in self.parts(code):
            if show.startswith("late_") and show != f"late_{part.kind}":
                continue
            part_show = Show.MISSING if show.startswith("late_") else show
            listings.append(part.listing(part.rows(code, period, part_show, own)).values(*COLUMNS).order_by())
        first, *rest = listings
        return first.union(*rest, all=True).order_by("r_occurred") if rest else first.order_by("r_occurred")
