from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.lib.scoping import ScopedQuerySet
from xieguan.lib.sync import client_uuid_field, unique_client_uuid
from xieguan.regions.models import Region
from xieguan.regions.policy import ProvincePolicy, province_of


class ItemKind(models.TextChoices):
    DOCUMENT = "document", _("资料有无")  # 第1-5项为检查资料有无: 无 is a finding
    LEAD = "lead", _("线索发现")  # 第6-7项为发现线索: 有 is a finding


class NotApplicableRule(models.TextChoices):
    """When an item may be answered 合理缺项."""

    NEVER = "never", _("不允许合理缺项")
    NO_CONSTRUCTION_PROJECT = "no_construction_project", _("无建设项目的用人单位可合理缺项")
    NO_RADIATION_WORK = "no_radiation_work", _("不从事放射工作的用人单位可合理缺项")


class Answer(models.TextChoices):
    YES = "yes", _("有")
    NO = "no", _("无")
    NOT_APPLICABLE = "na", _("合理缺项")


class ChecklistTemplate(ProvincePolicy):
    """A versioned check-list (附表1 and its variants): data, not code. Never edited in place.

    ``province`` is the owner (regions/policy.py): NULL for the national templates every province
    sees (the built-in 附表1), a province's code for the versions its admin made. ``is_active`` is
    "in force where it belongs": at most one active national template, at most one active per
    province; ``active(region)`` is the province's own active version, else the national one.
    """

    code = models.SlugField(_("模板代码"), max_length=50)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    builtin = models.BooleanField(_("内置"), default=False)
    is_active = models.BooleanField(_("当前启用"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("巡查表模板")
        verbose_name_plural = _("巡查表模板")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(province__isnull=True),
                name="template_unique_version",
            ),
            models.UniqueConstraint(
                fields=["province", "code", "version"],
                condition=models.Q(province__isnull=False),
                name="template_unique_version_province",
            ),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True, province__isnull=True),
                name="template_one_active",
            ),
            models.UniqueConstraint(
                fields=["province"],
                condition=models.Q(is_active=True, province__isnull=False),
                name="template_one_active_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @classmethod
    def visible_in(cls, region_or_code: Region | str | None) -> models.QuerySet[ChecklistTemplate]:
        """The templates a province sees: the national ones and its own."""
        province = province_of(region_or_code)
        return cls.objects.filter(models.Q(province__isnull=True) | models.Q(province_id=province or None))

    def is_visible_in(self, region_or_code: Region | str | None) -> bool:
        """Whether this template is one of ``visible_in(region_or_code)`` (national, or that
        province's own), for a template already in hand (``template_items``' copy)."""
        return self.province_id is None or self.province_id == (province_of(region_or_code) or None)

    @classmethod
    def active(cls, region_or_code: Region | str | None) -> ChecklistTemplate | None:
        """The template new inspections in that region's province are filled with (chosen by the
        province admin): the province's own active version, else the national active one."""
        province = province_of(region_or_code)

        def load() -> ChecklistTemplate | None:
            found = sorted(
                cls.visible_in(province).filter(is_active=True), key=lambda t: t.province_id is None
            )
            return found[0] if found else None

        return cls._memoised("active", province, load)

    def is_active_in(self, region_or_code: Region | str | None) -> bool:
        active = ChecklistTemplate.active(region_or_code)
        return active is not None and active.pk == self.pk


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField(_("序号"))
    wording = models.CharField(_("巡查内容"), max_length=300)
    kind = models.CharField(_("性质"), max_length=20, choices=ItemKind.choices)
    na_rule = models.CharField(
        _("合理缺项"), max_length=30, choices=NotApplicableRule.choices, default=NotApplicableRule.NEVER
    )
    lead_type = models.CharField(
        _("发现问题时生成的线索类别"),
        max_length=30,
        blank=True,
        help_text=_("leads.LeadType 的值；留空按性质推断。"),
    )

    class Meta:
        verbose_name = _("巡查项目")
        verbose_name_plural = _("巡查项目")
        ordering = ["template", "number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="item_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.wording}"

    def na_allowed_for(self, employer: Employer) -> bool:
        """Whether 合理缺项 is a permitted answer of this item for this employer."""
        if self.na_rule == NotApplicableRule.NO_CONSTRUCTION_PROJECT:
            return not employer.construction_project
        if self.na_rule == NotApplicableRule.NO_RADIATION_WORK:
            return not employer.radiation_work
        return False

    def is_finding(self, answer: str) -> bool:
        """无 on a document item, 有 on a lead item; 合理缺项 never."""
        if self.kind == ItemKind.DOCUMENT:
            return answer == Answer.NO
        return answer == Answer.YES

    def finding_lead_type(self) -> str:
        """The leads.LeadType of a lead made from a finding on this item."""
        if self.lead_type:
            return self.lead_type
        return "illegal" if self.kind == ItemKind.DOCUMENT else "abnormal"


# template id -> (the template, its items in order): read once per process (template_items).
_TEMPLATE_ITEMS: dict[int, tuple[ChecklistTemplate, list[ChecklistItem]]] = {}


def template_items(
    template_id: int, created_at: dt.datetime | None = None
) -> tuple[ChecklistTemplate, list[ChecklistItem]] | None:
    """The template with this id and its items in order (each item's ``template`` set), read
    once per process; None when there is no such template or it has no items.

    A template and its items are never changed once made (a revision is a new template with a
    new id; nothing edits or deletes items), so a template's id and ``created_at`` name its
    content. Only ``is_active`` changes, and it is not to be read from the copy: ask
    ``is_active_in``. ``created_at``, when given, is the template's as the database has it now
    (the submission reads it in the statement that reads the employer, so checking costs no
    statement): a copy made before does not match when the id names another template since
    (``manage.py gendata --reset``, a restored backup, while the server ran) and is read again.
    Saving or deleting a template or an item in this process drops the copies too."""
    found = _TEMPLATE_ITEMS.get(template_id)
    if found is not None and created_at is not None and found[0].created_at != created_at:
        del _TEMPLATE_ITEMS[template_id]
        found = None
    if found is None:
        items = list(ChecklistItem.objects.select_related("template").filter(template_id=template_id))
        if not items:
            return None
        found = (items[0].template, items)
        if len(_TEMPLATE_ITEMS) >= 64:
            _TEMPLATE_ITEMS.clear()
        _TEMPLATE_ITEMS[template_id] = found
    return found


_TEMPLATE_TABLES = frozenset({ChecklistTemplate._meta.db_table, ChecklistItem._meta.db_table})


def forget_template_items() -> None:
    """Drop this process's copies of templates and their items (template_items)."""
    _TEMPLATE_ITEMS.clear()


def _forget_template_items(sender: type[models.Model], **kwargs: object) -> None:
    # by table, not class: a data migration's historical models write the same rows
    if sender._meta.db_table in _TEMPLATE_TABLES:
        forget_template_items()


models.signals.post_save.connect(_forget_template_items, dispatch_uid="inspections_forget_template_items")
models.signals.post_delete.connect(_forget_template_items, dispatch_uid="inspections_forget_template_items")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Inspection(models.Model):
    """One filled 附表1 (职业健康监督协管巡查个案信息表) for one employer at one time.

    The primary key is made by the client (a UUID), so an offline phone can submit later
    and the same submission received twice is stored once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="inspections"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", help_text="the employer's region"
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协管员"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    # The header of the form as written on site (may correct the ledger)
    employer_name = models.CharField(_("用人单位名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    inspected_at = models.DateTimeField(_("巡查时间"), default=timezone.now)
    accompanying_person = models.CharField(_("用人单位陪同人员"), max_length=50, blank=True)
    companion_signature = models.ImageField(_("陪同人员签字"), upload_to="signatures/%Y/%m/", blank=True)
    assistant_signature = models.ImageField(_("协管员签字"), upload_to="signatures/%Y/%m/", blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    legal_publicity = models.BooleanField(
        _("巡查时开展普法宣传"),
        null=True,
        blank=True,
        help_text=_("谁执法谁普法：本次巡查是否向用人单位开展了法律法规宣传；空为未记录。"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    complete = models.BooleanField(
        _("记录完整"), default=False, help_text=_("各项均已填写且双方签字（指标：记录及报告）。")
    )
    findings_count = models.PositiveSmallIntegerField(_("发现问题数"), default=0)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查个案")
        verbose_name_plural = _("巡查个案")
        ordering = ["-inspected_at"]
        indexes = [
            # varchar_pattern_ops: the region prefix (region_id LIKE '520526%') is a range on this index.
            models.Index(
                fields=["region", "inspected_at"],
                name="inspection_region_time_idx",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            # The status compared for equality only (drafts): a plain index, no varchar_pattern_ops twin
            # (db_index would add one on PostgreSQL; docs/performance.md, issue 16 round 5).
            models.Index(fields=["status"], name="inspection_status_idx"),
            models.Index(fields=["employer", "inspected_at"], name="inspection_employer_time_idx"),
            models.Index(fields=["assistant", "inspected_at"], name="inspection_assistant_time_idx"),
            # The indicators' "inspected in the period" (per employer, per assistant) and the
            # records count read only this narrow index (index-only scan), never the wide rows.
            models.Index(
                fields=["inspected_at", "employer", "assistant", "region", "complete", "id"],
                condition=models.Q(status="submitted"),
                name="inspection_submitted_time_idx",
            ),
            # The same, region first: "inspected in the period" below the province (the indicators
            # restrict it to the subtree) is a range of one county's entries, index-only.
            models.Index(
                fields=["region", "inspected_at", "employer", "assistant", "complete", "id"],
                condition=models.Q(status="submitted"),
                name="inspection_sub_region_idx",
                opclasses=[
                    "varchar_pattern_ops",
                    "timestamptz_ops",
                    "int8_ops",
                    "int8_ops",
                    "bool_ops",
                    "uuid_ops",
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_name} {timezone.localtime(self.inspected_at):%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        if self.status == InspectionStatus.DRAFT:
            return reverse("inspections:edit", args=[self.pk])
        return reverse("inspections:detail", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == InspectionStatus.SUBMITTED


class InspectionAnswer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("有/无"), max_length=3, choices=Answer.choices)
    note = models.TextField(_("情况说明"), blank=True)
    is_finding = models.BooleanField(_("发现问题"), default=False)
    important = models.BooleanField(
        _("重要情况"),
        default=False,
        help_text=_("协管员在现场标记为重要的发现；生成的线索为“重要”，按重要线索的时限报告。"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "inspection__region"

    class Meta:
        verbose_name = _("巡查项目结果")
        verbose_name_plural = _("巡查项目结果")
        ordering = ["inspection", "item__number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item.number}: {self.get_answer_display()}"


class InspectionPhoto(models.Model):
    """A photo, stamped in the stored image with time, place and the employer's name."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="inspection-photos/%Y/%m/")
    taken_at = models.DateTimeField(_("拍摄时间"), default=timezone.now)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    item_number = models.PositiveSmallIntegerField(_("对应巡查项目"), null=True, blank=True)
    client_uuid = client_uuid_field()  # the phone's id of an upload: a repeat is stored once

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "inspection__region"

    class Meta:
        verbose_name = _("巡查照片")
        verbose_name_plural = _("巡查照片")
        ordering = ["inspection", "taken_at"]
        constraints = [unique_client_uuid("inspection_photo")]

    def __str__(self) -> str:
        return self.caption or str(self.image.name)


class InspectionAmendment(models.Model):
    """A correction of a submitted inspection: the reason and both versions are kept."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="amendments")
    revision = models.PositiveIntegerField(_("修订序号"))
    reason = models.TextField(_("修改原因"))
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(_("修改前"))
    after = models.JSONField(_("修改后"))

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "inspection__region"

    class Meta:
        verbose_name = _("巡查个案修订")
        verbose_name_plural = _("巡查个案修订")
        ordering = ["inspection", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "revision"], name="amendment_unique_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} #{self.revision}"


class AssistantHalf(models.Model):
    """How many submitted inspections one account (an assistant's) made in one half-year.

    Derived data, like ``Employer.inspected_halves``: the inspection actions add to it in the
    transaction that submits and recompute an account's rows when an amendment may move an
    inspection (``inspections.patrol``). The assistants' patrol rate reads it instead of looking
    through the inspections (its cost does not grow with the years); ``manage.py
    checkindicators`` compares it with the inspections and repairs it.
    """

    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="patrol_halves",
        verbose_name=_("协管员"),
    )
    half = models.PositiveSmallIntegerField(_("半年"))  # patrol.half_index: 0 = the first half of 2020
    inspections = models.PositiveIntegerField(_("已提交巡查数"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "assistant__region"

    class Meta:
        verbose_name = _("协管员半年巡查记录")
        verbose_name_plural = _("协管员半年巡查记录")
        constraints = [
            models.UniqueConstraint(fields=["assistant", "half"], name="assistant_half_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assistant_id} #{self.half}: {self.inspections}"
