"""Per-terminal sequences kept in the store, advanced inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.orm import Counter


def next_value(session: Session, name: str, start: int = 1) -> int:
    """The next value of counter `name`. Safe because writers hold SQLite's write lock."""
    row = session.execute(select(Counter).where(Counter.name == name)).scalar_one_or_none()
    if row is None:
        session.add(Counter(name=name, value=start))
        session.flush()
        return start
    row.value += 1
    session.flush()
    return row.value


def peek(session: Session, name: str) -> int:
    value = session.execute(select(Counter.value).where(Counter.name == name)).scalar_one_or_none()
    return value or 0
