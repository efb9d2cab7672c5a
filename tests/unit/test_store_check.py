"""The damaged-database check (app/store/check.py) on SQLite files made here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store.check import StoreDamaged, _header_problem


def _db(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    return path.stat().st_size


def test_a_file_shorter_than_its_header_is_cut_short(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    full = _db(db)
    with db.open("r+b") as f:
        f.truncate(full // 2)
    assert "cut short" in (_header_problem(db, full // 2) or "")


def test_a_short_file_with_a_wal_beside_it_is_a_checkpoint_cut_off_by_a_crash(tmp_path: Path) -> None:
    # A checkpoint writes page 1 (with the new page count) before the pages after it; killed
    # in between, the file is shorter than its header says while the WAL still holds the rest.
    db = tmp_path / "till.db"
    full = _db(db)
    with db.open("r+b") as f:
        f.truncate(full // 2)
    (tmp_path / "till.db-wal").write_bytes(b"\0" * 32)
    assert _header_problem(db, full // 2) is None
    (tmp_path / "till.db-wal").write_bytes(b"")  # an empty WAL holds nothing to recover
    assert "cut short" in (_header_problem(db, full // 2) or "")


def test_store_damaged_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(StoreDamaged) as err:
        raise StoreDamaged(tmp_path / "till.db", "it is empty")
    assert str(tmp_path / "till.db") in str(err.value)
