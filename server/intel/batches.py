"""Bearer coupon batches HQ prints (any customer may use one, once): `count` coupons with
random codes (no 0/O/1/I, so a cashier can type one), for one store or every store; tills
learn them by pull (a store's change, or a global one)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.ids import new_id
from server.intel.campaigns import CouponTerms, plausible_time
from server.intel.models import IntelCouponBatch
from server.models import Coupon
from server.pull import coupon_changed

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_BATCH = 10_000


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, pattern=r"^[^\x00]+$")
    count: int = Field(ge=1, le=MAX_BATCH)
    store_id: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[^\x00]+$")
    coupon: CouponTerms
    valid_from: datetime
    valid_to: datetime

    _times = field_validator("valid_from", "valid_to")(plausible_time)


def _code(prefix: str) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(10))


def issue_batch(s: Session, batch_id: str, body: BatchIn) -> list[str]:
    """Writes the batch and its coupons; returns the codes. Raises ValueError for a batch id
    already used or a validity that ends before it starts."""
    if body.valid_to <= body.valid_from:
        raise ValueError("valid_to must be after valid_from")
    if s.get(IntelCouponBatch, batch_id) is not None:
        raise ValueError(f"batch {batch_id} exists already")
    now = datetime.now(UTC)
    t = body.coupon
    codes: set[str] = set()
    while len(codes) < body.count:
        codes.add(_code("B"))
    taken = set(s.execute(select(Coupon.code).where(Coupon.code.in_(codes))).scalars())
    while taken:  # 32^10 codes: a clash is all but impossible, but a code is unique
        codes -= taken
        fresh = {_code("B") for _ in taken}
        taken = set(s.execute(select(Coupon.code).where(Coupon.code.in_(fresh))).scalars())
        codes |= fresh - taken
    s.add(
        IntelCouponBatch(
            id=batch_id, name=body.name, store_id=body.store_id, count=body.count, created_at=now
        )
    )
    for code in sorted(codes):
        coupon = Coupon(
            id=uuid.UUID(str(new_id())),
            code=code,
            name=t.name or body.name,
            kind=t.kind,
            amount=t.amount,
            percent=t.percent,
            cap=t.cap,
            threshold=t.threshold,
            multiplier=t.multiplier,
            gift_sku=t.gift_sku,
            categories=list(t.categories),
            skus=list(t.skus),
            stackable=False,
            member_only=False,
            member_id=None,
            store_id=body.store_id,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            status="issued",
            issued_reason=f"batch:{batch_id}"[:64],
            issued_at=now,
            redeemed_sale_id=None,
            terminal_id=None,
        )
        s.add(coupon)
        s.flush()
        coupon_changed(s, coupon, now)
    return sorted(codes)
