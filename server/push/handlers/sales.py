"""`sale.completed`: the sale as the till recorded it, the points the server can justify
(redeemed as claimed; earned priced again, `pricing.py`), its coupons, and the member's tier
and last purchase."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.events import SaleCompletedP
from app.pricing.model import CouponSpec
from app.pricing.rows import coupon_spec
from server.models import Coupon, LedgerEntry, Member, Sale
from server.pull import member_changed
from server.push.context import (
    Batch,
    Rejected,
    add_entry,
    add_spend,
    balance,
    derived_id,
    see_member,
    spend,
)
from server.push.manual_prices import manual_price_conflicts
from server.push.pricing import points_figure
from server.push.rules import flag_overdraft, may_spread, member_or_stub, points_mismatch, redeem_coupon
from server.push.touch import purchase_changes
from sync.protocol import WireEvent


def sale_completed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = SaleCompletedP.model_validate(ev.payload)
    if p.terminal_id != b.terminal.id:
        raise Rejected("sale_from_another_terminal")
    if p.sale_id in b.sales:
        return {"sale_id": str(p.sale_id), "already_recorded": True}
    b.sales.add(p.sale_id)
    member = member_or_stub(b, p.member_id) if p.member_id is not None else None
    spend_before = spend(b, member.id, p.at) if member is not None else 0
    conflicts, honoured = _redeem_coupons(b, p, member)
    conflicts += manual_price_conflicts(b, p)
    earned = 0
    if member is not None:
        fig = points_figure(b, p, member, honoured, spend_before)
        earned = fig.posted
        found = points_mismatch(b, p, member, fig)
        mismatch = [found] if found else []
    _record_sale(b, ev, p, member, earned, flagged=bool(conflicts))
    result: dict[str, Any] = {"sale_id": str(p.sale_id)}
    if member is not None:
        over = _post_points(b, ev, p, member, earned)
        conflicts += ([over] if over else []) + mismatch
        tier = _after_purchase(b, p, member, spend_before + p.total_due)
        result.update(
            member_id=str(member.id), points_balance=balance(b, member.id), tier=tier, points_earned=earned
        )
    if conflicts:
        result["conflicts"] = conflicts
    return result


def _redeem_coupons(
    b: Batch, p: SaleCompletedP, member: Member | None
) -> tuple[list[dict[str, Any]], list[CouponSpec]]:
    """The conflicts the sale's coupons raise, and the coupons the server honours (in the
    order the till applied them) for pricing the sale again."""
    codes = sorted({c.code for c in p.coupons})
    if not codes:
        return [], []
    b.s.flush()
    rows = {
        c.code: c
        for c in b.s.execute(
            select(Coupon).where(Coupon.code.in_(codes)).order_by(Coupon.code).with_for_update()
        ).scalars()
    }
    conflicts, honoured = [], []
    for c in p.coupons:
        row = rows.get(c.code)
        found = redeem_coupon(b, row, c.code, c.discount, p.sale_id, member.id if member else None)
        if found is not None:
            conflicts.append(found)
        elif row is not None:
            honoured.append(coupon_spec(row))
    return conflicts, honoured


def _record_sale(
    b: Batch, ev: WireEvent, p: SaleCompletedP, member: Member | None, earned: int, flagged: bool
) -> None:
    b.s.add(
        Sale(
            id=p.sale_id,
            receipt_no=p.receipt_no,
            store_id=b.store_id,
            terminal_id=b.terminal.id,
            cashier_id=p.cashier_id,
            member_id=member.id if member else None,
            at=p.at,
            subtotal=p.subtotal,
            member_savings=p.member_savings,
            coupon_discount=p.coupon_discount,
            points_redeemed=p.points_redeemed,
            points_value=p.points_value,
            total_due=p.total_due,
            points_earned=earned,
            paid=p.paid,
            change_due=p.change_due,
            feedback_token=p.feedback_token,
            lines=p.lines,
            payments=p.payments,
            coupons=[c.model_dump() for c in p.coupons],
            flagged=flagged,
            event_id=ev.id,
            program_version=p.program_version,
        )
    )
    # A customer may have answered the receipt's feedback QR before the sale arrived: join it.
    # (Which sales have an answer waiting is read once per batch; a sale without one costs nothing.)
    if p.sale_id in b.answered:
        from server.feedback.service import link_sale

        b.s.flush()
        joined = link_sale(b.s, p.sale_id, member.id if member else None, b.now, terminal_id=b.terminal.id)
        if joined and member is not None:
            # Joining may have earned the answer's points (a ledger entry written by the
            # feedback core, not through `add_entry`): the balance the batch read before is
            # stale; the next `balance` reads the ledger again.
            b.balance.pop(member.id, None)


def _post_points(
    b: Batch, ev: WireEvent, p: SaleCompletedP, member: Member, earned: int
) -> dict[str, Any] | None:
    """The sale's ledger entries; the overdraft conflict when redeeming took the balance below 0."""
    if p.points_redeemed:
        add_entry(
            b,
            LedgerEntry(
                id=derived_id("redeem", p.sale_id),
                member_id=member.id,
                kind="redeem",
                points=-p.points_redeemed,
                at=p.at,
                expires_at=None,
                sale_id=p.sale_id,
                refund_id=None,
                note="",
                terminal_id=b.terminal.id,
                event_id=ev.id,
            ),
        )
    if earned:
        add_entry(
            b,
            LedgerEntry(
                id=derived_id("earn", p.sale_id),
                member_id=member.id,
                kind="earn",
                points=earned,
                at=p.at,
                expires_at=b.programs.for_sale(p.program_version, p.at).expires_at(p.at, b.tz),
                sale_id=p.sale_id,
                refund_id=None,
                note="",
                terminal_id=b.terminal.id,
                event_id=ev.id,
            ),
        )
    return flag_overdraft(b, member, p.sale_id) if p.points_redeemed else None


def _after_purchase(b: Batch, p: SaleCompletedP, member: Member, spend_now: int) -> str:
    """The member's 12-month spend, tier and last purchase after the sale; returns the tier."""
    add_spend(b, member.id, p.at, p.total_due)
    tier = str(b.programs.for_sale(p.program_version, p.at).tier_for_spend(spend_now))
    if may_spread(b, member, p):
        see_member(b, member.id, b.store_id)
    if not purchase_changes(member, tier, p.at):
        return tier
    if member.id in b.shared:
        b.touch.add(member.id)  # written after the commit (the row is only held FOR SHARE)
        return tier
    if member.last_purchase_at is None or member.last_purchase_at < p.at:
        member.last_purchase_at = p.at
    member.tier = tier
    member.updated_at = b.now
    member_changed(b.s, member, b.now, origin=b.terminal.id)
    return tier
