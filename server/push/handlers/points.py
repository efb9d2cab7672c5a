"""`points.adjusted`, `points.expired`, `points.compensated`: one ledger entry each. By hand
(adjusted, compensated) only within the program's limits (`points_rules.py`): above them the
event is held for HQ's approval; a compensation needs a ticket that asks for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.events import PointsEntryP
from server.models import LedgerEntry, Member
from server.push.context import Batch, Rejected, add_entry, balance
from server.push.points_rules import check_ticket, count_applied, hold, hold_reason
from server.push.rules import expirable_points, flag_overdraft, member_or_stub
from sync.protocol import WireEvent


def _check_sign(kind: str, points: int) -> None:
    if points == 0:
        raise Rejected("zero_points")
    if kind == "compensate" and points < 0:
        raise Rejected("negative_compensation")
    if kind == "expire" and points > 0:
        raise Rejected("positive_expiry")


def points_entry(kind: str) -> Callable[[Batch, WireEvent], dict[str, Any]]:
    """The handler for a points event whose ledger entry is of `kind`."""

    def apply(b: Batch, ev: WireEvent) -> dict[str, Any]:
        p = PointsEntryP.model_validate(ev.payload)
        s = b.s
        s.flush()
        _check_sign(kind, p.points)
        if s.get(LedgerEntry, p.entry_id) is not None:
            return {"entry_id": str(p.entry_id), "already_recorded": True}
        member = member_or_stub(b, p.member_id)
        if kind == "compensate":
            check_ticket(b, p.ticket_id, member)
        if kind != "expire":
            reason = hold_reason(b, kind, p)
            if reason is not None:
                return hold(b, ev, p, member, reason)
            count_applied(b, kind, p.points)
        points = expirable_points(b, member.id, p.points, p.at) if kind == "expire" else p.points
        if points == 0:
            return {
                "entry_id": str(p.entry_id),
                "member_id": str(member.id),
                "expired": 0,
                "points_balance": balance(b, member.id),
            }
        return _post(b, ev, p, kind, member, points)

    return apply


def _post(b: Batch, ev: WireEvent, p: PointsEntryP, kind: str, member: Member, points: int) -> dict[str, Any]:
    member_id = member.id
    expires = (p.expires_at or b.programs.at(p.at).expires_at(p.at, b.tz)) if points > 0 else None
    note = p.note or (f"compensation:{p.ticket_id}" if p.ticket_id else "")
    if kind == "compensate":
        note = f"compensation:{p.ticket_id}"  # one per ticket (points_rules.check_ticket)
    add_entry(
        b,
        LedgerEntry(
            id=p.entry_id,
            member_id=member_id,
            kind=kind,
            points=points,
            at=p.at,
            expires_at=expires,
            sale_id=None,
            refund_id=None,
            note=note[:200],
            terminal_id=b.terminal.id,
            event_id=ev.id,
        ),
    )
    result: dict[str, Any] = {
        "entry_id": str(p.entry_id),
        "member_id": str(member_id),
        "points": points,
        "points_balance": balance(b, member_id),
    }
    if points < 0 and kind != "expire":
        over = flag_overdraft(b, member, None)
        if over:
            result["conflicts"] = [over]
    return result
