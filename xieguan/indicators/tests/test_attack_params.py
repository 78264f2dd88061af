"""Hostile query parameters on the indicator pages and files (helper atkb): never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "x",
    "-1",
    "99999999999999999999",
    "2025~",
    "~",
    "2025-13-40~2026-02-30",
    "<script>",
    "０",
    "1e9",
    "\u202e",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_counties_and_register_survive_hostile_parameters(client_for: Any, value: str) -> None:
    sheng, panzhou = client_for("sheng"), client_for("panzhou")
    for client, name, params in [
        (sheng, "indicators:counties", {"sort": value, "dir": value, "period": value, "chart": value}),
        (sheng, "indicators:counties_xlsx", {"sort": value, "period": value, "region": value}),
        (sheng, "indicators:counties", {"from": value, "to": value, "period": "custom"}),
        (panzhou, "indicators:register", {"year": value, "assistant": value, "township": value}),
    ]:
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 302, 400, 404), (name, params, response.status_code)
    for fmt in ("pdf", "xlsx", "docx"):
        response = panzhou.get(
            reverse("indicators:register_file", args=[fmt]), {"year": value, "township": value}
        )
        assert response.status_code in (200, 302, 400, 404), (fmt, value, response.status_code)
