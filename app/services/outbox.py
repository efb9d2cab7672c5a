"""The outbox: every change the server must learn about is written here in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.domain.events import check_payload
from app.domain.ids import EventId, new_id
from app.store.counters import next_value
from app.store.orm import OutboxEvent

if TYPE_CHECKING:
    from app.services.context import TillContext

SCHEMA_VERSION = 1


def record_event(
    session: Session,
    terminal_id: str,
    event_type: str,
    payload: dict[str, Any],
    at: datetime,
    schema_version: int = SCHEMA_VERSION,
) -> EventId:
    """Append an event with the terminal's next sequence number; the caller commits.

    The payload is checked with the model the server reads it with (app.domain.events): a
    payload the server would refuse for its shape is a bug here, raised before anything is
    written, not an event parked on the server later."""
    check_payload(event_type, payload)
    event_id = EventId(new_id())
    session.add(
        OutboxEvent(
            id=event_id,
            terminal_id=terminal_id,
            seq=next_value(session, f"outbox:{terminal_id}"),
            type=event_type,
            schema_version=schema_version,
            payload=payload,
            created_at=at,
            sent_at=None,
            result=None,
        )
    )
    return event_id


def events_waiting(ctx: TillContext) -> int:
    """Outbox events not yet acknowledged by the server (for the status bar)."""
    with ctx.uow(write=False) as uow:
        return pending_count(uow.session)


def pending_count(session: Session) -> int:
    count = session.execute(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
    ).scalar_one()
    return int(count)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An outbox event as the sync worker sends it."""

    id: EventId
    terminal_id: str
    seq: int
    type: str
    schema_version: int
    payload: dict[str, Any]
    created_at: datetime


def unsent_events(session: Session, limit: int) -> list[OutboxRecord]:
    """The oldest `limit` events not yet acknowledged, in sequence order."""
    rows = (
        session.execute(
            select(OutboxEvent).where(OutboxEvent.sent_at.is_(None)).order_by(OutboxEvent.seq).limit(limit)
        )
        .scalars()
        .all()
    )
    return [
        OutboxRecord(EventId(r.id), r.terminal_id, r.seq, r.type, r.schema_version, r.payload, r.created_at)
        for r in rows
    ]


def mark_sent(session: Session, ids: Sequence[uuid.UUID], result: str, at: datetime) -> None:
    """The server took these events ('applied' or 'duplicate')."""
    for i in range(0, len(ids), 500):
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids[i : i + 500]))
            .values(sent_at=at, result=result, last_error=None)
        )


def mark_rejected(session: Session, event_id: uuid.UUID, reason: str, at: datetime) -> None:
    """The server refused this event for good; it is kept with the reason (not sent again)."""
    session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id)
        .values(sent_at=at, result="rejected", last_error=reason)
    )


def rejected_count(session: Session) -> int:
    count = session.execute(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.result == "rejected")
    ).scalar_one()
    return int(count)
