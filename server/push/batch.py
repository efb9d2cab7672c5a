"""The batch mechanics: one transaction per push, the members locked up front
(`prefetch.py`), events applied in `seq` order, retries on deadlocks and serialisation
failures, and (when an insert fails) the batch redone with a savepoint per event so one bad
event is rejected and parked without the others."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from app.domain.events import MAX_BIGINT
from server.audit import check_audit
from server.db import Database
from server.models import Terminal
from server.push.context import Batch, Rejected
from server.push.handlers import HANDLERS
from server.push.prefetch import prefetch
from server.push.record import answer_known, applied, event_hash, has_nul, known, reject
from server.push.rules import flag_clock_skew
from server.push.touch import RETRYABLE, sqlstate, touch
from sync.protocol import EventResult, PushRequest, PushResponse, WireEvent

log = logging.getLogger("server.push")

SUPPORTED_SCHEMA = 1


def push(db: Database, terminal_id: str, req: PushRequest, epoch: str,
         settings_welcome: tuple[int, int, int]) -> PushResponse:
    now = datetime.now(UTC)
    skew_s = max(-(2**31 - 1), min(2**31 - 1, int((req.till_time - now).total_seconds())))
    flagged = abs(skew_s) > db.settings.max_clock_skew_s
    careful = False
    attempt = 0
    while True:
        attempt += 1
        try:
            if db.is_postgres:
                results, ack = _run_batch(db, terminal_id, req, now, careful, settings_welcome, skew_s)
            else:
                with db.write_lock:
                    results, ack = _run_batch(db, terminal_id, req, now, careful, settings_welcome,
                                              skew_s)
            break
        except DBAPIError as exc:
            if sqlstate(exc) in RETRYABLE and attempt < 8:
                time.sleep(0.01 * attempt)
                continue
            if isinstance(exc, (IntegrityError, DataError)) and not careful:
                careful = True  # redo event by event, each in its own savepoint
                continue
            raise
    return PushResponse(results=results, server_time=datetime.now(UTC), epoch=epoch,
                        clock_skew_flagged=flagged, audit_ack_seq=ack)


def _run_batch(db: Database, terminal_id: str, req: PushRequest, now: datetime, careful: bool,
               settings_welcome: tuple[int, int, int], skew_s: int) -> tuple[list[EventResult], int | None]:
    with db.sessions() as s:
        terminal = s.get_one(Terminal, terminal_id)
        b = Batch(s, terminal, now, settings_welcome)
        flag_clock_skew(terminal, skew_s, db.settings.max_clock_skew_s, now)
        prefetch(b, req.events, db.is_postgres)
        ordered = sorted(req.events, key=lambda e: (e.seq, str(e.id)))
        seen = known(s, [e.id for e in ordered])
        results: dict[uuid.UUID, EventResult] = {}
        for ev in ordered:
            if ev.id in results:  # the same id twice in one batch: one answer for both
                continue
            digest = event_hash(ev)
            if ev.id in seen:
                results[ev.id] = answer_known(b, ev, digest, seen[ev.id])
            elif careful:
                results[ev.id] = _apply_in_savepoint(b, ev, digest)
            else:
                with s.no_autoflush:
                    results[ev.id] = _apply_one(b, ev, digest)
        seqs = [e.seq for e in ordered if e.terminal_id == terminal_id]
        if seqs:
            terminal.last_seq = min(max(terminal.last_seq or 0, *seqs), MAX_BIGINT)
        terminal.last_seen_at = now
        ack = check_audit(s, terminal_id, req.audit, now)
        s.commit()
    touch(db, b.touch, now)
    return [results[e.id] for e in req.events], ack


def _apply_in_savepoint(b: Batch, ev: WireEvent, digest: str) -> EventResult:
    s = b.s
    sp = s.begin_nested()
    try:
        with s.no_autoflush:
            result = _apply_one(b, ev, digest)
        s.flush()
        sp.commit()
        return result
    except IntegrityError:
        sp.rollback()
        b.forget_caches()
        # Another push (a retry racing the original) may have just recorded this id.
        again = known(s, [ev.id]).get(ev.id)
        if again is not None:
            return answer_known(b, ev, digest, again)
        log.exception("event %s could not be applied", ev.id)
        return reject(b, ev, digest, "conflicting_record")
    except OperationalError:
        raise
    except DBAPIError:
        sp.rollback()
        b.forget_caches()
        log.exception("event %s could not be applied", ev.id)
        return reject(b, ev, digest, "database_error")


def _check_envelope(b: Batch, ev: WireEvent) -> None:
    if ev.terminal_id != b.terminal.id:
        raise Rejected("event_from_another_terminal")
    if ev.seq > MAX_BIGINT:
        raise Rejected("seq_out_of_range")
    if has_nul(ev.payload) or "\x00" in ev.type:
        raise Rejected("nul_character")  # PostgreSQL text cannot hold it
    if ev.schema_version != SUPPORTED_SCHEMA:
        raise Rejected(f"unsupported_schema_version:{ev.schema_version}")


def _apply_one(b: Batch, ev: WireEvent, digest: str) -> EventResult:
    """Apply one event (not seen before) and record it; Rejected leaves nothing but the record."""
    try:
        _check_envelope(b, ev)
        handler = HANDLERS.get(ev.type)
        if handler is None:
            raise Rejected(f"unknown_event_type:{ev.type[:40]}")
        try:
            result = handler(b, ev)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err.get("loc", ()))
            raise Rejected(f"invalid_payload:{where}:{err.get('type', 'invalid')}"[:200]) from None
    except Rejected as rej:
        return reject(b, ev, digest, rej.reason)
    return applied(b, ev, digest, result)
