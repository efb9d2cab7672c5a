"""What a batch's events need, read up front in a few queries: their members (locked in one
order, so concurrent batches from different tills wait for each other instead of
deadlocking), balances, 12-month spend, stores, and which of their sales are already recorded
or have a feedback answer waiting."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime

from sqlalchemy import func, select

from app.domain.tiers import window_start
from server.models import LedgerEntry, Member, MemberAlias, MemberStore, Sale
from server.push.context import Batch, read_spend, resolve_member
from sync.protocol import WireEvent


def prefetch(b: Batch, events: list[WireEvent], lock: bool) -> None:
    mids = member_ids(events)
    if mids:
        _load_members(b, events, mids, lock)
        _follow_aliases(b, [m for m in mids if m not in b.members])
        live = sorted({m.id for m in b.members.values() if m.merged_into is None})
        if live:
            _read_balances(b, live)
            _read_spend(b, events, live)
            _read_stores(b, live)
    sids = sale_ids(events)
    if sids:
        _read_sales(b, sids)


def _ids(events: list[WireEvent], key: str) -> list[uuid.UUID]:
    out: set[uuid.UUID] = set()
    for ev in events:
        raw = ev.payload.get(key) if isinstance(ev.payload, dict) else None
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                out.add(uuid.UUID(raw))
    return sorted(out)


def member_ids(events: list[WireEvent]) -> list[uuid.UUID]:
    return _ids(events, "member_id")


def sale_ids(events: list[WireEvent]) -> list[uuid.UUID]:
    return _ids([ev for ev in events if ev.type == "sale.completed"], "sale_id")


def exclusive_ids(events: list[WireEvent]) -> set[uuid.UUID]:
    """Members named by events that need their row to themselves: anything but a sale that
    only earns (no points redeemed, no coupons)."""
    other = [
        ev
        for ev in events
        if not (
            ev.type == "sale.completed"
            and isinstance(ev.payload, dict)
            and not ev.payload.get("points_redeemed")
            and not ev.payload.get("coupons")
        )
    ]
    return set(member_ids(other))


def _load_members(b: Batch, events: list[WireEvent], mids: list[uuid.UUID], lock: bool) -> None:
    q = select(Member).where(Member.id.in_(mids)).order_by(Member.id)
    if not lock:
        for m in b.s.execute(q).scalars():
            b.members[m.id] = m
        return
    # Plain earning sales only add rows (sale, ledger entry): FOR SHARE lets batches of
    # different tills selling to the same member run side by side, while a batch that
    # redeems, refunds, adjusts, registers or merges still has the row to itself.
    excl = exclusive_ids(events)
    for m in b.s.execute(q.where(Member.id.in_(excl)).with_for_update()).scalars():
        b.members[m.id] = m
    rest = [m for m in mids if m not in excl]
    if rest:
        q2 = select(Member).where(Member.id.in_(rest)).order_by(Member.id)
        for m in b.s.execute(q2.with_for_update(read=True)).scalars():
            b.members[m.id] = m
            b.shared.add(m.id)


def _follow_aliases(b: Batch, missing: list[uuid.UUID]) -> None:
    if not missing:
        return
    for alias in b.s.execute(select(MemberAlias).where(MemberAlias.alias_id.in_(missing))).scalars():
        survivor = resolve_member(b.s, alias.member_id)
        if survivor is not None:
            b.members[survivor.id] = survivor
            b.members[alias.alias_id] = survivor


def _read_balances(b: Batch, live: list[uuid.UUID]) -> None:
    b.balance.update(dict.fromkeys(live, 0))
    for mid, total in b.s.execute(
        select(LedgerEntry.member_id, func.sum(LedgerEntry.points))
        .where(LedgerEntry.member_id.in_(live))
        .group_by(LedgerEntry.member_id)
    ):
        b.balance[mid] = int(total)


def _read_spend(b: Batch, events: list[WireEvent], live: list[uuid.UUID]) -> None:
    """Every sale and refund of the members in the year before the batch's earliest event."""
    b.spend.update(read_spend(b.s, live, window_start(min(_times(events), default=b.now))))


def _times(events: list[WireEvent]) -> list[datetime]:
    out: list[datetime] = []
    for ev in events:
        raw = ev.payload.get("at") if isinstance(ev.payload, dict) else None
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                at = datetime.fromisoformat(raw)
                if at.tzinfo is not None:
                    out.append(at)
    return out


def _read_stores(b: Batch, live: list[uuid.UUID]) -> None:
    b.stores.update({mid: set() for mid in live})
    for mid, store in b.s.execute(
        select(MemberStore.member_id, MemberStore.store_id).where(MemberStore.member_id.in_(live))
    ):
        b.stores[mid].add(store)


def _read_sales(b: Batch, sids: list[uuid.UUID]) -> None:
    b.sales.update(b.s.execute(select(Sale.id).where(Sale.id.in_(sids))).scalars())
    try:
        from server.feedback.models import Feedback
    except ModuleNotFoundError:
        return
    b.answered.update(
        b.s.execute(
            select(Feedback.sale_id).where(Feedback.sale_id.in_(sids), Feedback.sale_linked_at.is_(None))
        ).scalars()
    )
