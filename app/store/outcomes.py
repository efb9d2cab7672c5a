"""What the server decided about this till's points adjustments and compensations
(`orm.PointsOutcome`): held for HQ, approved or rejected by HQ, or refused by the push. Written
by the sync worker (push answers) and by pulled `points_outcome` changes; read by the member's
balance (`app.services.members.ledger_entries` leaves out what does not count) and the sync
status line. Runs in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store import orm

# Events whose outcome the server may hold for HQ (server/push/points_rules.py).
BY_HAND = ("points.adjusted", "points.compensated")
OUTCOMES = ("held", "approved", "rejected", "refused")


def record_outcome(
    s: Session,
    event_id: uuid.UUID,
    payload: dict[str, Any],
    status: str,
    reason: str,
    note: str,
    at: datetime,
) -> bool:
    """Keep what the server said about one adjustment or compensation: `held` (with the push
    answer's reason), `refused` (the push rejected it), `approved` / `rejected` (HQ's decision,
    pulled later). A held, rejected or refused entry leaves the member's balance here. False
    when `payload` names no entry; ValueError for an unknown status."""
    if status not in OUTCOMES:
        raise ValueError(f"unknown outcome {status!r}")
    try:
        entry_id, member_id = uuid.UUID(str(payload["entry_id"])), uuid.UUID(str(payload["member_id"]))
    except (KeyError, ValueError):
        return False
    row = s.get(orm.PointsOutcome, entry_id)
    if row is None:
        row = orm.PointsOutcome(entry_id=entry_id, event_id=event_id, member_id=member_id)
        s.add(row)
    row.status, row.reason, row.note, row.at = status, reason[:200], note[:200], at
    return True


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    held: int = 0  # waiting for HQ
    rejected: int = 0  # rejected by HQ (one the push refused counts among the outbox's rejected)


def outcome_counts(s: Session) -> OutcomeCounts:
    rows: dict[str, int] = {
        status: n
        for status, n in s.execute(
            select(orm.PointsOutcome.status, func.count()).group_by(orm.PointsOutcome.status)
        )
    }
    return OutcomeCounts(held=rows.get("held", 0), rejected=rows.get("rejected", 0))
