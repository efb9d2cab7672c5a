"""The unit of work: one use case, one transaction. Leaving the block without commit() rolls back."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from app.store.db import Database


class UnitOfWork:
    """`with UnitOfWork(db) as uow: ...; uow.commit()`.

    Repositories and helpers never commit; only the use case does, once, at its end. A write
    unit of work takes SQLite's write lock when it begins (BEGIN IMMEDIATE); a read one never
    blocks a writer. Any thread may use its own unit of work; one must not be shared.
    """

    def __init__(self, db: Database, write: bool = True) -> None:
        self._db = db
        self._write = write
        self._session: Session | None = None
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._db.session(self._write)
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self.committed:
                session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()
        self.committed = True

    def rollback(self) -> None:
        self.session.rollback()
