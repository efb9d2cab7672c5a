"""`coupon.issued`: a coupon the till issued (campaigns, birthday, wake-up)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.events import CouponIssuedP
from server.models import Coupon
from server.pull import coupon_changed
from server.push.context import Batch, Rejected
from server.push.rules import member_or_stub
from sync.protocol import WireEvent


def coupon_issued(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = CouponIssuedP.model_validate(ev.payload)
    b.s.flush()
    s = b.s
    if p.valid_to < p.valid_from:
        raise Rejected("coupon_validity_reversed")
    existing = s.execute(select(Coupon).where(Coupon.code == p.code)).scalar_one_or_none()
    if existing is not None:
        if existing.id == p.coupon_id:
            return {"coupon_id": str(p.coupon_id), "already_recorded": True}
        raise Rejected("coupon_code_taken")
    if s.get(Coupon, p.coupon_id) is not None:
        raise Rejected("coupon_id_taken")
    member_id = member_or_stub(b, p.member_id).id if p.member_id is not None else None
    coupon = Coupon(
        id=p.coupon_id, code=p.code, name=p.reason.split(":")[0].title() if p.reason else "", kind=p.kind,
        amount=p.amount, percent=p.percent, cap=p.cap, threshold=p.threshold, multiplier=p.multiplier,
        gift_sku=None, categories=list(p.categories), skus=[], stackable=False,
        member_only=member_id is not None, member_id=member_id,
        store_id=None if member_id is not None else b.store_id, valid_from=p.valid_from,
        valid_to=p.valid_to, status="issued", issued_reason=p.reason, issued_at=b.now,
        redeemed_sale_id=None, terminal_id=b.terminal.id)
    s.add(coupon)
    s.flush()
    coupon_changed(s, coupon, b.now, origin=b.terminal.id)
    return {"coupon_id": str(p.coupon_id), "member_id": str(member_id) if member_id else None}
