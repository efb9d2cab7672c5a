"""`refund.completed`: the refund (within what remains of the sale, `refund_rules.py`), the
points it takes back or gives back, the coupons it returns, and the member's tier after it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.events import RefundCompletedP
from server.models import Coupon, LedgerEntry, Member, Refund
from server.pull import coupon_changed, member_changed
from server.push.context import (
    Batch,
    add_entry,
    add_spend,
    balance,
    derived_id,
    record_conflict,
    spend,
)
from server.push.refund_rules import check_refund
from server.push.rules import member_or_stub
from sync.protocol import WireEvent


def refund_completed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = RefundCompletedP.model_validate(ev.payload)
    b.s.flush()
    s = b.s
    if s.get(Refund, p.refund_id) is not None:
        return {"refund_id": str(p.refund_id), "already_recorded": True}
    sale, left = check_refund(b, p, ev.payload)
    member = member_or_stub(b, sale.member_id) if sale.member_id is not None else None
    reversed_, given_back = min(p.points_reversed, max(left.points_earned, 0)), 0
    if member is not None:
        given_back = min(p.points_given_back, max(left.points_redeemed, 0))
    spend_before = spend(b, member.id, p.at) if member is not None else 0
    s.add(
        Refund(
            id=p.refund_id,
            sale_id=p.sale_id,
            terminal_id=b.terminal.id,
            member_id=member.id if member else None,
            at=p.at,
            money=p.money,
            points_reversed=reversed_,
            points_given_back=given_back,
            full=p.full,
            reason=p.reason,
            reason_note=p.reason_note,
            details=ev.payload,
            event_id=ev.id,
        )
    )
    result: dict[str, Any] = {"refund_id": str(p.refund_id), "sale_known": True}
    if member is not None:
        _post_points(b, ev, p, member, reversed_, given_back)
        _retier(b, member, spend_before - p.money, p)
        result.update(member_id=str(member.id), points_balance=balance(b, member.id))
        if (reversed_, given_back) != (p.points_reversed, p.points_given_back):
            result["conflicts"] = [
                record_conflict(
                    b,
                    "refund_points_held",
                    {
                        "claimed_reversed": p.points_reversed,
                        "reversed": reversed_,
                        "claimed_given_back": p.points_given_back,
                        "given_back": given_back,
                    },
                    member_id=member.id,
                    sale_id=sale.id,
                )
            ]
    result["coupons_returned"] = _return_coupons(b, p)
    return result


def _post_points(
    b: Batch, ev: WireEvent, p: RefundCompletedP, member: Member, reversed_: int, given_back: int
) -> None:
    if reversed_:
        add_entry(
            b,
            LedgerEntry(
                id=derived_id("reverse", p.refund_id),
                member_id=member.id,
                kind="reverse",
                points=-reversed_,
                at=p.at,
                expires_at=None,
                sale_id=p.sale_id,
                refund_id=p.refund_id,
                note="refund",
                terminal_id=b.terminal.id,
                event_id=ev.id,
            ),
        )
    if given_back:
        add_entry(
            b,
            LedgerEntry(
                id=derived_id("give_back", p.refund_id),
                member_id=member.id,
                kind="reverse",
                points=given_back,
                at=p.at,
                expires_at=b.programs.at(p.at).expires_at(p.at, b.tz),
                sale_id=p.sale_id,
                refund_id=p.refund_id,
                note="refund",
                terminal_id=b.terminal.id,
                event_id=ev.id,
            ),
        )


def _retier(b: Batch, member: Member, spend_now: int, p: RefundCompletedP) -> None:
    add_spend(b, member.id, p.at, -p.money)
    tier = str(b.programs.at(p.at).tier_for_spend(spend_now))
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
