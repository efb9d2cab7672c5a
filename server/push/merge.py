"""Merging two members (the same phone registered at two stores, `rules.registered_earlier`
decides which survives): the loser's ledger, coupons, sales and refunds move to the survivor,
its id stays as an alias, and every store that knows either of them is told."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from app.domain.merges import merged_card, merged_phone
from server.models import Conflict, Coupon, LedgerEntry, Member, MemberAlias, Refund, Sale
from server.pull import coupon_data, ledger_data, member_data, record_change
from server.push.context import Batch, see_member, stores_of


def merge(b: Batch, survivor: Member, loser: Member) -> None:
    s, now = b.s, b.now
    loser.merged_into = survivor.id
    loser.updated_at = now
    survivor.updated_at = now
    for table in (LedgerEntry, Coupon, Sale, Refund):
        s.execute(update(table).where(table.member_id == loser.id).values(member_id=survivor.id))
    s.execute(update(MemberAlias).where(MemberAlias.member_id == loser.id).values(member_id=survivor.id))
    s.add(MemberAlias(alias_id=loser.id, member_id=survivor.id, merged_at=now))
    s.add(
        Conflict(
            id=uuid.uuid4(),
            kind="member_merged",
            at=now,
            member_id=survivor.id,
            sale_id=None,
            terminal_id=b.terminal.id,
            details={"survivor_id": str(survivor.id), "alias_id": str(loser.id)},
            resolved_at=None,
        )
    )
    old_survivor_stores = set(stores_of(b, survivor.id))
    loser_stores = set(stores_of(b, loser.id))
    for store in loser_stores:
        see_member(b, survivor.id, store)
    s.flush()
    b.members.pop(loser.id, None)
    for cache in (b.balance, b.spend):
        cache.pop(survivor.id, None)
        cache.pop(loser.id, None)
    _tell_stores(b, survivor, loser, sorted(loser_stores | old_survivor_stores))


def _tell_stores(b: Batch, survivor: Member, loser: Member, stores: list[str]) -> None:
    """1. the loser's row frees the phone and card it shares with the survivor (the till's
    unique indexes), 2. every store gets the survivor whole, 3. then the alias."""
    s, now = b.s, b.now
    freed = member_data(loser)
    freed.update(phone=merged_phone(loser.id), card_no=merged_card(loser.id), merged_into=None)
    for store in stores:
        record_change(s, "member", str(loser.id), freed, at=now, store_id=store)
        record_change(s, "member", str(survivor.id), member_data(survivor), at=now, store_id=store)
        for e in s.execute(select(LedgerEntry).where(LedgerEntry.member_id == survivor.id)).scalars():
            record_change(
                s, "ledger_entry", str(e.id), ledger_data(e), at=now, store_id=store, origin=e.terminal_id
            )
        for c in s.execute(select(Coupon).where(Coupon.member_id == survivor.id)).scalars():
            record_change(
                s, "coupon", str(c.id), coupon_data(c), at=now, store_id=store, origin=c.terminal_id
            )
    record_change(
        s,
        "member_alias",
        str(loser.id),
        {"alias_id": str(loser.id), "member_id": str(survivor.id), "merged_at": now},
        at=now,
        member_id=survivor.id,
    )
