"""Redeeming points and coupons while the server cannot be reached (DOMAIN.md, offline first).

Redeeming offline is allowed only for members cached at this till, and only up to the last
balance the server confirmed minus what this till has redeemed since (its unsent
redemptions). Points earned offline become redeemable once the server has them. Coupons may
be redeemed offline only when the till holds them (issued to this store or to its cached
members); another till could redeem any other coupon at the same moment.

The checkout applies these when `TillContext.offline()`; the other offline rules (sales,
registration, refunds, adjustments) are checked by `TillContext.require_allowed_offline`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.ids import MemberId
from app.services.context import TillContext
from app.services.members import effective_entries, ledger_entries, resolve_member
from app.store import orm


@dataclass(frozen=True)
class RedeemCap:
    last_known_balance: int  # the balance as far as the server has confirmed it
    redeemed_since: int  # points this till redeemed in sales the server has not had yet
    cap: int  # points that may be redeemed offline now (whole redeem steps)
    allowed: bool = True  # False: the offline rules allow no redemption at all


def _unsent_refs(s: Session, member_ids: list[str]) -> tuple[set[uuid.UUID], set[uuid.UUID], set[uuid.UUID]]:
    """Sale, refund and ledger-entry ids named by this member's unsent outbox events."""
    sales: set[uuid.UUID] = set()
    refunds: set[uuid.UUID] = set()
    entries: set[uuid.UUID] = set()
    rows = s.execute(
        select(orm.OutboxEvent.payload).where(
            orm.OutboxEvent.sent_at.is_(None),
            literal_column(orm.OUTBOX_MEMBER_ID).in_(member_ids),  # ix_outbox_unsent_member
        )
    ).scalars()
    for payload in rows:
        for key, into in (("sale_id", sales), ("refund_id", refunds), ("entry_id", entries)):
            value = payload.get(key) if isinstance(payload, dict) else None
            if value:
                with contextlib.suppress(ValueError):
                    into.add(uuid.UUID(str(value)))
    return sales, refunds, entries


def redeem_cap(
    ctx: TillContext, s: Session, member_id: MemberId, entries: Sequence[ledger.LedgerEntry], now: datetime
) -> RedeemCap:
    """The offline cap for a resolved member whose ledger `entries` are already read."""
    if not ctx.offline_rules.redeem_points_cached:
        return RedeemCap(0, 0, 0, allowed=False)
    step = ctx.program_at(now).redemption.step
    ids = [
        str(member_id),
        *(
            str(a)
            for a in s.execute(
                select(orm.MemberAlias.alias_id).where(orm.MemberAlias.member_id == member_id)
            ).scalars()
        ),
    ]
    sales, refunds, entry_ids = _unsent_refs(s, ids)

    def unsent(e: ledger.LedgerEntry) -> bool:
        return e.id in entry_ids or (e.sale_id in sales) or (e.refund_id in refunds)

    confirmed = [e for e in entries if not unsent(e)]
    last_known = ledger.balance(effective_entries(confirmed, member_id, now))
    redeemed = -sum(e.points for e in entries if unsent(e) and e.kind == ledger.EntryKind.REDEEM)
    current = ledger.balance(effective_entries(list(entries), member_id, now))
    cap = max(0, min(last_known - redeemed, current))
    return RedeemCap(last_known, redeemed, cap - cap % step)


def offline_redeem_cap(ctx: TillContext, member_id: MemberId) -> RedeemCap:
    """How many points a cached member may redeem while the server cannot be reached."""
    now = ctx.now()
    with ctx.uow(write=False) as uow:
        s = uow.session
        row = resolve_member(s, member_id)
        if row is None:
            return RedeemCap(0, 0, 0)
        mid = MemberId(row.id)
        return redeem_cap(ctx, s, mid, ledger_entries(s, mid), now)


def coupon_usable_offline(ctx: TillContext, code: str) -> bool:
    """True when the till holds this coupon unredeemed (issued to this store or to one of its
    cached members); any other coupon needs the server to rule out a second redemption."""
    with ctx.uow(write=False) as uow:
        status = uow.session.execute(
            select(orm.Coupon.status).where(orm.Coupon.code == code.strip())
        ).scalar_one_or_none()
    return status == "issued"
