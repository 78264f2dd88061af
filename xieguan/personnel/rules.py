"""The rules of the regulation about assistants, in one place (SPEC §6, 第九条 to 第十二条).

- the four eligibility conditions (条件), each recorded with evidence or a declaration;
- pre-job training (岗前培训) passed before appointment;
- fixed terms (定期聘用): default and maximum length;
- the term-ending notice (60 days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from xieguan.personnel.models import TrainingKind, TrainingRecord

if TYPE_CHECKING:
    from xieguan.personnel.models import Assistant

DEFAULT_TERM_YEARS = 3
MAX_TERM_YEARS = 5
TERM_NOTICE_DAYS = 60


@dataclass(frozen=True)
class Condition:
    field: str
    evidence_field: str
    label: Any  # a lazy translation string


# 职业健康监督协管员应当具备以下条件 (the regulation's four conditions, in its order and wording).
CONDITIONS: tuple[Condition, ...] = (
    Condition("law_abiding", "law_abiding_evidence", _("遵纪守法、廉洁奉公")),
    Condition("fit_for_duty", "fit_for_duty_evidence", _("具有正常履行职责的身体条件")),
    Condition("qualified", "qualified_evidence", _("具有符合职位要求的文化程度和工作能力")),
    Condition("knowledgeable", "knowledgeable_evidence", _("具有职业健康监督相关的专业和法律知识")),
)


def unmet_conditions(assistant: Assistant) -> list[Condition]:
    """The conditions not yet confirmed with evidence or a declaration."""
    return [
        c
        for c in CONDITIONS
        if not getattr(assistant, c.field) or not getattr(assistant, c.evidence_field).strip()
    ]


def has_passed_pre_job_training(assistant: Assistant) -> bool:
    if assistant.pk is None:
        return False
    return TrainingRecord.objects.filter(
        assistant=assistant, session__kind=TrainingKind.PRE_JOB, attended=True, passed=True
    ).exists()


def missing_for_appointment(assistant: Assistant) -> list[str]:
    """What stands between this person and an appointment, in plain Chinese (empty: none)."""
    missing = []
    if not has_passed_pre_job_training(assistant):
        missing.append(str(_("尚未通过岗前培训（须参加县(区)组织的岗前培训并考核合格）。")))
    missing.extend(
        str(_("条件“%(label)s”尚未确认（须勾选并填写依据或本人声明）。") % {"label": c.label})
        for c in unmet_conditions(assistant)
    )
    return missing


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_term_end(start: dt.date) -> dt.date:
    """A three-year term ends the day before the third anniversary of its start."""
    return add_years(start, DEFAULT_TERM_YEARS) - dt.timedelta(days=1)
