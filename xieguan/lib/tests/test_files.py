"""lib.files.private_file: the app streams the file, or (behind nginx) hands it over by X-Accel-Redirect."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from xieguan.lib.files import private_file

pytestmark = pytest.mark.django_db


class Stored:
    """The parts of a FieldFile that private_file uses."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.storage = default_storage

    def open(self, mode: str = "rb") -> Any:
        return default_storage.open(self.name, mode)


def test_streams_the_file_itself_by_default() -> None:
    name = default_storage.save("inspections/photos/p.jpg", ContentFile(b"\xff\xd8jpeg"))
    response = private_file(Stored(name), image=True)
    assert b"".join(response) == b"\xff\xd8jpeg"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response


def test_behind_nginx_answers_x_accel_redirect_with_the_same_headers(settings: Any) -> None:
    settings.XIEGUAN_ACCEL_REDIRECT = "/_private/"
    name = default_storage.save("tasks/files/报告 1.pdf", ContentFile(b"%PDF-1.4"))
    response = private_file(Stored(name), filename="报告 1.pdf")
    assert response["X-Accel-Redirect"] == "/_private/tasks/files/%E6%8A%A5%E5%91%8A%201.pdf"
    assert response.content == b""  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_missing_file_is_404_either_way(settings: Any) -> None:
    with pytest.raises(Http404):
        private_file(Stored("inspections/photos/gone.jpg"), image=True)
    settings.XIEGUAN_ACCEL_REDIRECT = "/_private/"
    with pytest.raises(Http404):
        private_file(Stored("inspections/photos/gone.jpg"), image=True)
