"""Backups: a PostgreSQL custom-format dump or a consistent SQLite copy, each checked.

A backup that cannot be read back is worse than none, so both kinds are verified when
written (pg_restore --list, PRAGMA integrity_check) and again before a restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path


class BackupError(RuntimeError):
    pass


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-U", db.get("USER") or "postgres"]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    return args


def _run(cmd: list[str], env: dict) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[:500]}")
    return result.stdout


def backup_postgres(db: dict, target: Path) -> Path:
    _run(["pg_dump", *_pg_args(db), "-Fc", "--no-owner", "-f", str(target), db["NAME"]], _pg_env(db))
    verify_postgres_dump(target)
    return target


def verify_postgres_dump(path: Path) -> int:
    listing = _run(["pg_restore", "--list", str(path)], dict(os.environ))
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    if not entries:
        raise BackupError(f"{path} holds no database objects")
    return len(entries)


def restore_postgres(db: dict, source: Path) -> None:
    verify_postgres_dump(source)
    _run(
        ["pg_restore", *_pg_args(db), "--clean", "--if-exists", "--no-owner", "--exit-on-error", "-d", db["NAME"], str(source)],
        _pg_env(db),
    )


def backup_sqlite(connection: sqlite3.Connection, target: Path) -> Path:
    """Copy through SQLite's online backup API: consistent even while others write."""
    destination = sqlite3.connect(target)
    try:
        connection.backup(destination)
    finally:
        destination.close()
    verify_sqlite(target)
    return target


def verify_sqlite(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    if result != "ok":
        raise BackupError(f"{path} failed the integrity check: {result}")
    if tables == 0:
        raise BackupError(f"{path} holds no tables")


def restore_sqlite(source: Path, target: Path) -> None:
    verify_sqlite(source)
    tmp = target.with_suffix(target.suffix + ".restoring")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
