"""What a server-rendered form tells offline-forms.js so it also works offline (docs/offline.md).

A view passes ``offline_form(...)`` to its template as ``offline``; the template includes
``field/_offline_form_attrs.html`` in its ``<form>`` tag and ``field/_offline_form_script.html``
after it. The record then goes through the outbox to the JSON API (idempotent by client UUID).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfflineForm:
    kind: str  # the outbox's kind: complaint, lead, assist, ...
    url: str  # the API endpoint that creates the record
    done: str  # the page opened once accepted; "{id}" = the created record's id
    title: str  # the outbox's title
    photos: str = ""  # the API endpoint for its photos, "{id}" as above
    id_path: str = ""  # where the id is in the API's answer, e.g. "lead.id"
    file_field: str = "image"  # the multipart field of the photos endpoint ("file" for tasks)


def offline_form(
    kind: str, url: str, done: str, title: str, photos: str = "", id_path: str = "", file_field: str = "image"
) -> OfflineForm:
    return OfflineForm(kind, url, done, title, photos, id_path, file_field)
