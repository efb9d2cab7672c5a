"""The outbox: every change the server must learn about is written here in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
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
