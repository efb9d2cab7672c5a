"""Writing to and checking the append-only, hash-chained audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.audit import AuditRecord, ChainProblem, next_record, verify_chain
from app.domain.ids import new_id
from app.store.counters import peek
from app.store.orm import AuditRow, Counter

if TYPE_CHECKING:
    from app.services.context import TillContext

# The seq of the newest entry, kept beside the log in the same transaction, so that removing
# the newest entries (which leaves a chain that is valid as far as it goes) is noticed too.
AUDIT_HEAD = "audit:head"


def _record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        id=row.id,
        at=row.at,
        terminal_id=row.terminal_id,
        actor_id=row.actor_id,
        approver_id=row.approver_id,
        action=row.action,
        subject=row.subject,
        details=row.details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def append_audit(
    s: Session,
    ctx: TillContext,
    actor_id: uuid.UUID | None,
    approver_id: uuid.UUID | None,
    action: str,
    subject: str,
    details: dict[str, Any],
    at: datetime,
) -> AuditRecord:
    """Append one entry chained to the last; the caller's transaction commits it.

    `details` carries ids and amounts only, never a member's phone or name."""
    last = s.execute(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).scalar_one_or_none()
    rec = next_record(
        _record(last) if last is not None else None,
        id=new_id(),
        at=at,
        terminal_id=ctx.terminal_id,
        actor_id=actor_id,
        approver_id=approver_id,
        action=action,
        subject=subject,
        details=details,
    )
    s.add(
        AuditRow(
            seq=rec.seq,
            id=rec.id,
            at=rec.at,
            terminal_id=rec.terminal_id,
            actor_id=rec.actor_id,
            approver_id=rec.approver_id,
            action=rec.action,
            subject=rec.subject,
            details=rec.details,
            prev_hash=rec.prev_hash,
            hash=rec.hash,
        )
    )
    head = s.get(Counter, AUDIT_HEAD)
    if head is None:
        s.add(Counter(name=AUDIT_HEAD, value=rec.seq))
    else:
        head.value = rec.seq
    return rec


@dataclass(frozen=True, slots=True)
class AuditReport:
    entries: int
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_audit(ctx: TillContext) -> AuditReport:
    """Re-hash the whole log; report every edited, deleted or reordered entry."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars().all()
        records = [_record(r) for r in rows]
        head = peek(uow.session, AUDIT_HEAD)
    problems = verify_chain(records)
    last = max((r.seq for r in records), default=0)
    if head > last:
        first = last + 1
        missing = f"entry {first} is" if first == head else f"entries {first} to {head} are"
        problems.append(ChainProblem(first, "deleted", f"{missing} missing"))
    return AuditReport(len(records), tuple(problems))
