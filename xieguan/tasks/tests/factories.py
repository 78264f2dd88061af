"""Test helpers of assigned tasks: assistants, and tasks issued through the real action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xieguan.accounts.models import Role, User
from xieguan.lib.testing import TOWNSHIP, UserFactory
from xieguan.regions.models import Region
from xieguan.tasks.actions import assign_task
from xieguan.tasks.models import Task

# A 1x1 PNG: a real image for photo uploads.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)


def assistant(region: str = TOWNSHIP, **kwargs: Any) -> User:
    user: User = UserFactory.create(role=Role.ASSISTANT, region_id=region, **kwargs)
    return user


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def document(name: str = "通知.pdf", content: bytes = b"%PDF-1.4 test") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def issue(by: User, *, regions: Sequence[str] = (), assistants: Sequence[User] = (), **kwargs: Any) -> Task:
    """A task issued by ``by`` to region codes and/or assistants, due in a week by default."""
    defaults: dict[str, Any] = {
        "title": "排查新开工建设项目",
        "description": "逐一核实是否开展职业病危害预评价。",
        "due_on": timezone.localdate() + dt.timedelta(days=7),
    }
    defaults.update(kwargs)
    return assign_task(
        by=by,
        regions=list(Region.objects.filter(code__in=regions)),
        assistants=list(assistants),
        **defaults,
    )
