"""`refund.completed`: the refund, the points it takes back or gives back, the coupons it
returns, and the member's tier after it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain import points as ledger
from app.domain.clock import DEFAULT_TZ
from app.domain.events import RefundCompletedP
from app.domain.tiers import tier_for_spend
from server.models import Coupon, LedgerEntry, Member, Refund, Sale
from server.pull import coupon_changed, member_changed
from server.push.context import Batch, add_entry, balance, derived_id, spend
from server.push.rules import member_or_stub
from sync.protocol import WireEvent


def refund_completed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = RefundCompletedP.model_validate(ev.payload)
    b.s.flush()
    s = b.s
    if s.get(Refund, p.refund_id) is not None:
        return {"refund_id": str(p.refund_id), "already_recorded": True}
    sale = s.get(Sale, p.sale_id)
    member: Member | None = None
    member_ref = sale.member_id if sale is not None and sale.member_id else p.member_id
    spend_before = 0
    if member_ref is not None:
        member = member_or_stub(b, member_ref)
        spend_before = spend(b, member.id, p.at)
    s.add(Refund(id=p.refund_id, sale_id=p.sale_id, terminal_id=b.terminal.id,
                 member_id=member.id if member else None, at=p.at, money=p.money,
                 points_reversed=p.points_reversed, points_given_back=p.points_given_back, full=p.full,
                 details=ev.payload, event_id=ev.id))
    result: dict[str, Any] = {"refund_id": str(p.refund_id), "sale_known": sale is not None}
    if member is not None:
        _post_points(b, ev, p, member)
        _retier(b, member, spend_before - p.money)
        result.update(member_id=str(member.id), points_balance=balance(b, member.id))
    result["coupons_returned"] = _return_coupons(b, p)
    return result


def _post_points(b: Batch, ev: WireEvent, p: RefundCompletedP, member: Member) -> None:
    if p.points_reversed:
        add_entry(b, LedgerEntry(
            id=derived_id("reverse", p.refund_id), member_id=member.id, kind="reverse",
            points=-p.points_reversed, at=p.at, expires_at=None, sale_id=p.sale_id,
            refund_id=p.refund_id, note="refund", terminal_id=b.terminal.id, event_id=ev.id))
    if p.points_given_back:
        add_entry(b, LedgerEntry(
            id=derived_id("give_back", p.refund_id), member_id=member.id, kind="reverse",
            points=p.points_given_back, at=p.at, expires_at=ledger.expiry_for(p.at, DEFAULT_TZ),
            sale_id=p.sale_id, refund_id=p.refund_id, note="refund", terminal_id=b.terminal.id,
            event_id=ev.id))


def _retier(b: Batch, member: Member, spend_now: int) -> None:
    b.spend[member.id] = spend_now
    tier = str(tier_for_spend(max(spend_now, 0)))
    if member.tier != tier:
        member.tier = tier
        member.updated_at = b.now
        member_changed(b.s, member, b.now, origin=b.terminal.id)


def _return_coupons(b: Batch, p: RefundCompletedP) -> list[str]:
    """Coupons the refunded sale redeemed are issued again."""
    returned = []
    for code in sorted(set(p.coupons_returned)):
        row = b.s.execute(select(Coupon).where(Coupon.code == code).with_for_update()).scalar_one_or_none()
        if row is not None and row.redeemed_sale_id == p.sale_id:
            row.status = "issued"
            row.redeemed_sale_id = None
            coupon_changed(b.s, row, b.now, origin=b.terminal.id)
            returned.append(code)
    return returned
