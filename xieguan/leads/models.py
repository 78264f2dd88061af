from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.lib.scoping import ScopedQuerySet
from xieguan.lib.sync import client_uuid_field, unique_client_uuid
from xieguan.regions.models import Region
from xieguan.regions.policy import ProvincePolicy, province_unique


class LeadType(models.TextChoices):
    ILLEGAL = "illegal", _("违法相关信息")
    ABNORMAL = "abnormal", _("工作场所异常")
    COMPLAINT = "complaint", _("群众投诉举报")
    SUSPECTED_PATIENT = "suspected_patient", _("可疑职业病人")
    POISONING = "poisoning", _("职业中毒事故")


IMPORTANT_BY_DEFAULT = frozenset({LeadType.SUSPECTED_PATIENT, LeadType.POISONING})


class AbnormalKind(models.TextChoices):
    RADIATION = "radiation", _("放射")
    DUST = "dust", _("粉尘")
    NOISE = "noise", _("噪声")
    CHEMICAL = "chemical", _("化学毒物")
    OTHER = "other", _("其他")


class Importance(models.TextChoices):
    NORMAL = "normal", _("一般")
    IMPORTANT = "important", _("重要")


class LeadSource(models.TextChoices):
    INSPECTION = "inspection", _("巡查发现")
    COMPLAINT = "complaint", _("群众投诉举报")
    DIRECT = "direct", _("直接录入")


class LeadStatus(models.TextChoices):
    DISCOVERED = "discovered", _("已发现")
    REPORTED = "reported", _("已报告")
    HANDLING = "handling", _("处理中")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class ReportMethod(models.TextChoices):
    SYSTEM = "system", _("系统报送")
    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("当面")


class Handling(models.TextChoices):
    ASSIST = "assist", _("协查")
    ENFORCEMENT = "enforcement", _("查处")
    NO_ACTION = "no_action", _("无需处理")


class OfficerAction(models.TextChoices):
    FILED = "filed", _("立案")
    RECTIFY = "rectify", _("责令整改")
    PENALTY = "penalty", _("处罚")
    NO_ACTION = "no_action", _("不予处理")


class ReportingPolicy(ProvincePolicy):
    """How soon a lead must be reported (the regulation: 重要情况立即报告). One row per province
    (``ReportingPolicy.for_region``, regions/policy.py)."""

    important_hours = models.PositiveIntegerField(_("重要线索报告时限(小时)"), default=2)
    normal_days = models.PositiveIntegerField(_("一般线索报告时限(天)"), default=2)

    class Meta:
        verbose_name = _("报告时限")
        verbose_name_plural = _("报告时限")
        constraints = province_unique("reportingpolicy")

    def __str__(self) -> str:
        return f"重要 {self.important_hours} 小时 / 一般 {self.normal_days} 天"


class LeadQuerySet(ScopedQuerySet["Lead"]):
    """The one definition of the reporting states, shared by lists, exports and indicators.

    A lead is *reported* once ``reported_at`` is set (whenever that was). It is *on time* when
    reported no later than ``report_due_at``; *overdue* when reported after it, or not reported
    and the deadline has passed (``now``). Periods are local (Asia/Shanghai) calendar days.
    """

    def within(self, code: str) -> LeadQuerySet:
        return cast("LeadQuerySet", super().within(code))

    def visible_to(self, user: Any) -> LeadQuerySet:
        return cast("LeadQuerySet", super().visible_to(user))

    def visible_within(self, user: Any, code: str | None) -> LeadQuerySet:
        return cast("LeadQuerySet", super().visible_within(user, code))

    def discovered_between(self, first: dt.date | None, last: dt.date | None) -> LeadQuerySet:
        """Discovered on the local days ``first`` .. ``last`` inclusive (either may be open)."""
        qs = self
        if first is not None:
            qs = qs.filter(discovered_at__gte=local_midnight(first))
        if last is not None:
            qs = qs.filter(discovered_at__lt=local_midnight(last + dt.timedelta(days=1)))
        return qs

    def counted(self) -> LeadQuerySet:
        """Leads that count (the reporting rate's denominator): all but those withdrawn (entered in error)."""
        return self.exclude(status=LeadStatus.WITHDRAWN)

    def assigned_to(self, user: Any) -> LeadQuerySet:
        """Leads reported to ``user`` or their agency that are theirs to act on (``Lead.is_assigned_to``):
        reported to them, signed for by them, or reported to their agency and not yet signed for or
        named to an officer."""
        mine = models.Q(reported_to_officer=user) | models.Q(acknowledged_by=user)
        if getattr(user, "agency_id", None):
            mine |= models.Q(
                reported_to_agency_id=user.agency_id,
                reported_to_officer__isnull=True,
                acknowledged_by__isnull=True,
            )
        return self.filter(mine, reported_at__isnull=False)

    def reported(self) -> LeadQuerySet:
        return self.filter(reported_at__isnull=False)

    def unreported(self) -> LeadQuerySet:
        """Not reported and not withdrawn (a withdrawn lead is owed to nobody)."""
        return self.filter(reported_at__isnull=True).exclude(status=LeadStatus.WITHDRAWN)

    def on_time(self) -> LeadQuerySet:
        return self.filter(reported_at__isnull=False, reported_at__lte=models.F("report_due_at"))

    def not_on_time(self) -> LeadQuerySet:
        """Not reported, or reported late."""
        return self.exclude(reported_at__isnull=False, reported_at__lte=models.F("report_due_at"))

    def overdue(self, now: dt.datetime | None = None) -> LeadQuerySet:
        return self.filter(overdue_q(now or timezone.now()))

    def not_overdue(self, now: dt.datetime | None = None) -> LeadQuerySet:
        return self.exclude(overdue_q(now or timezone.now()))

    def overdue_unreported(self, now: dt.datetime | None = None) -> LeadQuerySet:
        return self.filter(reported_at__isnull=True, report_due_at__lt=now or timezone.now()).exclude(
            status=LeadStatus.WITHDRAWN
        )


# Order by this to put important leads first.
IMPORTANT_FIRST = models.Case(
    models.When(importance=Importance.IMPORTANT, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the project's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def overdue_q(now: dt.datetime) -> models.Q:
    """Reported late, or not reported and past due; a withdrawn lead is never overdue."""
    late = models.Q(reported_at__gt=models.F("report_due_at")) | models.Q(
        reported_at__isnull=True, report_due_at__lt=now
    )
    return late & ~models.Q(status=LeadStatus.WITHDRAWN)


class Lead(models.Model):
    """An event or lead (事件或线索) from discovery to outcome."""

    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    place = models.CharField(_("地点"), max_length=200, blank=True, help_text=_("不知道单位名称时填写地点。"))
    lead_type = models.CharField(_("信息类别"), max_length=30, choices=LeadType.choices)
    abnormal_kind = models.CharField(_("异常类别"), max_length=20, choices=AbnormalKind.choices, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=LeadSource.choices)
    inspection = models.ForeignKey(
        "inspections.Inspection", null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    inspection_answer = models.OneToOneField(
        "inspections.InspectionAnswer", null=True, blank=True, on_delete=models.PROTECT, related_name="lead"
    )
    description = models.TextField(_("信息内容"))
    importance = models.CharField(
        _("重要程度"), max_length=20, choices=Importance.choices, default=Importance.NORMAL
    )
    # Not db_index: lead_status_due_idx (status first) serves every comparison of the status.
    status = models.CharField(
        _("状态"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.DISCOVERED
    )
    discovered_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    discovered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发现人"), on_delete=models.PROTECT, related_name="+"
    )
    report_due_at = models.DateTimeField(_("应报告时间"))
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_to_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("报告机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    reported_to_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_leads",
    )
    reported_to_administration = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("同时报告的卫生健康行政部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("可疑职业病人、职业中毒事故同时报告上级职业卫生行政部门。"),
    )
    report_method = models.CharField(_("报告方式"), max_length=20, choices=ReportMethod.choices, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling = models.CharField(_("处置方式"), max_length=20, choices=Handling.choices, blank=True)
    handling_reason = models.TextField(_("处置说明"), blank=True)
    officer_action = models.CharField(_("执法处理"), max_length=20, choices=OfficerAction.choices, blank=True)
    officer_action_reason = models.TextField(_("执法处理说明"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("办结结果"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True)
    client_uuid = client_uuid_field()  # a lead entered directly on the phone (docs/sync.md)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件或线索")
        verbose_name_plural = _("事件或线索")
        ordering = ["-discovered_at"]
        indexes = [
            # varchar_pattern_ops: the region prefix (region_id LIKE '520526%') is a range on this index.
            models.Index(
                fields=["region", "discovered_at"],
                name="lead_region_discovered_idx",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            # The reporting rate of a period reads only this narrow index (index-only scan; it
            # counts ids, so the id is in it too).
            # It carries the status too: the rate leaves withdrawn leads out (LeadQuerySet.counted), and
            # with the status in the index that filter keeps the scan index-only (a partial index
            # made PostgreSQL fall back to a bitmap heap scan; docs/leads.md).
            models.Index(
                fields=["discovered_at", "region", "reported_at", "report_due_at", "id", "status"],
                name="lead_discovered_reporting_idx",
            ),
            models.Index(fields=["status", "report_due_at"], name="lead_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reported_at__isnull=True)
                | models.Q(reported_at__gte=models.F("discovered_at")),
                name="lead_reported_after_discovered",
            ),
            unique_client_uuid("lead"),
        ]

    def __str__(self) -> str:
        return f"{self.get_lead_type_display()}：{self.description[:30]}"

    @property
    def is_overdue(self) -> bool:
        """Reported after the deadline, or not reported and the deadline has passed (see overdue_q)."""
        if self.status == LeadStatus.WITHDRAWN:
            return False
        if self.reported_at is not None:
            return self.reported_at > self.report_due_at
        return self.report_due_at < timezone.now()

    @property
    def is_on_time(self) -> bool:
        return self.reported_at is not None and self.reported_at <= self.report_due_at

    @property
    def handling_officer_ids(self) -> set[int]:
        """The officers handling the lead: the one it was reported to and the one who signed for it."""
        return {pk for pk in (self.reported_to_officer_id, self.acknowledged_by_id) if pk}

    def is_assigned_to(self, user: Any) -> bool:
        """Whether ``user`` is the officer (or of the agency) this lead was reported to.

        Reported to a named officer: that officer. Reported to an agency: its officers. Whoever
        signed for it keeps it. Only they may sign for, handle and close the lead.
        """
        if user is None or getattr(user, "role", None) != "officer" or not user.is_active:
            return False
        if self.reported_at is None:
            return False
        if user.pk in self.handling_officer_ids:
            return True
        return (
            self.reported_to_officer_id is None
            and self.acknowledged_by_id is None
            and user.agency_id is not None
            and user.agency_id == self.reported_to_agency_id
        )


class EventKind(models.TextChoices):
    DISCOVERED = "discovered", _("发现")
    REPORTED = "reported", _("报告")
    ACKNOWLEDGED = "acknowledged", _("签收")
    ASSIST_REQUESTED = "assist_requested", _("发起协查")
    ASSIST_RECORDED = "assist_recorded", _("协查完成")
    HANDLING = "handling", _("确定处置方式")
    OFFICER_ACTION = "officer_action", _("执法处理")
    CLOSED = "closed", _("办结")
    REGRADED = "regraded", _("调整重要程度")
    WITHDRAWN = "withdrawn", _("撤回")
    ASSIST_CANCELLED = "assist_cancelled", _("取消协查")
    ASSIST_REASSIGNED = "assist_reassigned", _("改派协查")
    FINDING_AMENDED = "finding_amended", _("巡查修订")


class LeadEvent(models.Model):
    """One step of a lead's timeline: who did what, when."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "lead__region"

    class Meta:
        verbose_name = _("线索处理记录")
        verbose_name_plural = _("线索处理记录")
        ordering = ["lead", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class LeadPhoto(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="lead-photos/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)
    client_uuid = client_uuid_field()

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "lead__region"

    class Meta:
        verbose_name = _("线索照片")
        verbose_name_plural = _("线索照片")
        constraints = [unique_client_uuid("lead_photo")]

    def __str__(self) -> str:
        return str(self.image.name)


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("信件")
    ONLINE = "online", _("网络")
    OTHER = "other", _("其他")


class Complaint(models.Model):
    """A public complaint (群众投诉举报). The complainant's identity is confidential."""

    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("接报时间"), default=timezone.now)
    channel = models.CharField(_("渠道"), max_length=20, choices=ComplaintChannel.choices)
    content = models.TextField(_("举报内容"))
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("被举报单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    complainant_name = models.CharField(_("举报人姓名"), max_length=50, blank=True)
    complainant_contact = models.CharField(_("举报人联系方式"), max_length=50, blank=True)
    identity_erased_at = models.DateTimeField(
        _("举报人身份清除时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("保存期限届满后，举报人姓名和联系方式由 applyretention 清除的时间。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(
        _("登记时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("登记入系统的时间（记录及时率）；此字段加入前的记录为空，不计入。"),
    )
    lead = models.OneToOneField(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="complaint"
    )
    client_uuid = client_uuid_field()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众投诉举报")
        verbose_name_plural = _("群众投诉举报")
        ordering = ["-received_at"]
        constraints = [unique_client_uuid("complaint")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.content[:30]}"


class AssistStatus(models.TextChoices):
    REQUESTED = "requested", _("待协查")
    DONE = "done", _("已协查")
    CANCELLED = "cancelled", _("已取消")


class AssistRequest(models.Model):
    """An assisted investigation (协查), requested by an officer, recorded by an assistant."""

    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="assists")
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assists",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="assists_requested",
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("协管员"), on_delete=models.PROTECT, related_name="assists"
    )
    requested_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    due_on = models.DateField(_("要求完成日期"), null=True, blank=True)
    request_note = models.TextField(_("协查要求"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=AssistStatus.choices, default=AssistStatus.REQUESTED, db_index=True
    )
    done_on = models.DateField(_("协查日期"), null=True, blank=True)
    what_done = models.TextField(_("协查情况"), blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    reassigned_from = models.OneToOneField(
        "self",
        verbose_name=_("改派自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reassigned_to",
    )
    # The phone's id of the record (记录协查情况): the same record sent again is accepted once.
    record_uuid = client_uuid_field()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("协查")
        verbose_name_plural = _("协查")
        ordering = ["-requested_at"]
        constraints = [unique_client_uuid("assist", "record_uuid")]

    def __str__(self) -> str:
        return f"协查 {self.employer or self.lead}"


class AssistPhoto(models.Model):
    assist = models.ForeignKey(AssistRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="assist-photos/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)
    client_uuid = client_uuid_field()

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assist__region"

    class Meta:
        verbose_name = _("协查照片")
        verbose_name_plural = _("协查照片")
        constraints = [unique_client_uuid("assist_photo")]

    def __str__(self) -> str:
        return str(self.image.name)
