"""Translation between storage rows and domain objects. (Coupons and promotions for the
pricing engine: `app.pricing.rows`, shared with the server; re-exported here.)"""

from __future__ import annotations

from typing import Any

from app.domain.ids import EntryId, MemberId, RefundId, SaleId
from app.domain.points import EntryKind
from app.domain.points import LedgerEntry as DomainEntry
from app.pricing.rows import coupon_spec, promotion
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


__all__ = ["coupon_spec", "ledger_entry", "ledger_row", "promotion"]
