"""Merging two members (the same phone registered at two stores, `rules.registered_earlier`
decides which survives): the loser's ledger, coupons, sales and refunds move to the survivor,
its id stays as an alias, and every store that knows either of them is told."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from app.domain.ids import new_id
from app.domain.merges import merged_card, merged_phone
from server.models import Conflict, Coupon, LedgerEntry, Member, MemberAlias, Refund, Sale
from server.pull import coupon_data, ledger_data, member_change_data, record_change, till_member_view
from server.push.context import Batch, see_member, stores_of


def merge(b: Batch, survivor: Member, loser: Member) -> None:
    s, now = b.s, b.now
    loser.merged_into = survivor.id
    loser.updated_at = now
    survivor.updated_at = now
    loser_coupons = set(s.execute(select(Coupon.id).where(Coupon.member_id == loser.id)).scalars())
    for table in (LedgerEntry, Coupon, Sale, Refund):
        s.execute(update(table).where(table.member_id == loser.id).values(member_id=survivor.id))
    s.execute(update(MemberAlias).where(MemberAlias.member_id == loser.id).values(member_id=survivor.id))
    s.add(MemberAlias(alias_id=loser.id, member_id=survivor.id, merged_at=now))
    s.add(
        Conflict(
            id=new_id(),
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
        # _tell_stores sends what a store new to the survivor needs (before the alias, so the
        # till can follow the merge), and none of the survivor's older rows reach it.
        see_member(b, survivor.id, store, caller_sends=True)
    s.flush()
    b.members.pop(loser.id, None)
    for cache in (b.balance, b.spend):
        cache.pop(survivor.id, None)
        cache.pop(loser.id, None)
    _tell_stores(b, survivor, loser, old_survivor_stores, loser_stores, loser_coupons)


def _tell_stores(
    b: Batch,
    survivor: Member,
    loser: Member,
    knew_survivor: set[str],
    knew_loser: set[str],
    loser_coupons: set[uuid.UUID],
) -> None:
    """Each store what it needs, and no more:
    1. a store that held the loser: the loser's row with the phone and card it shares with the
       survivor replaced (the till's unique indexes); a store that never had it gets none;
    2. the survivor: as its change rows carry it (`member_change_data`) to the stores that
       had it already, as a look-up answers it to those that knew only the loser; its
       ledger (the balance) to both; its coupons to the stores that had it, and to the
       others only the loser's (which they hold) and those still usable;
    3. then the alias."""
    s, now = b.s, b.now
    freed = till_member_view(loser)
    freed.update(phone=merged_phone(loser.id), card_no=merged_card(loser.id))
    entries = list(s.execute(select(LedgerEntry).where(LedgerEntry.member_id == survivor.id)).scalars())
    coupons = list(s.execute(select(Coupon).where(Coupon.member_id == survivor.id)).scalars())
    for store in sorted(knew_survivor | knew_loser):
        known = store in knew_survivor
        if store in knew_loser:
            record_change(s, "member", str(loser.id), freed, at=now, store_id=store)
        data = member_change_data(survivor) if known else till_member_view(survivor)
        record_change(s, "member", str(survivor.id), data, at=now, store_id=store)
        for e in entries:
            record_change(
                s, "ledger_entry", str(e.id), ledger_data(e), at=now, store_id=store, origin=e.terminal_id
            )
        for c in coupons:
            if known or c.id in loser_coupons or (c.status == "issued" and c.valid_to >= now):
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
