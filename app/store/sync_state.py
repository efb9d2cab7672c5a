"""The sync worker's state in the till's store (`sync_state`): pull cursor, server epoch, and
the audit head the server acknowledged.

Read and written inside the caller's transaction, so that a pulled page and its cursor commit
together, and a server restored from a backup (a new epoch) resets the cursor and re-queues
the outbox in one step.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.audit import GENESIS
from app.store.orm import AuditRow, OutboxEvent, SyncState

CURSOR = "pull_cursor"
EPOCH = "epoch"
AUDIT_ACK = "audit_ack_seq"
FEEDBACK_BASE = "feedback_base_url"


def get_state(s: Session, key: str) -> str | None:
    row = s.get(SyncState, key)
    return None if row is None else row.value


def set_state(s: Session, key: str, value: str) -> None:
    row = s.get(SyncState, key)
    if row is None:
        s.add(SyncState(key=key, value=value))
    else:
        row.value = value


def get_cursor(s: Session) -> int:
    value = get_state(s, CURSOR)
    return int(value) if value else 0


def set_cursor(s: Session, cursor: int) -> None:
    set_state(s, CURSOR, str(cursor))


def get_epoch(s: Session) -> str | None:
    return get_state(s, EPOCH) or None


def feedback_base(s: Session, configured: str) -> str:
    """Where this till's receipt QR codes lead (the server's feedback page), or "" when such a
    code can never work: a till never enrolled has no server to answer it. The server names
    the base at enrolment (kept here); a till enrolled before servers did keeps `configured`
    (`[server] feedback_base_url`)."""
    stored = get_state(s, FEEDBACK_BASE)
    if stored:
        return stored
    return configured if get_epoch(s) is not None else ""


def set_feedback_base(s: Session, url: str) -> None:
    set_state(s, FEEDBACK_BASE, url)


def adopt_epoch(s: Session, epoch: str) -> bool:
    """Record the server's epoch. When it differs from the one the till knew, the server was
    restored from a backup and may have lost what the till sent since: the pull cursor goes
    back to 0 and every outbox event is queued again (the server drops duplicates by id).
    Returns True when that reset happened."""
    known = get_epoch(s)
    if known == epoch:
        return False
    set_state(s, EPOCH, epoch)
    if known is None:
        return False
    set_cursor(s, 0)
    s.execute(update(OutboxEvent).values(sent_at=None, result=None, last_error=None))
    return True


def audit_heads(s: Session) -> tuple[int, str, int | None, str]:
    """The audit log's head (seq, hash), and the seq the server acknowledged last with this
    till's hash at it (empty when that record is gone; seq None before any acknowledgement)."""
    head = s.execute(select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)).first()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)
    ack = get_state(s, AUDIT_ACK)
    check_seq = int(ack) if ack and int(ack) > 0 else None
    check_hash = ""
    if check_seq is not None:
        check_hash = s.execute(select(AuditRow.hash).where(AuditRow.seq == check_seq)).scalar() or ""
    return head_seq, head_hash, check_seq, check_hash


def set_audit_ack(s: Session, seq: int | None) -> None:
    if seq is not None:
        set_state(s, AUDIT_ACK, str(seq))
