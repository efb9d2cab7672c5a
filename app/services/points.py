"""Manual points adjustments (with a supervisor's approval) and writing due expiries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.domain import points as ledger
from app.domain.ids import MemberId, StaffId
from app.domain.staff import Action
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound
from app.services.members import effective_entries, ledger_entries, resolve_member
from app.services.outbox import record_event
from app.services.staff import require_approval
from app.store import orm
from app.store.convert import ledger_row


@dataclass(frozen=True, slots=True)
class AdjustPoints:
    member_id: MemberId
    points: int  # signed: positive adds, negative removes
    note: str
    staff_id: StaffId
    approver_id: StaffId | None
    approver_pin: str | None


def adjust_points(ctx: TillContext, cmd: AdjustPoints) -> int:
    """Add or remove points by hand. Needs a reason and a supervisor; returns the new balance."""
    if not cmd.note.strip():
        raise Invalid("Say why the points are adjusted.", code="note_required")
    if cmd.points == 0:
        raise Invalid("An adjustment cannot be zero points.", code="zero_points")
    ctx.require_allowed_offline("points_adjustments")
    approver = require_approval(ctx, cmd.staff_id, cmd.approver_id, cmd.approver_pin, Action.POINTS_ADJUST)
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        member = resolve_member(s, cmd.member_id)
        if member is None:
            raise NotFound("No such member.", code="no_member")
        member_id = MemberId(member.id)
        try:
            entry = ledger.adjust(
                member_id, cmd.points, now, cmd.note, expires_at=ctx.program_at(now).expires_at(now, ctx.tz)
            )
        except ValueError as exc:
            raise Invalid(str(exc), code="bad_adjustment") from exc
        s.add(ledger_row(entry))
        append_audit(
            s,
            ctx,
            cmd.staff_id,
            approver,
            "points.adjust",
            str(member_id),
            {"points": cmd.points, "entry_id": str(entry.id)},
            now,
        )
        record_event(
            s,
            ctx.terminal_id,
            "points.adjusted",
            {
                "entry_id": str(entry.id),
                "member_id": str(member_id),
                "points": cmd.points,
                "note": cmd.note,
                "at": now.isoformat(),
                "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
                "staff_id": str(cmd.staff_id),
                "approver_id": str(approver),
            },
            now,
        )
        s.flush()
        # The balance the member panel shows: expiries already due are counted.
        new_balance = ledger.balance(effective_entries(ledger_entries(s, member_id), member_id, now))
        uow.commit()
        return new_balance


def expire_due(ctx: TillContext) -> int:
    """Write the expiry entries now due for every member (a daily job); returns points expired."""
    now = ctx.now()
    total = 0
    with ctx.uow() as uow:
        s = uow.session
        member_ids = (
            s.execute(select(orm.LedgerEntry.member_id).where(orm.LedgerEntry.expires_at <= now).distinct())
            .scalars()
            .all()
        )
        for mid in member_ids:
            member_id = MemberId(mid)
            for due in ledger.due_expiries(ledger_entries(s, member_id), now, member_id):
                s.add(ledger_row(due))
                total += -due.points
                record_event(
                    s,
                    ctx.terminal_id,
                    "points.expired",
                    {
                        "entry_id": str(due.id),
                        "member_id": str(member_id),
                        "points": due.points,
                        "at": now.isoformat(),
                    },
                    now,
                )
        uow.commit()
    return total
