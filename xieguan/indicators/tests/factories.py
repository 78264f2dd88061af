"""Factories for the rows the indicators count (inspections, leads, publicity events).

Datetimes are aware (Asia/Shanghai) via ``at(...)``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import factory
from django.apps import apps as django_apps
from django.utils import timezone

from xieguan.inspections import patrol
from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionStatus
from xieguan.leads.models import Lead, LeadSource, LeadType
from xieguan.lib.testing import EmployerFactory, UserFactory
from xieguan.outreach.models import PublicityEvent, PublicityKind


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def load_default_targets() -> None:
    """The targets the data migration installs (tests run without migrations)."""
    migration = importlib.import_module("xieguan.indicators.migrations.0002_default_targets")
    migration.load(django_apps, None)


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate
        django_get_or_create = ("code", "version")

    code = "fubiao1"
    version = 1
    name = "职业健康监督协管巡查个案信息表"
    builtin = True


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    template = factory.SubFactory(TemplateFactory)
    employer = factory.SubFactory(EmployerFactory)
    region_id = factory.LazyAttribute(lambda o: o.employer.region_id)
    assistant = factory.SubFactory(UserFactory)
    employer_name = factory.LazyAttribute(lambda o: o.employer.name)
    address = factory.LazyAttribute(lambda o: o.employer.address)
    inspected_at = factory.LazyFunction(timezone.now)
    status = InspectionStatus.SUBMITTED
    submitted_at = factory.LazyAttribute(
        lambda o: o.inspected_at if o.status == InspectionStatus.SUBMITTED else None
    )
    complete = True

    @classmethod
    def _after_postgeneration(cls, instance: Inspection, create: bool, results: Any = None) -> None:
        """Keep the employer's derived patrol fields and the assistant's half-year counts, as the
        inspection actions do."""
        super()._after_postgeneration(instance, create, results)
        if create:
            patrol.refresh([instance.employer_id])
            patrol.refresh_assistants([instance.assistant_id])


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    region_id = "520281117001"
    lead_type = LeadType.ABNORMAL
    source = LeadSource.DIRECT
    description = "粉尘浓度明显超标"
    discovered_at = factory.LazyFunction(timezone.now)
    discovered_by = factory.SubFactory(UserFactory)
    report_due_at = factory.LazyAttribute(lambda o: o.discovered_at + dt.timedelta(days=2))


class PublicityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicityEvent

    region_id = "520281117"
    held_on = factory.LazyFunction(timezone.localdate)
    kind = PublicityKind.LAW
    topic = "《职业病防治法》宣传周"
    audience = 50
    recorded_by = factory.SubFactory(UserFactory)


__all__ = [
    "EmployerFactory",
    "InspectionFactory",
    "LeadFactory",
    "PublicityEventFactory",
    "TemplateFactory",
    "UserFactory",
    "at",
    "load_default_targets",
]


def fubiao1_template() -> ChecklistTemplate:
    """The built-in 附表1 check-list: items 1-5 check documents, 6-7 discover leads."""
    from xieguan.documents.official.fubiao1 import ITEMS
    from xieguan.inspections.models import ChecklistItem, ItemKind, NotApplicableRule

    template = TemplateFactory.create()
    for number, wording in ITEMS:
        ChecklistItem.objects.get_or_create(
            template=template,
            number=number,
            defaults={
                "wording": wording,
                "kind": ItemKind.DOCUMENT if number <= 5 else ItemKind.LEAD,
                "na_rule": NotApplicableRule.NO_CONSTRUCTION_PROJECT
                if number == 2
                else NotApplicableRule.NEVER,
            },
        )
    return template


def answer_all(
    inspection: Inspection, findings: dict[int, str] | None = None, na: tuple[int, ...] = ()
) -> None:
    """Answer every item: no finding, except the numbers in ``findings`` (number -> note)."""
    from xieguan.inspections.models import Answer, InspectionAnswer, ItemKind

    findings = findings or {}
    for item in inspection.template.items.all():
        clean = Answer.YES if item.kind == ItemKind.DOCUMENT else Answer.NO
        bad = Answer.NO if item.kind == ItemKind.DOCUMENT else Answer.YES
        if item.number in na:
            answer, finding = Answer.NOT_APPLICABLE, False
        elif item.number in findings:
            answer, finding = bad, True
        else:
            answer, finding = clean, False
        InspectionAnswer.objects.create(
            inspection=inspection,
            item=item,
            answer=answer,
            is_finding=finding,
            note=findings.get(item.number, ""),
        )
