"""Backup and restore of the embedded stack: application DB, Temporal's DB, objects, keys.

``mado backup`` takes a consistent copy while the stack runs (SQLite's online backup API,
``pg_dump`` for PostgreSQL); ``mado restore`` puts one back while the stack is stopped,
after checking every file against the backup's manifest. Visits that were in flight at
backup time continue from where they were.

With ``MADO_OBJECT_STORE=s3`` the objects are not copied: S3 versioning and AWS Backup keep
them. A backup holds the payload key that decrypts Temporal's history and the resident register:
store it encrypted and access-controlled (in production, AWS Backup with KMS).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from madoguchi.settings import Settings

MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    pass


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # a consistent snapshot even while writers are active
    finally:
        dst.close()
        src.close()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sqlite_path(settings: Settings) -> Path | None:
    url = settings.sqlalchemy_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


@dataclass
class BackupResult:
    directory: Path
    files: dict[str, str]


def backup(settings: Settings, out_dir: Path | None = None) -> BackupResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = (out_dir or settings.data_dir / "backups") / stamp
    target.mkdir(parents=True)
    app_db = _sqlite_path(settings)
    if app_db is not None:
        _sqlite_copy(app_db, target / "madoguchi.db")
    else:
        url = settings.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")
        with open(target / "madoguchi.pgdump", "wb") as f:
            subprocess.run(["pg_dump", "--format=custom", url], stdout=f, check=True)
    temporal_db = settings.data_dir / "temporal.db"
    if temporal_db.is_file():
        _sqlite_copy(temporal_db, target / "temporal.db")
    if settings.objects_root.is_dir():
        with tarfile.open(target / "objects.tar", "w") as tar:
            tar.add(settings.objects_root, arcname="objects")
    if settings.payload_key_path.is_file():
        shutil.copy2(settings.payload_key_path, target / "payload.key")
        (target / "payload.key").chmod(0o600)
    files = {p.name: _sha256(p) for p in sorted(target.iterdir())}
    manifest = {
        "created_at": stamp,
        "database_url_kind": "sqlite" if app_db else "postgresql",
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return BackupResult(target, files)


def restore(settings: Settings, source: Path) -> list[str]:
    """Put a backup back. The stack must be stopped. Returns what was restored."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source}: no {MANIFEST}; not a madoguchi backup")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{source}: {name} is missing or does not match the manifest")
    restored = []
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if "madoguchi.db" in manifest["files"]:
        app_db = _sqlite_path(settings)
        if app_db is None:
            raise BackupError("the backup is of SQLite but MADO_DATABASE_URL is not SQLite")
        _replace_sqlite(source / "madoguchi.db", app_db)
        restored.append("application database")
    if "madoguchi.pgdump" in manifest["files"]:
        url = settings.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                url,
                str(source / "madoguchi.pgdump"),
            ],
            check=True,
        )
        restored.append("application database (PostgreSQL)")
    if "temporal.db" in manifest["files"]:
        _replace_sqlite(source / "temporal.db", settings.data_dir / "temporal.db")
        restored.append("Temporal persistence")
    if "objects.tar" in manifest["files"]:
        if settings.objects_root.exists():
            shutil.rmtree(settings.objects_root)
        with tarfile.open(source / "objects.tar") as tar:
            tar.extractall(settings.objects_root.parent, filter="data")
        restored.append("object store")
    if "payload.key" in manifest["files"]:
        settings.payload_key_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "payload.key", settings.payload_key_path)
        restored.append("payload key")
    return restored


def _replace_sqlite(backup_file: Path, live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):  # stale write-ahead files would replay over the restore
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    tmp = live.with_suffix(live.suffix + ".restoring")
    shutil.copy2(backup_file, tmp)
    tmp.replace(live)
