"""Control characters typed into an inspection through the JSON API (helper atkb): the submission is
stored or refused with a 4xx, never a 500, and the stored inspection's 附表1 and the year's 附表2
answer 200 in every format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.models import Inspection
from xieguan.inspections.tests.factories import api_payload

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inspections"


@pytest.mark.parametrize("text", ["甲\x1b乙\x07丙", "甲\u0000乙", "=cmd|' /C calc'!A0\ufffe"])
def test_control_characters_never_fail_a_document(
    client_for: Any, fubiao1: Any, employer: Any, text: str
) -> None:
    body = api_payload(employer, fubiao1, employer_name=text, accompanying_person=text[:20])
    body["answers"][0]["note"] = text
    client = client_for("xieguan")
    response = client.post(f"{BASE}/submit", json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201, 400, 422), response.content[:300]
    if "\x00" in text and response.status_code >= 400:
        return  # a NUL may be refused (PostgreSQL cannot store it)
    assert response.status_code in (200, 201)  # the documents below are really made
    inspection = Inspection.objects.get(pk=body["id"])
    for fmt in ("pdf", "docx"):  # 附表1 prints in these two
        assert client.get(reverse("inspections:print", args=[inspection.pk, fmt])).status_code == 200, fmt
    for fmt in ("pdf", "docx", "xlsx"):
        register = client.get(
            reverse("indicators:register_file", args=[fmt]),
            {"year": timezone.localdate().year, "assistant": inspection.assistant_id},
        )
        assert register.status_code == 200, (fmt, register.status_code)
