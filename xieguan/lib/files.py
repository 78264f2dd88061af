"""Serving private files (photos, signatures, attachments): the one response helper.

Uploads live in private storage (no MEDIA_URL, docs/decisions.md 6); a scoped view fetches the
record through ``get_visible_or_404`` and returns ``private_file(...)``, which:

- answers 404 when the stored file is missing;
- serves an image the app re-encoded itself (``xieguan.lib.images``) inline as ``image/jpeg`` or
  ``image/png``; anything else as a download (``Content-Disposition: attachment``) with a content
  type from a short fixed list by suffix, ``application/octet-stream`` otherwise, never one
  guessed from the content;
- always sends ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private, no-store``
  (no shared cache or browser cache keeps a complainant's photo or an assistant's face), and a
  ``Content-Security-Policy`` that lets the file run nothing if it is opened in the browser;
- behind nginx (``XIEGUAN_ACCEL_REDIRECT`` set, e.g. ``/_private/``), answers with no body and
  ``X-Accel-Redirect: /_private/<stored name>``: the scope check stays here, nginx streams the
  file from its ``internal`` location (deploy/nginx/xieguan.conf), and a gunicorn worker is not
  held for the length of a download on a slow line.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
DOWNLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
}
OCTET = "application/octet-stream"
NO_STORE = "private, no-store"
R = TypeVar("R", bound=HttpResponseBase)


def private_headers(response: R) -> R:
    """The headers every private file (and personal-data export) response carries."""
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def private_file(stored: Any, *, filename: str = "", image: bool = False) -> HttpResponseBase:
    """A private file as a response (see the module's docstring).

    ``stored`` is a FieldFile; ``filename`` the name to offer (default: the stored one);
    ``image`` True only for files the app re-encoded as images (served inline)."""
    name = filename or PurePosixPath(str(stored.name or "file")).name
    suffix = PurePosixPath(str(stored.name or "")).suffix.lower()
    inline = image and suffix in IMAGE_TYPES
    content_type = (
        IMAGE_TYPES[suffix] if inline else DOWNLOAD_TYPES.get(PurePosixPath(name).suffix.lower(), OCTET)
    )
    accel = settings.XIEGUAN_ACCEL_REDIRECT
    response: HttpResponseBase
    if accel:
        if not stored.name or not stored.storage.exists(stored.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not inline, name) or ""
        response["X-Accel-Redirect"] = accel + quote(str(stored.name), safe="/")
    else:
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return private_headers(response)
