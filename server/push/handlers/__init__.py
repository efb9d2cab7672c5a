"""One handler per event type a till pushes (`sync.protocol.EVENT_TYPES`). A handler reads its
payload with the event's model (`app.domain.events`), applies it inside the batch's
transaction, and returns the event's result, or raises `Rejected` with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.push.context import Batch
from server.push.handlers.coupons import coupon_issued
from server.push.handlers.gifts import gift_redeemed, gift_reversed
from server.push.handlers.members import member_registered
from server.push.handlers.points import points_entry
from server.push.handlers.records import shift_closed, voided
from server.push.handlers.refunds import refund_completed
from server.push.handlers.sales import sale_completed
from sync.protocol import EVENT_TYPES, WireEvent

Handler = Callable[[Batch, WireEvent], dict[str, Any]]

HANDLERS: dict[str, Handler] = {
    "member.registered": member_registered,
    "sale.completed": sale_completed,
    "refund.completed": refund_completed,
    "points.adjusted": points_entry("adjust"),
    "points.expired": points_entry("expire"),
    "points.compensated": points_entry("compensate"),
    "coupon.issued": coupon_issued,
    "cart.voided": voided,
    "shift.closed": shift_closed,
    "gift.redeemed": gift_redeemed,
    "gift.reversed": gift_reversed,
}
assert set(HANDLERS) == set(EVENT_TYPES)
