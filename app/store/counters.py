"""Per-terminal sequences kept in the store, advanced inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.store.orm import Counter


def next_value(session: Session, name: str, start: int = 1) -> int:
    """The next value of counter `name`, in one statement (UPDATE ... RETURNING). Safe because
    writers hold SQLite's write lock for the whole transaction."""
    value = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one_or_none()
    if value is None:
        session.add(Counter(name=name, value=start))
        session.flush()
        return start
    return int(value)


def peek(session: Session, name: str) -> int:
    value = session.execute(select(Counter.value).where(Counter.name == name)).scalar_one_or_none()
    return value or 0
