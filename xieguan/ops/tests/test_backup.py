"""Back up, wipe, restore: every table's rows and every file's hash come back identical."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from xieguan.lib.testing import make_personas
from xieguan.ops import backup as ops_backup

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def wipe_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")


def test_backup_wipe_restore_round_trip(regions: None, tmp_path: Path) -> None:
    make_personas()
    default_storage.save("inspections/photos/a.jpg", ContentFile(b"\xff\xd8photo-a"))
    default_storage.save("tasks/files/b.pdf", ContentFile(b"%PDF-1.4 b"))
    before = snapshot()
    before_files = ops_backup.media_hashes()
    target = tmp_path / "backup"

    call_command("backup", str(target))
    manifest = ops_backup.read_manifest(target)
    assert manifest["tables"]["regions_region"] > 19000
    assert set(manifest["files"]) == {"inspections/photos/a.jpg", "tasks/files/b.pdf"}

    wipe_database()
    for rel in before_files:
        default_storage.delete(rel)
    assert snapshot() == {}

    call_command("restore", str(target), "--yes")
    assert snapshot() == before
    assert ops_backup.media_hashes() == before_files


def test_restore_refuses_a_database_with_tables(regions: None, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(tmp_path / "b"), "--yes")


def test_restore_needs_yes_and_a_sound_backup(regions: None, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "b"))
    archive = tmp_path / "b" / "media.tar.gz"
    archive.write_bytes(archive.read_bytes() + b"x")
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(tmp_path / "b"), "--yes")
    with pytest.raises(CommandError, match="不是 xieguan 的备份目录"):
        call_command("restore", str(tmp_path), "--yes")


def test_backup_refuses_a_directory_in_use(regions: None, tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path))
