"""Each event id is kept for ever (`events`) with a hash of what it carried and its result:
the same id again gets the first answer; a rejected event is also kept whole in
`parked_events` for review."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.events import MAX_BIGINT
from server.models import Event, ParkedEvent
from server.push.context import Batch
from sync.protocol import EventResult, WireEvent

log = logging.getLogger("server.push")


def event_hash(ev: WireEvent) -> str:
    body = {"terminal_id": ev.terminal_id, "seq": ev.seq, "type": ev.type,
            "schema_version": ev.schema_version, "payload": ev.payload,
            "created_at": ev.created_at.astimezone(UTC).isoformat()}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def applied(b: Batch, ev: WireEvent, digest: str, result: dict[str, Any]) -> EventResult:
    b.s.add(Event(id=ev.id, terminal_id=ev.terminal_id, seq=ev.seq, type=ev.type, payload_hash=digest,
                  status="applied", reason=None, result=result, received_at=b.now))
    return EventResult(id=ev.id, status="applied", result=result)


def reject(b: Batch, ev: WireEvent, digest: str, reason: str, record: bool = True) -> EventResult:
    if record:
        b.s.add(Event(id=ev.id, terminal_id=without_nul(ev.terminal_id[:40]), seq=min(ev.seq, MAX_BIGINT),
                      type=without_nul(ev.type)[:40],
                      payload_hash=digest, status="rejected", reason=reason, result=None, received_at=b.now))
    b.s.add(ParkedEvent(event_id=ev.id, terminal_id=b.terminal.id, reason=reason,
                        event=without_nul(ev.model_dump(mode="json")), received_at=b.now, reviewed_at=None))
    log.warning("event %s from %s rejected: %s", ev.id, b.terminal.id, reason)
    return EventResult(id=ev.id, status="rejected", reason=reason)


def known(s: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Event]:
    if not ids:
        return {}
    return {e.id: e for e in s.execute(select(Event).where(Event.id.in_(ids))).scalars()}


def answer_known(b: Batch, ev: WireEvent, digest: str, seen: Event) -> EventResult:
    if seen.payload_hash != digest:
        return reject(b, ev, digest, "id_reused_with_different_payload", record=False)
    if seen.status == "rejected":
        return EventResult(id=ev.id, status="rejected", reason=seen.reason)
    return EventResult(id=ev.id, status="duplicate", result=seen.result)
