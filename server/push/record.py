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
    """What the event carried, hashed: a retry hashes the same, an id reused with another payload
    does not. Total: an out-of-range time or a lone surrogate still hashes (the event is then
    rejected for it)."""
    return event_digest(ev)[0]


def event_digest(ev: WireEvent) -> tuple[str, bool]:
    """`event_hash`, and whether the event's text is certainly storable: True when the JSON it
    hashes holds no lone surrogate and no escaped NUL, so `text_fault` of its type and payload
    is None without walking them (False: walk them; they may still be fine, e.g. a literal
    backslash-u-0000 in a string). Every string and key of the type and payload is in that
    JSON, control characters escaped, surrogates left as they are."""
    try:
        created = ev.created_at.astimezone(UTC).isoformat()
    except OverflowError:
        created = ev.created_at.isoformat()
    body = {
        "terminal_id": ev.terminal_id,
        "seq": ev.seq,
        "type": ev.type,
        "schema_version": ev.schema_version,
        "payload": ev.payload,
        "created_at": created,
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    try:
        data, clean = raw.encode("utf-8"), "\\u0000" not in raw
    except UnicodeEncodeError:  # a lone surrogate somewhere
        data, clean = raw.encode("utf-8", "surrogatepass"), False
    return hashlib.sha256(data).hexdigest(), clean


def text_fault(value: Any) -> str | None:
    """Why text in `value` (strings, dict keys, nested) cannot be stored: `nul_character`
    (PostgreSQL text cannot hold NUL) or `invalid_unicode` (a lone surrogate: not UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            return "nul_character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "invalid_unicode"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            fault = text_fault(k) or text_fault(v)
            if fault:
                return fault
        return None
    if isinstance(value, list):
        for v in value:
            fault = text_fault(v)
            if fault:
                return fault
    return None


def storable(value: Any) -> Any:
    """`value` with NUL and lone surrogates written as escapes, so a rejected event can be kept."""
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def keep_event(b: Batch, row: dict[str, Any]) -> None:
    """The event's row in `events`: collected for one INSERT when the batch is applied whole
    (`Batch.event_rows`), else added to the session (inside the event's savepoint, where a
    racing duplicate shows as that event's IntegrityError)."""
    if b.event_rows is not None:
        b.event_rows.append(row)
    else:
        b.s.add(Event(**row))


def applied(b: Batch, ev: WireEvent, digest: str, result: dict[str, Any]) -> EventResult:
    keep_event(
        b,
        {
            "id": ev.id,
            "terminal_id": ev.terminal_id,
            "seq": ev.seq,
            "type": ev.type,
            "payload_hash": digest,
            "status": "applied",
            "reason": None,
            "result": result,
            "received_at": b.now,
        },
    )
    return EventResult(id=ev.id, status="applied", result=result)


def reject(b: Batch, ev: WireEvent, digest: str, reason: str, record: bool = True) -> EventResult:
    reason = storable(reason)[:200]
    if record:
        keep_event(
            b,
            {
                "id": ev.id,
                "terminal_id": storable(ev.terminal_id)[:40],
                "seq": min(ev.seq, MAX_BIGINT),
                "type": storable(ev.type)[:40],
                "payload_hash": digest,
                "status": "rejected",
                "reason": reason,
                "result": None,
                "received_at": b.now,
            },
        )
    b.s.add(
        ParkedEvent(
            event_id=ev.id,
            terminal_id=b.terminal.id,
            reason=reason,
            event=_whole(ev),
            received_at=b.now,
            reviewed_at=None,
        )
    )
    log.warning("event %s from %s rejected: %s", ev.id, b.terminal.id, reason)
    return EventResult(id=ev.id, status="rejected", reason=reason)


def _whole(ev: WireEvent) -> dict[str, Any]:
    """The event as it came, storable (pydantic's own dump refuses lone surrogates)."""
    whole: dict[str, Any] = storable(
        {
            "id": str(ev.id),
            "terminal_id": ev.terminal_id,
            "seq": ev.seq,
            "type": ev.type,
            "schema_version": ev.schema_version,
            "payload": ev.payload,
            "created_at": ev.created_at.isoformat(),
        }
    )
    return whole


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
