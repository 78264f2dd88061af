"""Domain actions on publicity events (宣传). Views, the API and commands call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from xieguan.lib import images
from xieguan.lib.scoping import region_in_scope
from xieguan.outreach.models import PublicityEvent, PublicityPhoto
from xieguan.regions.models import Level

if TYPE_CHECKING:
    from xieguan.accounts.models import User
    from xieguan.employers.models import Employer
    from xieguan.regions.models import Region


@transaction.atomic
def record_publicity_event(
    *,
    recorded_by: User,
    region: Region,
    held_on: dt.date,
    kind: str,
    topic: str,
    audience: int = 0,
    location: str = "",
    description: str = "",
    employers: Iterable[Employer] = (),
    photos: Iterable[UploadedFile] = (),
) -> PublicityEvent:
    """Record one publicity event of a township, with the employers reached and photos."""
    if region.level != Level.TOWNSHIP:
        raise ValidationError("宣传活动须记在乡(镇、街道)一级。")
    if not region_in_scope(recorded_by, region.code):
        raise ValidationError("只能记录本辖区的宣传活动。")
    reached = list(employers)
    files = images.photo_files(photos)
    if any(e.township_id != region.code for e in reached):
        raise ValidationError("覆盖的用人单位须属于活动所在乡镇。")
    event = PublicityEvent.objects.create(
        region=region,
        held_on=held_on,
        kind=kind,
        topic=topic,
        audience=audience,
        location=location,
        description=description,
        recorded_by=recorded_by,
    )
    event.employers.set(reached)
    _store(event, files)
    return event


@transaction.atomic
def add_publicity_photos(event: PublicityEvent, photos: Iterable[UploadedFile]) -> list[PublicityPhoto]:
    """Photos of an event, each checked and re-encoded (lib/images.py); all or none stored."""
    return _store(event, images.photo_files(photos))


def _store(event: PublicityEvent, files: Iterable[ContentFile[bytes]]) -> list[PublicityPhoto]:
    return [PublicityPhoto.objects.create(event=event, image=file) for file in files]
