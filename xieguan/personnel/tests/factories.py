"""Factories of the personnel app. IDs are valid GB 11643 numbers (birthplace 六枝特区 520203)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from stdnum.cn import ric

from xieguan.lib.testing import COUNTY, TOWNSHIP, UserFactory
from xieguan.personnel.models import (
    Appointment,
    Assistant,
    AssistantStatus,
    Dismissal,
    DismissalGround,
    Education,
    Gender,
    Origin,
    TrainingKind,
    TrainingRecord,
    TrainingSession,
)
from xieguan.personnel.rules import CONDITIONS


def valid_id_number(n: int) -> str:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n % 12000)
    body = f"520203{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


ELIGIBLE = {c.field: True for c in CONDITIONS} | {c.evidence_field: "本人书面声明" for c in CONDITIONS}


class AssistantFactory(factory.django.DjangoModelFactory[Assistant]):
    class Meta:
        model = Assistant

    name = factory.Sequence(lambda n: f"协管员{n}")
    gender = Gender.FEMALE
    id_number = factory.Sequence(valid_id_number)
    phone = "13908580000"
    education = Education.SENIOR
    origin = Origin.VILLAGE_DOCTOR
    township_id = TOWNSHIP

    class Params:
        eligible = factory.Trait(**ELIGIBLE)


class TrainingSessionFactory(factory.django.DjangoModelFactory[TrainingSession]):
    class Meta:
        model = TrainingSession

    kind = TrainingKind.BUSINESS
    region_id = COUNTY
    held_on = factory.LazyFunction(timezone.localdate)
    topic = factory.Sequence(lambda n: f"业务培训{n}")
    created_by = factory.SubFactory(UserFactory, role="county_admin", region_id=COUNTY)


class TrainingRecordFactory(factory.django.DjangoModelFactory[TrainingRecord]):
    class Meta:
        model = TrainingRecord

    session = factory.SubFactory(TrainingSessionFactory)
    assistant = factory.SubFactory(AssistantFactory)
    attended = False
    passed = None


def passed_pre_job(assistant: Assistant, **session: Any) -> TrainingRecord:
    return TrainingRecordFactory.create(
        assistant=assistant,
        session=TrainingSessionFactory.create(kind=TrainingKind.PRE_JOB, **session),
        attended=True,
        score=Decimal(80),
        passed=True,
    )


def appointed(assistant: Assistant, *, start: dt.date, end: dt.date, by: Any) -> Appointment:
    """Store a term directly (tests of the actions call appoint_assistant instead)."""
    term = Appointment.objects.create(assistant=assistant, start=start, end=end, created_by=by)
    assistant.status = AssistantStatus.APPOINTED
    assistant.save(update_fields=["status"])
    return term


def serve(
    user: Any,
    township: str,
    first: int,
    last: int,
    by: Any,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    dismissed_on: dt.date | None = None,
    name: str = "",
) -> Assistant:
    """The personnel record of an assistant (with the login account ``user``, or None): a term
    from 1 January ``first`` (or ``start``) to the end of ``last`` (or ``end``), and a
    dismissal when given."""
    person = AssistantFactory.create(
        user=user, name=name or getattr(user, "full_name", "") or "协管员", township_id=township
    )
    appointed(person, start=start or dt.date(first, 1, 1), end=end or dt.date(last, 12, 31), by=by)
    if dismissed_on is not None:
        person.status = AssistantStatus.DISMISSED
        person.save(update_fields=["status"])
        Dismissal.objects.create(
            assistant=person,
            ground=DismissalGround.TRANSFERRED,
            dismissed_on=dismissed_on,
            document_no="盘卫〔2024〕1号",
            created_by=by,
        )
    return person
