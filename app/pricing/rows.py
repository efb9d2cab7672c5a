"""Stored coupons and promotions as the pricing engine takes them. Till (app/store) and server
(server/push) keep them in tables of the same columns; both convert them here."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Protocol, cast

from app.pricing.model import CouponKind, CouponSpec, Promotion, PromotionKind


class PromotionRow(Protocol):
    id: str
    kind: str
    multiplier: str
    categories: list[str]
    skus: list[str]
    starts: datetime | None
    ends: datetime | None


class CouponRow(Protocol):
    code: str
    kind: str
    amount: int
    percent: str
    cap: int | None
    threshold: int
    categories: list[str]
    skus: list[str]
    stackable: bool
    member_only: bool
    valid_from: datetime
    valid_to: datetime
    gift_sku: str | None
    multiplier: str


def promotion(row: PromotionRow) -> Promotion:
    return Promotion(
        id=row.id,
        kind=cast(PromotionKind, row.kind),
        multiplier=Fraction(row.multiplier),
        categories=tuple(row.categories),
        skus=tuple(row.skus),
        starts=row.starts,
        ends=row.ends,
    )


def coupon_spec(row: CouponRow) -> CouponSpec:
    return CouponSpec(
        code=row.code,
        kind=cast(CouponKind, row.kind),
        amount=row.amount,
        percent=Fraction(row.percent),
        cap=row.cap,
        threshold=row.threshold,
        categories=tuple(row.categories),
        skus=tuple(row.skus),
        stackable=row.stackable,
        member_only=row.member_only,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        gift_sku=row.gift_sku,
        multiplier=Fraction(row.multiplier),
    )
