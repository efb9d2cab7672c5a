"""Voiding lines or a whole cart before payment: nothing is sold, and the audit log keeps who
voided what (loss prevention). A supervisor approves, except what `[checkout]` in till.toml
lets a cashier do alone: a whole sale up to an amount and a number of lines, a line scanned
a few seconds ago (a scan made by mistake)."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import CheckoutConfig
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
    total: int = 0  # fen: what the voided lines came to (a whole cart's total due)
    scanned_ago_s: float | None = None  # a single line: seconds since it was scanned


def approval_needed(rules: CheckoutConfig, cmd: VoidLines) -> bool:
    """Whether a supervisor must approve this void."""
    if cmd.whole_cart:
        return cmd.total > rules.void_alone_up_to_fen or len(cmd.lines) > rules.void_alone_up_to_lines
    ago = cmd.scanned_ago_s
    return ago is None or ago < 0 or ago > rules.remove_alone_within_s or len(cmd.lines) != 1


def void_lines(ctx: TillContext, cmd: VoidLines) -> str:
    """Record a void; returns the void's id. Raises Refused when it needs an approval that
    is missing or wrong (:func:`approval_needed`); an approval given anyway is checked."""
    if not cmd.lines:
        raise Invalid("Nothing to void.", code="empty_void")
    approver = None
    if approval_needed(ctx.config.checkout, cmd) or cmd.approver_id is not None:
        approver = require_approval(ctx, cmd.cashier_id, cmd.approver_id, cmd.approver_pin, Action.VOID)
    now = ctx.now()
    void_id = str(new_id())
    details = {
        "whole_cart": cmd.whole_cart,
        "lines": [{"sku": ln.sku, "qty": ln.qty} for ln in cmd.lines],
        "reason": cmd.reason,
        "total": cmd.total,
    }
    with ctx.uow() as uow:
        append_audit(uow.session, ctx, cmd.cashier_id, approver, "cart.void", void_id, details, now)
        record_event(
            uow.session,
            ctx.terminal_id,
            "cart.voided",
            {
                "void_id": void_id,
                "at": now.isoformat(),
                "cashier_id": str(cmd.cashier_id),
                "approver_id": str(approver) if approver else None,
                **details,
            },
            now,
        )
        uow.commit()
    return void_id
