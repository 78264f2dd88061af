"""Test helpers for inspections: the built-in templates, images, and ready-made payloads."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import uuid
from typing import Any

from django.apps import apps
from django.utils import timezone
from PIL import Image, ImageDraw

from xieguan.inspections.actions import AnswerData, InspectionData
from xieguan.inspections.models import ChecklistTemplate

MIGRATION = importlib.import_module("xieguan.inspections.migrations.0002_builtin_templates")

# A typical outcome: item 2 not applicable, item 3 missing (finding), item 6 abnormal (finding)
ANSWERS = {1: "yes", 2: "na", 3: "no", 4: "yes", 5: "yes", 6: "yes", 7: "no"}


def load_templates() -> dict[str, ChecklistTemplate]:
    """The built-in templates, loaded by the data migration's own function (tests run without migrations)."""
    MIGRATION.load_builtin_templates(apps, None)
    return {t.code: t for t in ChecklistTemplate.objects.filter(builtin=True, version=1)}


def png(size: tuple[int, int] = (400, 150), stroke: bool = True) -> bytes:
    img = Image.new("RGBA", size, (255, 255, 255, 0))
    if stroke:
        ImageDraw.Draw(img).line(
            [(10, size[1] - 20), (size[0] // 2, 20), (size[0] - 10, size[1] - 30)],
            fill=(0, 0, 0, 255),
            width=6,
        )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def jpeg(size: tuple[int, int] = (800, 600), exif: bool = False) -> bytes:
    img = Image.new("RGB", size, (90, 140, 200))
    ImageDraw.Draw(img).rectangle([(50, 50), (300, 300)], fill=(200, 60, 60))
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "TestCam"  # Make
        data[0x0131] = "secret-software"  # Software
        kwargs["exif"] = data.tobytes()
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def payload(
    employer: Any, template: ChecklistTemplate, answers: dict[int, str] | None = None, **extra: Any
) -> InspectionData:
    answers = ANSWERS if answers is None else answers
    data = InspectionData(
        id=extra.pop("id", uuid.uuid4()),
        employer=employer,
        template=template,
        employer_name=employer.name,
        address=employer.address,
        legal_representative=employer.legal_representative,
        phone=employer.phone,
        employer_version=employer.version,
        inspected_at=timezone.now() - dt.timedelta(minutes=30),
        accompanying_person="李四",
        answers=[AnswerData(n, a, f"说明{n}" if a in ("no",) else "") for n, a in answers.items()],
        companion_signature=png(),
        assistant_signature=png(),
    )
    for key, value in extra.items():
        setattr(data, key, value)
    return data


def api_payload(
    employer: Any, template: ChecklistTemplate, answers: dict[int, str] | None = None, **extra: Any
) -> dict[str, Any]:
    import base64

    answers = ANSWERS if answers is None else answers
    sig = "data:image/png;base64," + base64.b64encode(png()).decode()
    body = {
        "id": str(uuid.uuid4()),
        "employer_id": employer.pk,
        "template_id": template.pk,
        "employer_version": employer.version,
        "employer_name": employer.name,
        "address": employer.address,
        "legal_representative": employer.legal_representative,
        "phone": employer.phone,
        "inspected_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
        "accompanying_person": "李四",
        "answers": [{"number": n, "answer": a, "note": ""} for n, a in answers.items()],
        "companion_signature": sig,
        "assistant_signature": sig,
        "latitude": "25.712345",
        "longitude": "104.612345",
        "accuracy_m": 12.5,
    }
    body.update(extra)
    return body
