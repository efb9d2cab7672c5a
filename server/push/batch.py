"""The batch mechanics: one transaction per push, the members locked up front
(`prefetch.py`), events applied in `seq` order, retries on deadlocks and serialisation
failures, and (when anything unexpected fails) the batch redone with a savepoint per event so
one bad event is rejected and parked by itself while the others are applied. No event can make
a push fail: the till's outbox never stalls behind one."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.domain.events import EARLIEST, LATEST, MAX_BIGINT
from server.audit import check_audit
from server.db import Database
from server.models import Event, Terminal
from server.program import Programs, store_zone
from server.push.context import Batch, Rejected
from server.push.handlers import HANDLERS
from server.push.prefetch import prefetch
from server.push.record import answer_known, applied, event_digest, known, reject, text_fault
from server.push.rules import flag_clock_skew
from server.push.touch import RETRYABLE, sqlstate, touch
from sync.protocol import EventResult, PushRequest, PushResponse, WireEvent

log = logging.getLogger("server.push")

SUPPORTED_SCHEMA = 1


class _Redo(Exception):
    """Something unexpected failed in a batch applied whole: redo it event by event."""


def push(db: Database, terminal_id: str, req: PushRequest, epoch: str) -> PushResponse:
    now = datetime.now(UTC)
    skew_s = max(-(2**31 - 1), min(2**31 - 1, int((req.till_time - now).total_seconds())))
    flagged = abs(skew_s) > db.settings.max_clock_skew_s
    careful = False
    attempt = 0
    while True:
        attempt += 1
        try:
            if db.is_postgres:
                results, ack = _run_batch(db, terminal_id, req, now, careful, skew_s)
            else:
                with db.write_lock:
                    results, ack = _run_batch(db, terminal_id, req, now, careful, skew_s)
            break
        except DBAPIError as exc:
            if sqlstate(exc) in RETRYABLE and attempt < 8:
                time.sleep(0.01 * attempt)
                continue
            if careful:
                raise
            careful = True  # redo event by event, each in its own savepoint
        except _Redo:
            careful = True
    return PushResponse(
        results=results,
        server_time=datetime.now(UTC),
        epoch=epoch,
        clock_skew_flagged=flagged,
        audit_ack_seq=ack,
    )


def _run_batch(
    db: Database, terminal_id: str, req: PushRequest, now: datetime, careful: bool, skew_s: int
) -> tuple[list[EventResult], int | None]:
    with db.sessions() as s:
        terminal = s.get_one(Terminal, terminal_id)
        programs = Programs.load(s)
        b = Batch(
            s,
            terminal,
            now,
            programs,
            store_zone(s, terminal.store_id),
            max_clock_skew_s=db.settings.max_clock_skew_s,
            trust=programs.at(now).trust,
            event_rows=None if careful else [],
        )
        flag_clock_skew(terminal, skew_s, db.settings.max_clock_skew_s, now)
        prefetch(b, req.events, db.is_postgres)
        hashed = [event_digest(ev) for ev in req.events]
        digests = [h for h, _ in hashed]
        order = sorted(range(len(req.events)), key=lambda i: (req.events[i].seq, str(req.events[i].id)))
        seen = known(s, list({ev.id for ev in req.events}))
        results: dict[int, EventResult] = {}
        first: dict[uuid.UUID, int] = {}  # event id -> where it first came in this batch
        for i in order:
            ev, digest = req.events[i], digests[i]
            if ev.id in first:  # the same id twice in one batch
                j = first[ev.id]
                results[i] = (
                    results[j]
                    if digests[j] == digest
                    else reject(b, ev, digest, "id_reused_with_different_payload", record=False)
                )
                continue
            first[ev.id] = i
            if ev.id in seen:
                results[i] = answer_known(b, ev, digest, seen[ev.id])
            elif careful:
                results[i] = _apply_in_savepoint(b, ev, digest, hashed[i][1])
            else:
                results[i] = _apply_whole(b, ev, digest, hashed[i][1])
        seqs = [e.seq for e in req.events if e.terminal_id == terminal_id]
        if seqs:
            terminal.last_seq = min(max(terminal.last_seq or 0, *seqs), MAX_BIGINT)
        terminal.last_seen_at = now
        ack = check_audit(s, terminal_id, req.audit, now)
        try:
            if b.event_rows:
                s.execute(insert(Event), b.event_rows)
            s.commit()
        except DBAPIError:
            raise
        except Exception as exc:  # a value the database layer could not bind: find it, event by event
            if careful:
                raise
            raise _Redo from exc
    touch(db, b.touch, now, b.programs)
    return [results[i] for i in range(len(req.events))], ack


def _apply_whole(b: Batch, ev: WireEvent, digest: str, clean: bool) -> EventResult:
    try:
        with b.s.no_autoflush:
            return _apply_one(b, ev, digest, clean)
    except DBAPIError:
        raise
    except Exception as exc:
        # Its partial rows are in the batch's transaction: redo the batch with savepoints.
        log.warning("event %s failed (%s); the batch is redone event by event", ev.id, type(exc).__name__)
        raise _Redo from exc


def _apply_in_savepoint(b: Batch, ev: WireEvent, digest: str, clean: bool) -> EventResult:
    s = b.s
    sp = s.begin_nested()
    try:
        with s.no_autoflush:
            result = _apply_one(b, ev, digest, clean)
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
    except Exception as exc:
        sp.rollback()
        b.forget_caches()
        log.exception("event %s could not be applied", ev.id)
        return reject(b, ev, digest, f"cannot_process:{type(exc).__name__}")


def _check_envelope(b: Batch, ev: WireEvent, clean: bool) -> None:
    """`clean`: `record.event_digest` found the event's text storable (no walk needed)."""
    if ev.terminal_id != b.terminal.id:
        raise Rejected("event_from_another_terminal")
    if ev.seq > MAX_BIGINT:
        raise Rejected("seq_out_of_range")
    fault = None if clean else text_fault(ev.type) or text_fault(ev.payload)
    if fault:
        raise Rejected(fault)
    if not EARLIEST <= ev.created_at < LATEST:
        raise Rejected("time_out_of_range:created_at")
    if ev.schema_version != SUPPORTED_SCHEMA:
        raise Rejected(f"unsupported_schema_version:{ev.schema_version}")


def _apply_one(b: Batch, ev: WireEvent, digest: str, clean: bool) -> EventResult:
    """Apply one event (not seen before) and record it; Rejected leaves nothing but the record."""
    try:
        _check_envelope(b, ev, clean)
        handler = HANDLERS.get(ev.type)
        if handler is None:
            raise Rejected(f"unknown_event_type:{ev.type[:40]}")
        try:
            result = handler(b, ev)
        except ValidationError as exc:
            raise Rejected(_invalid(exc)) from None
    except Rejected as rej:
        return reject(b, ev, digest, rej.reason)
    return applied(b, ev, digest, result)


def _invalid(exc: ValidationError) -> str:
    """`time_out_of_range:<field>` for a time outside the sane range, else
    `invalid_payload:<field>:<pydantic error type>`."""
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ()))
    if err.get("type") == "time_out_of_range":
        return f"time_out_of_range:{where}"[:200]
    return f"invalid_payload:{where}:{err.get('type', 'invalid')}"[:200]
