"""Engine and sessions. One engine per app; a request gets a session through `SessionDep`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from server.settings import ServerSettings


class Database:
    """The engine, the session factory, and (on SQLite) the lock that serialises writers."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.is_postgres = settings.is_postgres
        # hide_parameters: an error never prints bind values (comments, member ids) to the log.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if self.is_postgres:
            kwargs.update(pool_size=settings.pool_size, max_overflow=settings.pool_size, pool_pre_ping=True)
        else:
            kwargs.update(connect_args={"check_same_thread": False, "timeout": 30})
        self.engine: Engine = create_engine(settings.database_url, **kwargs)
        if not self.is_postgres:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time anyway; taking this lock first avoids "database is
        # locked" errors when requests write concurrently. PostgreSQL needs no such lock.
        self.write_lock = threading.Lock()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; closed (rolled back if not committed) afterwards."""
    db = get_database(request)
    with db.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
DatabaseDep = Annotated[Database, Depends(get_database)]
