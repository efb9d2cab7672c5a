"""Backups of the till's SQLite store: online copies through SQLite's backup API, checked,
kept with rotation in `<home>/backups/`, and restored with the sequences continuing.

A copy of a live database file can catch a half-written page or miss what is still in the WAL;
SQLite's backup API copies a consistent snapshot while the till keeps selling. Every copy is
written to a `.partial` file, checked with ``PRAGMA integrity_check`` and only then renamed,
so a listed backup is always a whole, checked database.

Restoring puts the current files aside (`backups/replaced-<time>/`, moved, never deleted),
writes the backup in their place, and raises every counter of the restored store (outbox seq,
receipt and Z numbers, card serials) to at least what the replaced store had reached: events
made after the restore never reuse a seq or a receipt number the server has already seen. The
audit log's head is left as the backup has it (its hash chain must stay whole); the server
records that log being cut short as one `audit_mismatch` conflict for HQ to review.

Nothing here knows whether a till is running: the caller holds the till's run lock.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.store.check import restrict

BACKUP_DIR = "backups"
KINDS = ("shift", "daily", "manual", "pre-upgrade")
# How many of each kind are kept (the oldest beyond these are deleted after a new one is made).
KEEP = {"shift": 20, "daily": 14, "manual": 10, "pre-upgrade": 5}
DAILY_EVERY_S = 24 * 3600
_NAME = re.compile(r"^till-(\d{8}T\d{6}(?:\d{6})?Z)-([a-z-]+)\.db$")
_STAMP = "%Y%m%dT%H%M%S%fZ"
# Counters a restore must not take back. The audit head is not one: it names the newest entry
# of the hash chain the restored file holds.
_NOT_CONTINUED = ("audit:head",)


class BackupError(Exception):
    """A backup could not be made, checked or restored; the message says why, in words."""


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str
    at: datetime
    size: int

    def describe(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC  {self.kind:<11}  {self.size / 1e6:8.2f} MB  {self.path}"


@dataclass(frozen=True)
class Restored:
    source: Path
    aside: Path | None
    raised: dict[str, int]


def backup_dir(home: Path) -> Path:
    return home / BACKUP_DIR


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong with the database at `path` ([] when it is
    sound); a file SQLite cannot open at all is one problem."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"not a readable SQLite database ({exc})"]
    return [] if rows == ["ok"] else rows


def copy_database(source: Path, dest: Path) -> None:
    """A consistent copy of `source` (live or not) at `dest`, through SQLite's backup API."""
    src = sqlite3.connect(source)
    try:
        # A copy of the members' data: the owner's only, as till.db. Made 0600 before SQLite
        # writes into it (no umask: backups are made on a thread).
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT, 0o600))
        restrict(dest)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()


def make_backup(home: Path, db_path: Path, kind: str, now: datetime | None = None) -> Backup:
    """Copy the store online, check the copy, keep it as `kind` and rotate that kind.
    Raises BackupError when the store is missing or the copy is not sound."""
    if kind not in KINDS:
        raise BackupError(f"unknown backup kind {kind!r} (one of {', '.join(KINDS)})")
    if not db_path.exists():
        raise BackupError(f"there is no database at {db_path} to back up")
    at = (now or datetime.now(UTC)).astimezone(UTC)
    folder = backup_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"till-{at.strftime(_STAMP)}-{kind}.db"
    partial = final.with_suffix(".db.partial")
    try:
        copy_database(db_path, partial)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the database could not be copied: {exc}") from exc
    problems = integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError("the copy failed its integrity check: " + "; ".join(problems[:5]))
    partial.replace(final)
    rotate(home, kind)
    return Backup(final, kind, at, final.stat().st_size)


def list_backups(home: Path) -> list[Backup]:
    """The kept backups, oldest first."""
    folder = backup_dir(home)
    found = []
    for path in folder.glob("till-*.db") if folder.is_dir() else ():
        m = _NAME.match(path.name)
        if m and m.group(2) in KINDS:
            stamp = m.group(1)
            fmt = _STAMP if len(stamp) > 16 else "%Y%m%dT%H%M%SZ"
            at = datetime.strptime(stamp, fmt).replace(tzinfo=UTC)
            found.append(Backup(path, m.group(2), at, path.stat().st_size))
    return sorted(found, key=lambda b: b.at)


def last_backup(home: Path, kinds: Iterable[str] = KINDS) -> Backup | None:
    wanted = set(kinds)
    of_kind = [b for b in list_backups(home) if b.kind in wanted]
    return of_kind[-1] if of_kind else None


def rotate(home: Path, kind: str) -> list[Path]:
    """Delete the oldest backups of `kind` beyond `KEEP[kind]`; returns what was deleted."""
    of_kind = [b for b in list_backups(home) if b.kind == kind]
    gone = [b.path for b in of_kind[: max(0, len(of_kind) - KEEP[kind])]]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def daily_due(home: Path, now: datetime | None = None) -> bool:
    """True when no `daily` backup was made in the last 24 hours (shift backups come on top:
    the daily ones keep two weeks of history however often shifts close)."""
    last = last_backup(home, ("daily",))
    at = now or datetime.now(UTC)
    return last is None or (at - last.at).total_seconds() >= DAILY_EVERY_S


def read_counters(db_path: Path) -> dict[str, int]:
    """The store's counters, or {} when the file cannot be read."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return {str(n): int(v) for n, v in conn.execute("SELECT name, value FROM counters")}
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def _raise_counters(db_path: Path, floor: dict[str, int]) -> dict[str, int]:
    """Raise each counter of the store at `db_path` to at least `floor`'s; returns what moved."""
    raised: dict[str, int] = {}
    conn = sqlite3.connect(db_path)
    try:
        have = {str(n): int(v) for n, v in conn.execute("SELECT name, value FROM counters")}
        for name, value in floor.items():
            if name in _NOT_CONTINUED or value <= have.get(name, 0):
                continue
            conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
            raised[name] = value
        conn.commit()
    finally:
        conn.close()
    return raised


def _put_aside(db_path: Path, folder: Path, at: datetime) -> Path | None:
    """Move the store and its -wal/-shm files into `folder/replaced-<time>/`."""
    files = [
        p for p in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))) if p.exists()
    ]
    if not files:
        return None
    aside = folder / f"replaced-{at.strftime(_STAMP)}"
    aside.mkdir(parents=True)
    for p in files:
        shutil.move(str(p), aside / p.name)
    return aside / db_path.name


def check_restorable(source: Path) -> None:
    """Raise BackupError unless `source` is a sound till database."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    problems = integrity_problems(source)
    if problems:
        raise BackupError(f"{source} failed its integrity check: " + "; ".join(problems[:5]))
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if not {"alembic_version", "counters", "outbox"} <= tables:
        raise BackupError(f"{source} is a SQLite database but not a till's store")


def restore_backup(home: Path, db_path: Path, source: Path, now: datetime | None = None) -> Restored:
    """Replace the store with the backup `source` (the till must not be running: the caller
    holds its run lock). The current files are kept aside; counters continue (module doc)."""
    check_restorable(source)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    floor = read_counters(db_path) if db_path.exists() else {}
    partial = db_path.with_name(db_path.name + ".restoring")
    partial.unlink(missing_ok=True)
    copy_database(source, partial)
    aside = _put_aside(db_path, backup_dir(home), at)
    partial.replace(db_path)
    raised = _raise_counters(db_path, floor)
    return Restored(source, aside, raised)
