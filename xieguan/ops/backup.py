"""Backup and restore of one installation: the database, the private media, and a manifest.

A backup directory holds:

- ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite,
  the online backup API: consistent while the app runs);
- ``media.tar.gz``: every uploaded photo, signature and attachment (the private storage);
- ``manifest.json``: when and from what it was made, the row count of every table, the SHA-256 of
  every media file and of the two archives.

``restore`` refuses a database that already has tables (restore into a new, empty database) and a
media directory that already has files, checks the archives against the manifest before touching
anything, and after restoring compares every table's row count and every file's hash with the
manifest; any difference is an error. Used by ``manage.py backup`` / ``manage.py restore``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
FORMAT_VERSION = 1


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in Chinese."""


@dataclass
class Summary:
    directory: Path
    tables: int
    rows: int
    files: int


def media_root() -> Path:
    return Path(default_storage.location)  # type: ignore[attr-defined]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    """Row count of every table in the database (all tables, not only Django's models)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608 - names from introspection
            counts[name] = cursor.fetchone()[0]
    return counts


def media_hashes() -> dict[str, str]:
    root = media_root()
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _run(args: list[str]) -> None:
    try:
        subprocess.run(args, env=_pg_env(), check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"找不到 {args[0]}：请安装 PostgreSQL 客户端（Debian: postgresql-client）。"
        ) from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{args[0]} 失败：{exc.stderr.strip()[:500]}") from exc


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"不支持的数据库：{vendor}")
    return vendor


def backup(directory: Path) -> Summary:
    """Write a backup into ``directory`` (created; it must not hold anything yet)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 不是空的；请指定新目录。")
    directory.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    # Counts first, dump second: rows written in between make the restore check fail loudly
    # rather than pass silently; run backups when the app is quiet (the timer runs at night).
    counts = table_counts()
    if engine == "postgresql":
        dump = directory / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)])
    else:
        dump = directory / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(dump)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    files = media_hashes()
    archive = directory / MEDIA_ARCHIVE
    with tarfile.open(archive, "w:gz") as tar:
        for rel in files:
            tar.add(media_root() / rel, arcname=rel)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": engine,
        "migrations": MigrationRecorder(connection).applied_migrations().__len__(),
        "database": {"file": dump.name, "sha256": sha256_file(dump)},
        "media": {"file": archive.name, "sha256": sha256_file(archive)},
        "tables": counts,
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return Summary(directory, len(counts), sum(counts.values()), len(files))


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} 中没有 {MANIFEST}：不是 xieguan 的备份目录。")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("备份格式版本不符。")
    for part in ("database", "media"):
        file = Path(directory) / manifest[part]["file"]
        if not file.exists() or sha256_file(file) != manifest[part]["sha256"]:
            raise BackupError(f"备份文件 {file.name} 缺失或已损坏（校验值不符）。")
    return manifest


def restore(directory: Path) -> Summary:
    """Restore ``directory`` into the (empty) configured database and media storage, then verify."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {engine}。")
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupError(f"目标数据库不是空的（已有 {len(existing)} 张表）：请恢复到新建的空数据库。")
    root = media_root()
    if root.exists() and any(p.is_file() for p in root.rglob("*")):
        raise BackupError(f"媒体目录 {root} 中已有文件：请恢复到空目录。")
    dump = directory / manifest["database"]["file"]
    if engine == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                _pg_env()["PGDATABASE"],
                str(dump),
            ]
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    root.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=root.parent) as tmp,
        tarfile.open(directory / MEDIA_ARCHIVE, "r:gz") as tar,
    ):
        tar.extractall(tmp, filter="data")  # refuses absolute paths, links out, device files
        for item in sorted(Path(tmp).rglob("*")):
            if item.is_file():
                dest = root / item.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(item), dest)
    return verify(manifest)


def verify(manifest: dict[str, Any]) -> Summary:
    counts = table_counts()
    files = media_hashes()
    problems = []
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"表 {table}：备份 {expected} 行，恢复后 {counts.get(table, '缺失')}")
    for rel, digest in manifest["files"].items():
        if files.get(rel) != digest:
            problems.append(f"文件 {rel}：{'缺失' if rel not in files else '校验值不符'}")
    if problems:
        raise BackupError("恢复后核对不一致：\n" + "\n".join(problems[:50]))
    return Summary(Path("."), len(counts), sum(counts.values()), len(files))
