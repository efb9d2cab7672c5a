"""HQ's decision on an event held above the program's limits (`points_rules.py`): approved,
its ledger entry is written as the till sent it (and reaches the member's other stores);
rejected, nothing is applied. Either way the decision is kept with who made it and why."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.events import PointsEntryP
from server.models import LedgerEntry
from server.program import Programs, store_zone
from server.pull import ledger_added, record_change
from server.push.context import resolve_member
from server.push.models import HeldEvent, StoreStaff

KINDS = {"points.adjusted": "adjust", "points.compensated": "compensate"}
ROLES = ("cashier", "supervisor", "manager")


class NotHeld(Exception):
    """The event was decided before."""


def held_json(h: HeldEvent) -> dict[str, Any]:
    return {
        "id": str(h.id),
        "event_id": str(h.event_id),
        "terminal_id": h.terminal_id,
        "store_id": h.store_id,
        "type": h.type,
        "member_id": str(h.member_id),
        "points": h.points,
        "reason": h.reason,
        "held_at": h.held_at.isoformat(),
        "status": h.status,
        "decided_at": h.decided_at.isoformat() if h.decided_at else None,
        "decided_by": h.decided_by,
        "note": h.note,
        "payload": h.payload,
    }


def decide(
    s: Session, held_id: uuid.UUID, approve: bool, actor: str, note: str, now: datetime
) -> HeldEvent | None:
    """Approve or reject a held event; None when there is none, NotHeld when decided before."""
    h = s.execute(select(HeldEvent).where(HeldEvent.id == held_id).with_for_update()).scalar_one_or_none()
    if h is None:
        return None
    if h.status != "held":
        raise NotHeld(str(held_id))
    h.status, h.decided_at, h.decided_by, h.note = ("approved" if approve else "rejected"), now, actor, note
    if approve:
        _apply(s, h, now)
    _tell_till(s, h, now)
    s.flush()
    return h


def _tell_till(s: Session, h: HeldEvent, now: datetime) -> None:
    """The decision as a `points_outcome` change for the store's tills (the one that made the
    entry records it; the others skip it): an approved entry counts in the balance there again,
    a rejected one stays out."""
    payload = h.payload or {}
    entry_id = str(payload.get("entry_id", ""))
    data = {
        "entry_id": entry_id,
        "event_id": str(h.event_id),
        "member_id": str(payload.get("member_id", h.member_id)),
        "terminal_id": h.terminal_id,
        "status": h.status,
        "reason": h.reason,
        "note": h.note,
        "decided_at": now.isoformat(),
    }
    record_change(s, "points_outcome", entry_id, data, at=now, store_id=h.store_id)


def _apply(s: Session, h: HeldEvent, now: datetime) -> None:
    p = PointsEntryP.model_validate(h.payload)
    if s.get(LedgerEntry, p.entry_id) is not None:
        return
    member = resolve_member(s, h.member_id)
    member_id = member.id if member is not None else h.member_id
    # As push does for an adjustment it applies at once: the program in force then, in the
    # store's zone (server/program.py), unless the till named the expiry.
    program = Programs.load(s).at(p.at)
    expires = (p.expires_at or program.expires_at(p.at, store_zone(s, h.store_id))) if p.points > 0 else None
    note = f"compensation:{p.ticket_id}" if KINDS[h.type] == "compensate" else p.note
    entry = LedgerEntry(
        id=p.entry_id,
        member_id=member_id,
        kind=KINDS[h.type],
        points=p.points,
        at=p.at,
        expires_at=expires,
        sale_id=None,
        refund_id=None,
        note=(note or "")[:200],
        terminal_id=h.terminal_id,
        event_id=h.event_id,
    )
    s.add(entry)
    ledger_added(s, entry, now)


def put_staff(
    s: Session, staff_id: uuid.UUID, store_id: str, role: str, name: str, active: bool, now: datetime
) -> StoreStaff:
    row = s.get(StoreStaff, (staff_id, store_id))
    if row is None:
        row = StoreStaff(staff_id=staff_id, store_id=store_id, added_at=now)
        s.add(row)
    row.role, row.name, row.active = role, name, active
    s.flush()
    return row
