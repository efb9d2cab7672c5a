"""Alembic is the only thing that creates the schema, and the migrations agree with the models."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.util.exc import CommandError
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from app.config import DB_NAME
from app.services.context import open_till
from app.store import migrate
from app.store.orm import Base
from tests.conftest import FAST_HASHER

REPO = Path(__file__).resolve().parents[2]


def _tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    finally:
        conn.close()


def _diff(db: Path) -> list[object]:
    engine = create_engine(f"sqlite+pysqlite:///{db}")
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_head_constant_matches_the_migration_scripts() -> None:
    assert migrate.head_revision() == migrate.HEAD


def test_upgrade_creates_every_mapped_table(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    migrate.upgrade(db)
    assert _tables(db) == set(Base.metadata.tables) | {"alembic_version"}
    assert migrate.current_revision(db) == migrate.HEAD
    assert migrate.is_current(db)


def test_alembic_check_finds_no_difference_between_models_and_migrations(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    migrate.upgrade(db)
    command.check(migrate.alembic_config(db))  # raises if autogenerate would write anything
    assert _diff(db) == []


def test_the_comparison_would_notice_a_drift(tmp_path: Path) -> None:
    # The check above is only worth something if a difference shows: add a stray table and
    # drop an index behind Alembic's back, and both the comparison and `alembic check` see it.
    db = tmp_path / "t.db"
    migrate.upgrade(db)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE stray (id INTEGER PRIMARY KEY)")
    conn.execute("DROP INDEX ix_ledger_entries_member_at")
    conn.commit()
    conn.close()
    ops = [op[0] if isinstance(op, tuple) else op[0][0] for op in _diff(db)]
    assert "remove_table" in ops
    assert "add_index" in ops
    with pytest.raises(CommandError):
        command.check(migrate.alembic_config(db))


def test_downgrade_to_base_and_back_up(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    migrate.upgrade(db)
    command.downgrade(migrate.alembic_config(db), "base")
    assert _tables(db) == {"alembic_version"}
    assert migrate.current_revision(db) is None
    assert not migrate.is_current(db)
    migrate.upgrade(db)
    assert _tables(db) == set(Base.metadata.tables) | {"alembic_version"}
    assert _diff(db) == []


def test_is_current_is_false_for_a_missing_or_empty_file(tmp_path: Path) -> None:
    assert not migrate.is_current(tmp_path / "absent.db")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert not migrate.is_current(empty)


def test_open_till_migrates_a_fresh_home_and_reopens_without_changes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ctx = open_till(home, hasher=FAST_HASHER)
    ctx.close()
    db = home / DB_NAME
    assert migrate.current_revision(db) == migrate.HEAD
    assert _diff(db) == []
    before = _tables(db)
    ctx = open_till(home, hasher=FAST_HASHER)
    ctx.close()
    assert _tables(db) == before


def test_open_till_without_migrate_does_not_create_the_schema(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with pytest.raises(OperationalError, match="no such table"):
        open_till(home, hasher=FAST_HASHER, migrate=False)
    assert "members" not in _tables(home / DB_NAME)


def test_nothing_but_alembic_creates_the_schema() -> None:
    # create_all()/CREATE TABLE outside the migrations would let models and schema drift apart.
    pattern = re.compile(r"create_all\(|CREATE TABLE", re.IGNORECASE)
    offenders = []
    for folder in ("app", "till", "ui", "sync", "hardware"):
        for path in (REPO / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
