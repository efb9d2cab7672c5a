"""Running the till's Alembic migrations (the only thing that creates or changes the schema)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import migrations

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
# The newest revision, kept here so that start-up need not read the migration scripts;
# tests/integration/test_migrations.py checks it matches the scripts.
HEAD = "kd0001"


def alembic_config(db_path: Path | str) -> Config:
    # Alembic is imported here, not at the top: start-up only needs `is_current`.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", f"sqlite+pysqlite:///{db_path}")
    return cfg


def upgrade(db_path: Path | str, revision: str = "head") -> None:
    """Bring the store at `db_path` to `revision` (creating the file if needed, readable by the
    owner only). Raises :class:`app.store.check.StoreDamaged` for a file that is not a till
    database (empty, not SQLite, cut short, another program's): never migrated over."""
    from alembic import command

    from app.store.check import check_store, private_files, restrict

    path = Path(db_path)
    check_store(path)
    with private_files():
        command.upgrade(alembic_config(db_path), revision)
    restrict(path)


def current_revision(db_path: Path | str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from app.store.check import check_store

    check_store(Path(db_path))
    engine = create_engine(f"sqlite+pysqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(":memory:")).get_current_head()


def is_current(db_path: Path | str) -> bool:
    """True when the store exists and is at the newest revision (cheap: no Alembic scripts
    are loaded unless the store has a revision at all)."""
    import sqlite3

    from app.store.check import check_store

    path = Path(db_path)
    if not path.exists():
        return False
    if not path.is_file():
        check_store(path)  # a folder: StoreDamaged, naming it
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return False
    except sqlite3.DatabaseError:
        check_store(path)  # StoreDamaged, naming the file, rather than sqlite3's error
        raise
    finally:
        conn.close()
    return row is not None and row[0] == HEAD
