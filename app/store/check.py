"""Checking the till's files before using them: a damaged file is named, never written over.

``check_store(path)`` looks at ``till.db`` before anything opens it (cheap: the 100-byte
header, the file's size and the table names): an empty file, a file that is not SQLite, one
cut short, or an SQLite database of something else is refused with :class:`StoreDamaged`,
whose message names the file and what to do. A missing file is fine (a new till). Until
then SQLite would have read an empty file as a new database and migrated over it, or failed
with a raw ``DatabaseError`` on the first query.

``create_private(path)`` makes files with secrets or member data readable by the owner only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from app.files import DamagedFile

__all__ = ["DamagedFile", "StoreDamaged", "check_store", "private_files", "restrict"]

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
# Tables every till database with a schema has had since its first migration.
TILL_TABLES: Final = frozenset({"alembic_version", "members", "sales"})


class StoreDamaged(DamagedFile):
    """``till.db`` is damaged or is not a till database; nothing was changed."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            path,
            problem,
            what="till database",
            todo="Nothing was changed and nothing will be written over it. Restore the last backup "
            "(with the till stopped: `till backup list`, then `till backup restore FILE`), or move "
            "this file aside and resync from the server (`till db upgrade`, then `till sync`; sales "
            "not yet sent to the server are only in this file, so keep it for support).",
        )


def _header_problem(path: Path, size: int) -> str | None:
    with path.open("rb") as f:
        head = f.read(100)
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return "it is not an SQLite database (it holds something else, or its start is damaged)"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The page count in the header is valid when the two change counters agree (SQLite >= 3.7).
    # A checkpoint cut off by a crash writes page 1 before the pages after it, so a file shorter
    # than its header says is normal while a WAL beside it still holds them: SQLite recovers it.
    wal = path.with_name(path.name + "-wal")
    recovering = wal.exists() and wal.stat().st_size > 0
    if pages and head[24:28] == head[92:96] and size < pages * page_size and not recovering:
        return f"it is cut short ({size} bytes of the {pages * page_size} it should have)"
    return None


def _tables(path: Path) -> set[str]:
    # Read-write (as the till opens it): a read-only open fails on a WAL file left without
    # its -shm by a crash. Only the schema is read; nothing is written.
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def check_store(path: Path) -> None:
    """Raise :class:`StoreDamaged` unless ``path`` is missing or looks like a till database."""
    if not path.exists() and not path.is_symlink():
        return
    if path.is_dir():
        raise StoreDamaged(path, "it is a folder, not a database file")
    try:
        size = path.stat().st_size
        if size == 0:
            raise StoreDamaged(path, "it is empty (0 bytes): the till's data is not in it")
        problem = _header_problem(path, size)
        if problem is not None:
            raise StoreDamaged(path, problem)
        tables = _tables(path)
    except sqlite3.DatabaseError as exc:
        raise StoreDamaged(path, f"it cannot be read as a database ({exc})") from None
    except OSError as exc:
        raise StoreDamaged(path, f"it cannot be read ({exc.strerror or exc})") from None
    missing = TILL_TABLES - tables
    # No tables but Alembic's (a database not migrated yet, or migrated down to its base) is
    # a till database with nothing in it; tables of something else are another program's.
    if missing and tables - {"alembic_version"}:
        raise StoreDamaged(
            path, f"it is an SQLite database, but not a till's (it has no {', '.join(sorted(missing))} table)"
        )


def restrict(path: Path) -> None:
    """Readable and writable by the owner only (files with secrets or member data)."""
    if path.exists() and (path.stat().st_mode & 0o077):
        path.chmod(0o600)


@contextmanager
def private_files() -> Iterator[None]:
    """While inside, new files are created 0600 and folders 0700 (a process-wide umask: use
    at start-up, before other threads create files)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
