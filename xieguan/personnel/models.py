from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.lib.scoping import ScopedQuerySet
from xieguan.lib.validators import mask_id_number
from xieguan.regions.models import Region
from xieguan.regions.policy import ProvincePolicy, province_unique


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Origin(models.TextChoices):
    """乡聘村用: family-planning cadres and village doctors may be enrolled."""

    FAMILY_PLANNING = "family_planning", _("计生专干")
    VILLAGE_DOCTOR = "village_doctor", _("村医")
    TOWNSHIP_HOSPITAL = "township_hospital", _("乡镇卫生院")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    JUNIOR = "junior", _("初中及以下")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class AssistantStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待聘")
    APPOINTED = "appointed", _("在聘")
    EXPIRED = "expired", _("聘期已满")
    DISMISSED = "dismissed", _("已解聘")


class AssistantQuerySet(ScopedQuerySet["Assistant"]):
    """Status is stored (kept by personnel.actions and the ``expireterms`` command) and also
    derived here from the terms and the dismissal, so queries are right even before the
    nightly command has run."""

    def within(self, code: str) -> AssistantQuerySet:
        return cast(AssistantQuerySet, super().within(code))

    def visible_to(self, user: Any) -> AssistantQuerySet:
        return cast(AssistantQuerySet, super().visible_to(user))

    def in_service(self, day: dt.date | None = None) -> AssistantQuerySet:
        """Assistants in service on ``day`` (default today): THE definition, personnel/service.py."""
        from xieguan.personnel import service

        return self.filter(service.in_service_on(day))

    def served_in_full(self, start: dt.date, end: dt.date) -> AssistantQuerySet:
        """Assistants in service on every day of ``[start, end]`` (personnel/service.py)."""
        from xieguan.personnel import service

        return self.filter(service.served_in_full(start, end))

    def derived_status_of(self, pk: int, today: dt.date | None = None) -> str | None:
        """The derived status of one assistant (None if not in this queryset)."""
        field: str = "derived_status"
        found: str | None = self.with_term(today).filter(pk=pk).values_list(field, flat=True).first()
        return found

    def with_term(self, today: dt.date | None = None) -> AssistantQuerySet:
        """Annotate ``term_end`` (the end of the term covering today, or None), ``last_term_end``
        and ``derived_status`` (an AssistantStatus value computed from terms and dismissal)."""
        day = today or timezone.localdate()
        terms = Appointment.objects.filter(assistant=models.OuterRef("pk"))
        current_end = terms.filter(start__lte=day, end__gte=day).order_by("-end").values("end")[:1]
        last_end = terms.order_by("-end").values("end")[:1]
        return self.annotate(
            term_end=models.Subquery(current_end),
            last_term_end=models.Subquery(last_end),
        ).annotate(
            derived_status=models.Case(
                models.When(dismissal__isnull=False, then=models.Value(AssistantStatus.DISMISSED.value)),
                models.When(term_end__isnull=False, then=models.Value(AssistantStatus.APPOINTED.value)),
                models.When(last_term_end__isnull=False, then=models.Value(AssistantStatus.EXPIRED.value)),
                default=models.Value(AssistantStatus.CANDIDATE.value),
                output_field=models.CharField(),
            )
        )


class Assistant(models.Model):
    """A supervision assistant (职业健康监督协管员) as a person, linked to a login account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assistant",
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    education = models.CharField(_("文化程度"), max_length=20, choices=Education.choices)
    specialty = models.CharField(_("专业"), max_length=50, blank=True)
    origin = models.CharField(_("人员来源"), max_length=30, choices=Origin.choices)
    township = models.ForeignKey(
        Region, verbose_name=_("所在乡(镇、街道)"), on_delete=models.PROTECT, related_name="assistant_people"
    )
    villages = models.ManyToManyField(Region, verbose_name=_("负责的村(社区)"), blank=True, related_name="+")
    photo = models.ImageField(_("照片"), upload_to="assistant-photos/", blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssistantStatus.choices,
        default=AssistantStatus.CANDIDATE,
        db_index=True,
    )
    # The four conditions of the regulation, each with evidence or a declaration.
    law_abiding = models.BooleanField(_("遵纪守法、廉洁奉公"), default=False)
    law_abiding_evidence = models.CharField(_("依据"), max_length=200, blank=True)
    fit_for_duty = models.BooleanField(_("具有正常履行职责的身体条件"), default=False)
    fit_for_duty_evidence = models.CharField(_("依据"), max_length=200, blank=True)
    qualified = models.BooleanField(_("具有符合职位要求的文化程度和工作能力"), default=False)
    qualified_evidence = models.CharField(_("依据"), max_length=200, blank=True)
    knowledgeable = models.BooleanField(_("具有职业健康监督相关的专业和法律知识"), default=False)
    knowledgeable_evidence = models.CharField(_("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AssistantQuerySet.as_manager()
    scope_lookup = "township"

    class Meta:
        verbose_name = _("协管员")
        verbose_name_plural = _("协管员")
        ordering = ["township", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        """The masked form; which form a user sees is decided by personnel.privacy only."""
        return mask_id_number(self.id_number)


class Appointment(models.Model):
    """A fixed appointment term (定期聘用); a renewal is a new term linked to the previous one."""

    assistant = models.ForeignKey(Assistant, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateField(_("聘期开始"))
    end = models.DateField(_("聘期结束"))
    document_no = models.CharField(_("聘任文号"), max_length=50, blank=True)
    renewal_of = models.OneToOneField(
        "self",
        verbose_name=_("续聘自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assistant__township"

    class Meta:
        verbose_name = _("聘任")
        verbose_name_plural = _("聘任")
        ordering = ["assistant", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assistant} {self.start}—{self.end}"


class TrainingKind(models.TextChoices):
    PRE_JOB = "pre_job", _("岗前培训")
    BUSINESS = "business", _("业务培训")


class TrainingSession(models.Model):
    kind = models.CharField(_("培训类别"), max_length=20, choices=TrainingKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("组织单位所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训主题"), max_length=200)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    has_exam = models.BooleanField(_("有考核"), default=True)
    pass_mark = models.DecimalField(
        _("合格分数线"),
        max_digits=5,
        decimal_places=1,
        default=60,
        help_text=_("有考核的培训：成绩达到此分数为合格；无考核的培训：参加即为合格。"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class TrainingRecord(models.Model):
    """One invited assistant of a session: attendance and exam result."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="records")
    assistant = models.ForeignKey(Assistant, on_delete=models.PROTECT, related_name="training_records")
    attended = models.BooleanField(_("参加"), default=False)
    score = models.DecimalField(_("考核成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("合格"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assistant__township"

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints = [
            models.UniqueConstraint(fields=["session", "assistant"], name="training_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.assistant}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("合格")
    BASIC = "basic", _("基本合格")
    FAIL = "fail", _("不合格")


class GradeThreshold(ProvincePolicy):
    """The minimum total score of each grade (data, editable by the province): a keyed
    per-province table (``GradeThreshold.rows_for_region``, regions/policy.py)."""

    policy_key = "grade"

    grade = models.CharField(_("等次"), max_length=20, choices=Grade.choices)
    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("考核等次分数线")
        verbose_name_plural = _("考核等次分数线")
        ordering = ["-min_score"]
        constraints = province_unique("gradethreshold", "grade")

    def __str__(self) -> str:
        return f"{self.get_grade_display()} ≥ {self.min_score}"


class Assessment(models.Model):
    """The yearly assessment of 第十条: duty, service, discipline. Locked once signed off."""

    assistant = models.ForeignKey(Assistant, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    duty_score = models.DecimalField(_("依法履行职责"), max_digits=5, decimal_places=1, null=True, blank=True)
    service_score = models.DecimalField(
        _("开展卫生监督服务"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    discipline_score = models.DecimalField(
        _("遵纪守法"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    total_score = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=20, choices=Grade.choices, blank=True)
    measured = models.JSONField(
        _("年度工作量"), default=dict, help_text="the assistant's measured work, at prefill"
    )
    comments = models.TextField(_("考核意见"), blank=True)
    signed_off_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assistant__township"

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "assistant"]
        constraints = [models.UniqueConstraint(fields=["assistant", "year"], name="assessment_once_a_year")]

    def __str__(self) -> str:
        return f"{self.assistant} {self.year}"


class RewardGround(models.TextChoices):
    """第十一条."""

    DEDICATED = "dedicated", _("忠于职守，积极工作，成绩显著")
    PREVENTED_ACCIDENT = "prevented_accident", _("防止或者消除事故有功，使国家和人民群众利益免受或者减少损失")
    EMERGENCY = "emergency", _("在处理突发职业健康事件中做出突出贡献")
    OTHER = "other", _("有其他突出功绩")


class Reward(models.Model):
    assistant = models.ForeignKey(Assistant, on_delete=models.PROTECT, related_name="rewards")
    ground = models.CharField(_("表彰奖励情形"), max_length=30, choices=RewardGround.choices)
    description = models.TextField(_("事迹"))
    awarded_on = models.DateField(_("日期"))
    document_no = models.CharField(_("文号"), max_length=50, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assistant__township"

    class Meta:
        verbose_name = _("表彰奖励")
        verbose_name_plural = _("表彰奖励")
        ordering = ["-awarded_on"]

    def __str__(self) -> str:
        return f"{self.assistant} {self.get_ground_display()}"


class DismissalGround(models.TextChoices):
    """第十二条."""

    RETIREMENT = "retirement", _("符合退休条件")
    TRANSFERRED = "transferred", _("调离职业健康工作岗位")
    HEALTH = "health", _("因健康原因不能继续胜任职业健康监督协管工作")
    LEGAL = "legal", _("法律法规规定的情形")


class Dismissal(models.Model):
    assistant = models.OneToOneField(Assistant, on_delete=models.PROTECT, related_name="dismissal")
    ground = models.CharField(_("解聘情形"), max_length=30, choices=DismissalGround.choices)
    dismissed_on = models.DateField(_("解聘日期"))
    document_no = models.CharField(_("文号"), max_length=50)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assistant__township"

    class Meta:
        verbose_name = _("解聘")
        verbose_name_plural = _("解聘")

    def __str__(self) -> str:
        return f"{self.assistant} {self.get_ground_display()}"


class StaffingPolicy(ProvincePolicy):
    """The load above which a township is flagged as understaffed (配备数量与巡查任务相匹配).
    One row per province (``StaffingPolicy.for_region``)."""

    max_inspections_per_assistant = models.PositiveIntegerField(
        _("每名协管员每年巡查任务上限(次)"),
        default=60,
        help_text=_("乡镇每年应巡查次数除以在聘协管员人数超过此数即提示配备不足。"),
    )

    class Meta:
        verbose_name = _("协管员配备标准")
        verbose_name_plural = _("协管员配备标准")
        constraints = province_unique("staffingpolicy")

    def __str__(self) -> str:
        return f"每人每年 {self.max_inspections_per_assistant} 次"


class RetirementRule(models.Model):
    """One statutory retirement-age rule, as data (the law changes it by birth month).

    The age is ``base_years`` for people born before ``reform_from_birth``; from that birth month
    on, one month is added for every ``step_months`` months of birth (the first such month already
    adds one), up to ``max_delay_months``. The rows the data migration loads are the 2024 decision
    of the NPC Standing Committee (渐进式延迟法定退休年龄, in force 2025-01-01): men 60 → 63,
    women cadres 55 → 58 (each +1 month every 4 months of birth from 1965-01 and 1970-01), women
    workers 50 → 55 (+1 month every 2 months of birth from 1975-01).
    """

    key = models.SlugField(_("代码"), max_length=30, unique=True)
    label = models.CharField(_("名称"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    base_years = models.PositiveSmallIntegerField(_("原法定退休年龄(岁)"))
    reform_from_birth = models.DateField(_("自该出生年月起延迟"), help_text=_("填每月1日。"))
    step_months = models.PositiveSmallIntegerField(_("每几个月延迟1个月"))
    max_delay_months = models.PositiveSmallIntegerField(_("最多延迟(月)"))
    effective_from = models.DateField(_("施行日期"))

    class Meta:
        verbose_name = _("法定退休年龄规则")
        verbose_name_plural = _("法定退休年龄规则")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label


class RetirementPolicy(ProvincePolicy):
    """How early the county is warned, and which rule applies to women assistants. One row per
    province (``RetirementPolicy.for_region``); the rules themselves are national law."""

    warning_days = models.PositiveSmallIntegerField(
        _("提前提醒(天)"), default=180, help_text=_("达到法定退休年龄前多少天在县(区)工作台提醒。")
    )
    male_rule = models.ForeignKey(
        RetirementRule, verbose_name=_("男性适用规则"), on_delete=models.PROTECT, related_name="+"
    )
    female_rule = models.ForeignKey(
        RetirementRule,
        verbose_name=_("女性适用规则"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("女职工原50周岁，女干部原55周岁；协管员按聘用性质选择。"),
    )

    class Meta:
        verbose_name = _("退休提醒设置")
        verbose_name_plural = _("退休提醒设置")
        constraints = province_unique("retirementpolicy")

    def __str__(self) -> str:
        return f"提前 {self.warning_days} 天"
