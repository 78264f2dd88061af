"""Files that a domain action writes and deletes, kept in step with its transaction.

Storage is not transactional. A file deleted inside a transaction that then rolls back is gone
while the row still names it (a draft's signatures lost because a later step of the save
failed); a file written by a save that fails stays behind, named by no row (the loser of two
requests racing on one primary key). So an action does its file work through ``FileChanges``:

- ``save(field_file, name, content)`` writes the new file at once (the row about to be saved
  must name it) and deletes the file it replaces only when the transaction commits;
- ``clear(field_file)`` empties the field, the old file deleted on commit;
- ``delete_on_commit(field_file)`` for the file of a row being deleted;
- entered around the action's ``transaction.atomic()`` block (``with files, atomic():``), it
  deletes every file written inside when the block raises: a refusal, a database error, a
  commit that fails, a primary key taken by a twin. Entered again inside (around a savepoint
  whose failure the caller catches, e.g. ``sync.create_once``), it deletes what was written
  inside that inner block only, like a savepoint.

``insert_with_files(Model, **fields)`` is ``Model.objects.create`` for a new row carrying new
files (a photo sent by the phone): the files are written, then the row inserted; if the insert
fails (its client UUID is taken, ``sync.create_once``) the files are removed again.

Deletions are ``transaction.on_commit`` callbacks: a rolled-back transaction or savepoint drops
them, so the old file stays with the row that still names it. Call them inside a transaction
(outside one, Django runs them at once). When an outer transaction that the action does not
see rolls back after the action returned (a caller's own ``atomic``), the old files are kept,
but the new ones stay behind unnamed: nothing in Django reports a rollback.
"""

from __future__ import annotations

import contextlib
import functools
from types import TracebackType
from typing import Any, TypeVar

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

M = TypeVar("M", bound=models.Model)


def _delete(storage: Storage, name: str) -> None:
    storage.delete(name)


def delete_on_commit(field_file: FieldFile) -> None:
    """Delete the stored file when the current transaction commits (never if it rolls back)."""
    if field_file and field_file.name:
        transaction.on_commit(functools.partial(_delete, field_file.storage, field_file.name), robust=True)


class FileChanges:
    """The files one action writes (deleted again if its block raises) and replaces (deleted
    on commit). See the module's docstring."""

    def __init__(self) -> None:
        self.written: list[tuple[Storage, str]] = []
        self._marks: list[int] = []

    def __enter__(self) -> FileChanges:
        self._marks.append(len(self.written))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        mark = self._marks.pop()
        if exc_type is not None:
            self._discard(mark)

    def save(self, field_file: FieldFile, name: str, content: File[bytes]) -> None:
        """Store ``content`` as ``field_file`` (the caller saves the row); the file it replaces
        goes when the transaction commits."""
        old = field_file.name if field_file else None
        field_file.save(name, content, save=False)
        self.written.append((field_file.storage, str(field_file.name)))
        if old and old != field_file.name:  # the storage gives a new file a name of its own
            transaction.on_commit(functools.partial(_delete, field_file.storage, old), robust=True)

    def clear(self, field_file: FieldFile) -> None:
        """Empty the field (the caller saves the row); the file goes when the transaction commits."""
        delete_on_commit(field_file)
        field_file.name = None
        setattr(field_file.instance, field_file.field.attname, field_file.name)

    def _discard(self, mark: int) -> None:
        for storage, name in reversed(self.written[mark:]):
            with contextlib.suppress(OSError):  # the failure being raised matters more
                storage.delete(name)
        del self.written[mark:]


def insert_with_files(model: type[M], **fields: Any) -> M:
    """``model.objects.create(**fields)`` whose new files (uploads, ``ContentFile``s) are removed
    again when the insert fails: nothing is left that no row names."""
    record = model(**fields)
    with FileChanges() as files:
        for field in record._meta.concrete_fields:
            value = getattr(record, field.attname) if isinstance(field, models.FileField) else None
            if value and not value._committed:  # what the field's pre_save would write
                value.save(value.name, value.file, save=False)
                files.written.append((value.storage, str(value.name)))
        record.save(force_insert=True)
    return record
