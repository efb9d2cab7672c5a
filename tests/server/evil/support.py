"""What the evil-till tests share: an enrolled till and a look into the server's database."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from server.models import Conflict, LedgerEntry, ParkedEvent
from tests.server.support import ServerProcess, Till, session_for


def enrolled(server: ServerProcess, db_url: str, store_id: str) -> Till:
    t = Till(server.url, db_url, store_id)
    t.enrol()
    return t


def balance(db_url: str, member_id: uuid.UUID) -> int:
    db, s = session_for(db_url)
    with s:
        total = s.execute(
            select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.member_id == member_id)
        ).scalar_one()
    db.dispose()
    return int(total)


def parked_reason(db_url: str, event: dict[str, Any]) -> str | None:
    db, s = session_for(db_url)
    with s:
        rows = list(
            s.execute(
                select(ParkedEvent.reason).where(ParkedEvent.event_id == uuid.UUID(event["id"]))
            ).scalars()
        )
    db.dispose()
    return rows[-1] if rows else None


def conflicts(db_url: str, kind: str, **where: Any) -> list[Conflict]:
    db, s = session_for(db_url)
    with s:
        q = select(Conflict).where(Conflict.kind == kind)
        for key, value in where.items():
            q = q.where(getattr(Conflict, key) == value)
        rows = list(s.execute(q).scalars())
        s.expunge_all()
    db.dispose()
    return rows


def results(till: Till, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Push; the answer must be 200 whatever the events hold."""
    r = till.push_raw(events)
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()["results"]
    return out
