"""Retention of personal data (个人信息保护法): what is past its period, and erasing it.

Periods are settings (days; 0 keeps for ever):

- ``XIEGUAN_RETENTION_COMPLAINANT_DAYS``: a complainant's name and contact are erased this long
  after the complaint's lead was closed (a complaint without a lead: after it was received).
  The complaint, its content and its lead stay; ``identity_erased_at`` records the erasure and
  the lead page says so to those who could have seen the identity.
- ``XIEGUAN_RETENTION_PHOTO_DAYS``: lead, 协查 and publicity photos are deleted (file and row)
  this long after they were uploaded.
- ``XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS``: inspection photos (附表1 现场照片) likewise after
  they were taken. Default 0 (kept): they are part of the official case record, which has its
  own archive period; only an operator who sets one deletes them (docs/decisions.md 10).

``apply_retention`` does it in one transaction per run and writes one access-log row
(``Kind.RETENTION``) per county it touched, so the county admin sees what was erased in their
county. ``manage.py applyretention`` runs it from cron (README, deploy/systemd).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xieguan.audit.models import AccessLog, Kind
from xieguan.inspections.models import InspectionPhoto
from xieguan.leads.models import AssistPhoto, Complaint, LeadPhoto, LeadStatus
from xieguan.outreach.models import PublicityPhoto

logger = logging.getLogger("xieguan.audit.retention")
COUNTY = 6  # characters of a county's region code


@dataclass
class RetentionResult:
    complainants: Counter[str] = field(default_factory=Counter)  # county -> identities erased
    photos: Counter[str] = field(default_factory=Counter)  # county -> photos deleted

    @property
    def total(self) -> tuple[int, int]:
        return sum(self.complainants.values()), sum(self.photos.values())


def _days(name: str) -> int:
    return max(int(getattr(settings, name, 0) or 0), 0)


def due_complaints(now: dt.datetime) -> Any:
    """Complaints whose complainant identity is past its period and still stored."""
    days = _days("XIEGUAN_RETENTION_COMPLAINANT_DAYS")
    if not days:
        return Complaint.objects.none()
    cutoff = now - dt.timedelta(days=days)
    ended = Q(lead__status=LeadStatus.CLOSED, lead__closed_at__lt=cutoff) | Q(
        lead__isnull=True, received_at__lt=cutoff
    )
    has_identity = ~Q(complainant_name="") | ~Q(complainant_contact="")
    return Complaint.objects.filter(ended, has_identity, identity_erased_at__isnull=True)


def due_photos(now: dt.datetime) -> list[tuple[Any, str]]:
    """(queryset, region lookup) of every kind of photo past its period."""
    due: list[tuple[Any, str]] = []
    days = _days("XIEGUAN_RETENTION_PHOTO_DAYS")
    if days:
        cutoff = now - dt.timedelta(days=days)
        due += [
            (LeadPhoto.objects.filter(uploaded_at__lt=cutoff), "lead__region_id"),
            (AssistPhoto.objects.filter(uploaded_at__lt=cutoff), "assist__region_id"),
            (PublicityPhoto.objects.filter(uploaded_at__lt=cutoff), "event__region_id"),
        ]
    days = _days("XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS")
    if days:  # default 0: the official case record keeps its photos
        cutoff = now - dt.timedelta(days=days)
        due.append((InspectionPhoto.objects.filter(taken_at__lt=cutoff), "inspection__region_id"))
    return due


def apply_retention(*, dry_run: bool = False, now: dt.datetime | None = None) -> RetentionResult:
    """Erase what is past its period (or, with ``dry_run``, only count it)."""
    now = now or timezone.now()
    result = RetentionResult()
    with transaction.atomic():
        # of=self: PostgreSQL locks no row of the outer-joined lead (a complaint may have none)
        complaints = list(due_complaints(now).select_for_update(of=("self",)).values_list("pk", "region_id"))
        for _pk, region in complaints:
            result.complainants[region[:COUNTY]] += 1
        photo_files: list[tuple[Any, str]] = []
        for queryset, region_lookup in due_photos(now):
            rows = list(queryset.values_list("pk", region_lookup, "image"))
            for _pk, region, name in rows:
                result.photos[region[:COUNTY]] += 1
                photo_files.append((queryset.model, name))
            if not dry_run and rows:
                queryset.model.objects.filter(pk__in=[pk for pk, _r, _n in rows]).delete()
        if dry_run:
            return result
        Complaint.objects.filter(pk__in=[pk for pk, _r in complaints]).update(
            complainant_name="", complainant_contact="", identity_erased_at=now
        )
        inspection_days = _days("XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS")
        inspection_period = f"{inspection_days} 天" if inspection_days else "长期保存"
        for county in sorted(set(result.complainants) | set(result.photos)):
            AccessLog.objects.create(
                at=now,
                kind=Kind.RETENTION,
                region_id=county,
                record=f"举报人身份 {result.complainants[county]} 条；照片 {result.photos[county]} 张",
                detail=(
                    f"保存期限：举报人身份 {_days('XIEGUAN_RETENTION_COMPLAINANT_DAYS')} 天，"
                    f"照片 {_days('XIEGUAN_RETENTION_PHOTO_DAYS')} 天，检查照片 {inspection_period}"
                ),
            )

        def delete_files() -> None:
            for model, name in photo_files:
                if name:
                    model._meta.get_field("image").storage.delete(name)

        transaction.on_commit(delete_files)  # the files go only once the rows are gone for good
    erased, deleted = result.total
    logger.info("retention applied: %s complainant identities erased, %s photos deleted", erased, deleted)
    return result
