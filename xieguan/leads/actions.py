"""Domain actions on leads (事件或线索). Views, the API and other apps call these only.

Each action is atomic and records a LeadEvent (who, when, what), which the lead page shows
as its timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from xieguan.leads.models import (
    IMPORTANT_BY_DEFAULT,
    Importance,
    Lead,
    LeadEvent,
    LeadSource,
    ReportingPolicy,
)

if TYPE_CHECKING:
    from xieguan.accounts.models import User
    from xieguan.employers.models import Employer
    from xieguan.inspections.models import Inspection, InspectionAnswer
    from xieguan.regions.models import Region


def report_due_at(
    discovered_at: dt.datetime, importance: str, policy: ReportingPolicy | None = None
) -> dt.datetime:
    """When a lead discovered at ``discovered_at`` must have been reported by."""
    policy = policy or ReportingPolicy.current()
    if importance == Importance.IMPORTANT:
        return discovered_at + dt.timedelta(hours=policy.important_hours)
    return discovered_at + dt.timedelta(days=policy.normal_days)


@transaction.atomic
def discover_lead(
    *,
    region: Region,
    lead_type: str,
    source: str,
    description: str,
    discovered_by: User,
    discovered_at: dt.datetime | None = None,
    employer: Employer | None = None,
    importance: str | None = None,
    abnormal_kind: str = "",
    place: str = "",
    inspection: Inspection | None = None,
    inspection_answer: InspectionAnswer | None = None,
) -> Lead:
    """Record a discovered lead (from an inspection finding, a complaint, or entered directly)."""
    when = discovered_at or timezone.now()
    if importance is None:
        importance = Importance.IMPORTANT if lead_type in IMPORTANT_BY_DEFAULT else Importance.NORMAL
    lead = Lead.objects.create(
        region=region,
        employer=employer,
        place=place,
        lead_type=lead_type,
        abnormal_kind=abnormal_kind,
        source=source,
        inspection=inspection,
        inspection_answer=inspection_answer,
        description=description,
        importance=importance,
        discovered_at=when,
        discovered_by=discovered_by,
        report_due_at=report_due_at(when, importance),
    )
    LeadEvent.objects.create(
        lead=lead, kind="discovered", at=when, by=discovered_by, note=str(LeadSource(source).label)
    )
    return lead
