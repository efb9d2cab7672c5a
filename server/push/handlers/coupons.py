"""`coupon.issued`: a coupon the till issued (campaigns, birthday, wake-up, compensation),
only from a template HQ allows tills to issue and within its terms (the program's
`TillTrust.till_coupon_templates`); anything else is refused with the reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.events import CouponIssuedP
from server.models import Coupon
from server.pull import coupon_changed
from server.push.context import Batch, Rejected
from server.push.points_rules import check_ticket
from server.push.rules import member_or_stub
from sync.protocol import WireEvent


def _check_template(b: Batch, p: CouponIssuedP) -> None:
    template = b.trust.template_for(p.reason)
    if template is None:
        raise Rejected("coupon_template_not_allowed")
    if p.member_id is None:
        raise Rejected("coupon_template_not_allowed:bearer")
    days = (p.valid_to - p.valid_from).total_seconds() / 86400
    refusal = template.refusal(p.kind, p.amount, p.percent, p.cap, p.threshold, p.multiplier, days)
    if refusal is not None:
        raise Rejected(f"coupon_outside_template:{refusal}")


def coupon_issued(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = CouponIssuedP.model_validate(ev.payload)
    b.s.flush()
    s = b.s
    if p.valid_to < p.valid_from:
        raise Rejected("coupon_validity_reversed")
    _check_template(b, p)
    existing = s.execute(select(Coupon).where(Coupon.code == p.code)).scalar_one_or_none()
    if existing is not None:
        if existing.id == p.coupon_id:
            return {"coupon_id": str(p.coupon_id), "already_recorded": True}
        raise Rejected("coupon_code_taken")
    if s.get(Coupon, p.coupon_id) is not None:
        raise Rejected("coupon_id_taken")
    assert p.member_id is not None  # _check_template: tills issue member coupons only
    member = member_or_stub(b, p.member_id)
    if p.reason.startswith("compensation:"):
        check_ticket(b, p.reason.split(":", 1)[1], member, coupon=True)
    member_id = member.id
    coupon = Coupon(
        id=p.coupon_id,
        code=p.code,
        name=p.reason.split(":")[0].title() if p.reason else "",
        kind=p.kind,
        amount=p.amount,
        percent=p.percent,
        cap=p.cap,
        threshold=p.threshold,
        multiplier=p.multiplier,
        gift_sku=None,
        categories=list(p.categories),
        skus=[],
        stackable=False,
        member_only=member_id is not None,
        member_id=member_id,
        store_id=None if member_id is not None else b.store_id,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        status="issued",
        issued_reason=p.reason,
        issued_at=b.now,
        redeemed_sale_id=None,
        terminal_id=b.terminal.id,
    )
    s.add(coupon)
    s.flush()
    coupon_changed(s, coupon, b.now, origin=b.terminal.id)
    return {"coupon_id": str(p.coupon_id), "member_id": str(member_id) if member_id else None}
