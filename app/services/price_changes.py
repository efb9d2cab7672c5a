"""A supervisor approves a manual discount or price override of one cart line, at the
counter, before the sale is paid (DOMAIN.md: supervisors approve price overrides).

The approval is an entry in the audit log (action ``line.price_change``, its subject the
approval's id) written when the supervisor types their PIN; completing the sale looks that
entry up (`app.services.checkout.check_approvals`) instead of asking for the PIN again, and
refuses an approval that is not this cashier's, names another line or change, or was used by
a sale already.
How far a role may lower a price is the program's (`app.pricing.manual`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.domain.ids import StaffId, new_id
from app.domain.staff import Action, Role
from app.pricing.manual import (
    ApprovedChange,
    ManualChange,
    changed_unit_price,
    limit_refusal,
    refusal,
)
from app.services.audit import append_audit
from app.services.checkout import PRICE_CHANGE_AUDIT
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.quote import PRODUCTS_BY_SKU, CartLine, basket_line
from app.services.staff import require_approval
from app.store import orm


@dataclass(frozen=True, slots=True)
class ApprovePriceChange:
    cashier_id: StaffId
    approver_id: StaffId | None
    approver_pin: str | None
    line: CartLine  # as it is in the cart (sku, quantity, weight)
    change: ManualChange
    member: bool  # a member is identified: the change starts from the member price


def approve_price_change(ctx: TillContext, cmd: ApprovePriceChange) -> ApprovedChange:
    """Check the change, the supervisor's PIN and the limit of the supervisor's role, and
    record the approval. Raises Invalid (not a change: ``bad_value``, ``no_reason``),
    Refused (``above_limit``, ``approval_required``, ``cannot_approve``, a wrong PIN),
    NotFound (an unknown barcode or supervisor)."""
    bad = refusal(cmd.change)
    if bad is not None:
        raise Invalid(
            "Give a reason, and a discount from 1 to 100 percent or a price of at least 0.", code=bad
        )
    approver = require_approval(ctx, cmd.cashier_id, cmd.approver_id, cmd.approver_pin, Action.PRICE_OVERRIDE)
    now = ctx.now()
    limits = ctx.program_at(now).trust.manual_prices
    with ctx.uow() as uow:
        s = uow.session
        product = s.execute(PRODUCTS_BY_SKU, {"skus": [cmd.line.sku]}).first()
        if product is None or not product.active:
            raise NotFound(f"Unknown barcode {cmd.line.sku}.", code="unknown_sku")
        plain = replace(cmd.line, manual=None, price_override=None)
        basket, detail = basket_line(plain, product, cmd.member)
        before = basket.unit_price
        if cmd.member and basket.member_price is not None:
            before = min(before, basket.member_price)
        after = changed_unit_price(before, cmd.change)
        role = s.get_one(orm.Staff, approver).role
        if limit_refusal(detail.list_unit, after, role, limits) is not None:
            most = limits.max_percent_for(role)
            raise Refused(
                f"A {Role(role).value} may approve at most {most}% below the list price.", code="above_limit"
            )
        approval_id = new_id()
        append_audit(
            s,
            ctx,
            cmd.cashier_id,
            approver,
            PRICE_CHANGE_AUDIT,
            str(approval_id),
            {
                "sku": cmd.line.sku,
                "kind": cmd.change.kind,
                "value": cmd.change.value,
                "reason": cmd.change.reason,
                "list_unit": detail.list_unit,
                "before": before,
                "after": after,
                "role": role,
            },
            now,
        )
        uow.commit()
    return ApprovedChange(cmd.change, approval_id, approver)
