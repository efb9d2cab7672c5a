"""What a till may do to points by hand (DOMAIN.md, "Trust"): adjustments and compensations
within the limits the program sets per role and per terminal per day, approved by someone HQ
knows as staff of that store; compensations only for a ticket that asks for them. Above the
limits an event is held for HQ's approval (`held_events`, server/routes/approvals.py), not
applied."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Final

from sqlalchemy import func, select

from app.domain.events import PointsEntryP
from app.domain.ids import new_id
from server.models import Coupon, Event, LedgerEntry, Member
from server.push.context import Batch, Rejected
from server.push.models import HeldEvent, StoreStaff
from sync.protocol import WireEvent


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def approver_role(b: Batch, approver_id: str | None) -> str | None:
    """The role HQ knows the approver by at this store, or None."""
    sid = _uuid(approver_id)
    if sid is None:
        return None
    row = b.s.get(StoreStaff, (sid, b.store_id))
    return row.role if row is not None and row.active else None


def _day_start(b: Batch) -> datetime:
    local = b.now.astimezone(b.tz)  # the store's day
    return datetime.combine(local.date(), time(0), tzinfo=b.tz)


def day_totals(b: Batch, kind: str) -> list[int]:
    """[count, points] of this terminal's `kind` entries received today (store's day), kept up
    to date through the batch."""
    if kind not in b.day_totals:
        b.s.flush()
        count, points = b.s.execute(
            select(func.count(), func.coalesce(func.sum(func.abs(LedgerEntry.points)), 0))
            .select_from(LedgerEntry)
            .join(Event, Event.id == LedgerEntry.event_id)
            .where(
                LedgerEntry.terminal_id == b.terminal.id,
                LedgerEntry.kind == kind,
                Event.received_at >= _day_start(b),
            )
        ).one()
        b.day_totals[kind] = [int(count), int(points)]
    return b.day_totals[kind]


HOLD_REASONS: Final = ("approver_unknown", "above_role_limit", "above_terminal_day_limit")
"""Why an adjustment or compensation waits for HQ (`held_events.reason`; the console words each)."""


def hold_reason(b: Batch, kind: str, p: PointsEntryP) -> str | None:
    """Why this adjustment or compensation waits for HQ, or None when it is within limits."""
    limits = b.trust.adjustments if kind == "adjust" else b.trust.compensations
    role = approver_role(b, p.approver_id)
    if role is None and kind == "adjust":
        return "approver_unknown"
    per_event = limits.per_event_for(role or "cashier")
    if abs(p.points) > per_event:
        return "above_role_limit"
    count, points = day_totals(b, kind)
    if count + 1 > limits.per_terminal_day_count or points + abs(p.points) > limits.per_terminal_day_points:
        return "above_terminal_day_limit"
    return None


def count_applied(b: Batch, kind: str, points: int) -> None:
    totals = day_totals(b, kind)
    totals[0] += 1
    totals[1] += abs(points)


def hold(b: Batch, ev: WireEvent, p: PointsEntryP, member: Member, reason: str) -> dict[str, object]:
    held = HeldEvent(
        id=new_id(),
        event_id=ev.id,
        terminal_id=b.terminal.id,
        store_id=b.store_id,
        type=ev.type,
        member_id=member.id,
        points=p.points,
        reason=reason,
        payload=ev.payload,
        held_at=b.now,
        status="held",
        decided_at=None,
        decided_by=None,
        note="",
    )
    b.s.add(held)
    return {
        "entry_id": str(p.entry_id),
        "member_id": str(member.id),
        "held_for_approval": str(held.id),
        "reason": reason,
    }


def check_ticket(b: Batch, ticket_ref: str | None, member: Member, coupon: bool = False) -> None:
    """A compensation names a ticket of this store for this member that is not closed and not
    compensated yet (by HQ or by a till); else it is refused."""
    tid = _uuid(ticket_ref)
    if tid is None:
        raise Rejected("compensation_without_ticket")
    try:
        from server.feedback.models import Feedback, Ticket
    except ModuleNotFoundError:
        raise Rejected("compensation_without_ticket") from None
    row = b.s.execute(
        select(Ticket, Feedback.member_id)
        .join(Feedback, Feedback.id == Ticket.feedback_id)
        .where(Ticket.id == tid)
    ).first()
    if row is None:
        raise Rejected("compensation_without_ticket")
    ticket, ticket_member = row
    if ticket.store_id != b.store_id or ticket_member is None:
        raise Rejected("compensation_ticket_not_this_stores")
    if ticket.status == "closed" or ticket.compensation is not None:
        raise Rejected("compensation_ticket_closed")
    from server.push.context import resolve_member

    owner = resolve_member(b.s, ticket_member)
    if owner is None or owner.id != member.id:
        raise Rejected("compensation_ticket_of_another_member")
    note = f"compensation:{tid}"
    given = (
        select(Coupon.id).where(Coupon.issued_reason == note)
        if coupon
        else select(LedgerEntry.id).where(LedgerEntry.note == note)
    )
    if b.s.execute(given.limit(1)).first():
        raise Rejected("compensation_already_given")
