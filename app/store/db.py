"""Opening the till's SQLite store: WAL, synchronous=FULL, foreign keys on, no work at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5000


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event below, not to pysqlite's guesses.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _on_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE) so that two processes never
    # deadlock upgrading a read lock; readers begin deferred and never block a sale.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path | str) -> Engine:
    """An engine on the SQLite file at `path` (created on first connect by SQLite itself)."""
    url = f"sqlite+pysqlite:///{path}"
    engine = create_engine(url, hide_parameters=True)  # no member data in error messages
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Database:
    """The store's engine and session factories: one for reads, one for writes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.engine = make_engine(self.path)
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()

    def session(self, write: bool = True) -> Session:
        return (self.write_sessions if write else self.read_sessions)()
