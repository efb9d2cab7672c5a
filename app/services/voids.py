"""Voiding lines or a whole cart before payment: nothing is sold, but a supervisor approves and
the audit log keeps who voided what (loss prevention)."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.ids import StaffId, new_id
from app.domain.staff import Action
from app.services.audit import append_audit
from app.services.checkout import CartLine
from app.services.context import TillContext
from app.services.errors import Invalid
from app.services.outbox import record_event
from app.services.staff import require_approval


@dataclass(frozen=True, slots=True)
class VoidLines:
    cashier_id: StaffId
    lines: tuple[CartLine, ...]  # the lines taken off the cart (all of them for a whole cart)
    whole_cart: bool
    approver_id: StaffId | None
    approver_pin: str | None
    reason: str = ""


def void_lines(ctx: TillContext, cmd: VoidLines) -> str:
    """Record an approved void; returns the void's id. Raises Refused without approval."""
    if not cmd.lines:
        raise Invalid("Nothing to void.", code="empty_void")
    approver = require_approval(ctx, cmd.cashier_id, cmd.approver_id, cmd.approver_pin, Action.VOID)
    now = ctx.now()
    void_id = str(new_id())
    details = {
        "whole_cart": cmd.whole_cart,
        "lines": [{"sku": ln.sku, "qty": ln.qty} for ln in cmd.lines],
        "reason": cmd.reason,
    }
    with ctx.uow() as uow:
        append_audit(uow.session, ctx, cmd.cashier_id, approver, "cart.void", void_id, details, now)
        record_event(uow.session, ctx.terminal_id, "cart.voided",
                     {"void_id": void_id, "at": now.isoformat(), "cashier_id": str(cmd.cashier_id),
                      "approver_id": str(approver), **details}, now)
        uow.commit()
    return void_id
