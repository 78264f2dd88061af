"""What a departure leaves behind: the employers and leads that now have nobody.

Computed live (not stored), so the county sees the current state: once a new assistant is
appointed in the township, the employers disappear from the list by themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from xieguan.employers.models import Employer
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.leads.models import AssistRequest, AssistStatus, Lead, LeadStatus
from xieguan.personnel.models import Assistant


def uncovered_employers(township_code: str, today: dt.date | None = None) -> QuerySet[Employer]:
    """Operating employers of a township that no assistant in service covers.

    An active assistant with no village list covers the whole township; one with villages
    (乡聘村用) covers the employers registered in those villages.
    """
    employers = Employer.objects.operating().within(township_code)
    active = Assistant.objects.in_service(today).within(township_code)
    if active.filter(villages__isnull=True).exists():
        return employers.none()
    covered = active.values_list("villages__code", flat=True)
    return employers.exclude(region_id__in=covered)


def open_leads_of(user: Any) -> QuerySet[Lead]:
    return Lead.objects.filter(discovered_by=user).exclude(
        status__in=[LeadStatus.CLOSED, LeadStatus.WITHDRAWN]
    )


@dataclass
class Aftermath:
    assistant: Assistant
    employers: QuerySet[Employer]
    leads: QuerySet[Lead]
    assists: QuerySet[AssistRequest]
    drafts: QuerySet[Inspection]

    @property
    def anything(self) -> bool:
        return any(qs.exists() for qs in (self.employers, self.leads, self.assists, self.drafts))


def aftermath_of(assistant: Assistant, today: dt.date | None = None) -> Aftermath:
    """The employers of the assistant's township with nobody now, the leads they discovered
    that are not closed, their open 协查 requests and their unsubmitted drafts (kept)."""
    user = assistant.user
    return Aftermath(
        assistant=assistant,
        employers=uncovered_employers(assistant.township_id, today).order_by("name"),
        leads=(open_leads_of(user) if user else Lead.objects.none())
        .select_related("employer")
        .order_by("discovered_at"),
        assists=AssistRequest.objects.filter(assistant=user, status=AssistStatus.REQUESTED)
        .select_related("employer")
        .order_by("requested_at")
        if user
        else AssistRequest.objects.none(),
        drafts=Inspection.objects.filter(assistant=user, status=InspectionStatus.DRAFT).order_by(
            "-created_at"
        )
        if user
        else Inspection.objects.none(),
    )
