"""Translation between storage rows and domain objects."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, cast

from app.domain.ids import EntryId, MemberId, RefundId, SaleId
from app.domain.points import EntryKind
from app.domain.points import LedgerEntry as DomainEntry
from app.pricing.model import CouponKind, CouponSpec, Promotion, PromotionKind
from app.store import orm


def ledger_entry(row: Any) -> DomainEntry:
    """From a mapped `orm.LedgerEntry` or a plain row of the same columns."""
    return DomainEntry(
        id=EntryId(row.id),
        member_id=MemberId(row.member_id),
        kind=EntryKind(row.kind),
        points=row.points,
        at=row.at,
        expires_at=row.expires_at,
        sale_id=SaleId(row.sale_id) if row.sale_id else None,
        refund_id=RefundId(row.refund_id) if row.refund_id else None,
        note=row.note,
    )


def ledger_row(entry: DomainEntry) -> orm.LedgerEntry:
    return orm.LedgerEntry(
        id=entry.id,
        member_id=entry.member_id,
        kind=str(entry.kind),
        points=entry.points,
        at=entry.at,
        expires_at=entry.expires_at,
        sale_id=entry.sale_id,
        refund_id=entry.refund_id,
        note=entry.note,
    )


def promotion(row: orm.Promotion) -> Promotion:
    return Promotion(
        id=row.id,
        kind=cast(PromotionKind, row.kind),
        multiplier=Fraction(row.multiplier),
        categories=tuple(row.categories),
        skus=tuple(row.skus),
        starts=row.starts,
        ends=row.ends,
    )


def coupon_spec(row: orm.Coupon) -> CouponSpec:
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
