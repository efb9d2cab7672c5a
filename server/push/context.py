"""What one batch knows while its events are applied: the session, the pushing terminal, and
caches of the members it touches (balance, 12-month spend, stores), read once (`prefetch.py`)
and kept up to date as events add rows."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_TZ
from app.domain.codes import Keyring
from app.domain.program import DEFAULT_PROGRAM
from app.domain.tiers import window_start
from app.domain.trust import TillTrust
from app.pricing.model import Promotion
from server import merges
from server.models import Conflict, LedgerEntry, Member, MemberStore, Refund, Sale, Terminal
from server.program import Programs
from server.pull import ledger_added

log = logging.getLogger("server.push")

_NS = uuid.UUID("6f1c7d38-52f4-4d0c-9a5e-3c0b8f6a9d21")  # server-made ids derived from till ids


class Rejected(Exception):
    """The event cannot be applied; `reason` is stable text the till and HQ see."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def derived_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_NS, ":".join(str(p) for p in parts))


def welcome_coupon_id(code: str) -> uuid.UUID:
    return derived_id("coupon", code)


@dataclass
class Batch:
    s: Session
    terminal: Terminal
    now: datetime
    # HQ's program versions and the pushing till's store zone: what tiers, expiries and the
    # welcome coupon are worked out with (server/program.py), as the till does.
    programs: Programs = field(default_factory=Programs)
    tz: ZoneInfo = DEFAULT_TZ
    spend: dict[uuid.UUID, int] = field(default_factory=dict)
    balance: dict[uuid.UUID, int] = field(default_factory=dict)
    stores: dict[uuid.UUID, set[str]] = field(default_factory=dict)
    members: dict[uuid.UUID, Member] = field(default_factory=dict)  # loaded or made in this batch
    sales: set[uuid.UUID] = field(default_factory=set)  # sale ids already recorded
    # Members held FOR SHARE (plain earning sales): their row is not written in the batch; their
    # tier and last purchase are brought up to date after the commit (`touch.py`).
    shared: set[uuid.UUID] = field(default_factory=set)
    touch: set[uuid.UUID] = field(default_factory=set)
    answered: set[uuid.UUID] = field(default_factory=set)  # sales whose feedback arrived first
    max_clock_skew_s: int = 300
    promotions: tuple[Promotion, ...] | None = None  # HQ's promotions, read once a batch
    categories: dict[str, str] = field(default_factory=dict)  # sku -> category (catalogue)
    day_totals: dict[str, list[int]] = field(default_factory=dict)  # points_rules.day_totals
    keyring: Keyring | None = None  # the terminals' public keys, read once a batch when needed
    # The program's limits on tills (LoyaltyProgram.trust); the version in force at receipt.
    trust: TillTrust = DEFAULT_PROGRAM.trust

    def forget_caches(self) -> None:
        self.balance.clear()
        self.spend.clear()
        self.stores.clear()
        self.members.clear()
        self.sales.clear()

    @property
    def store_id(self) -> str:
        return self.terminal.store_id


def resolve_member(s: Session, member_id: uuid.UUID) -> Member | None:
    """The surviving member for an id (`server.merges.resolve_member`, through
    `app.domain.merges.follow_merges`); None for an id no member or alias has, or whose merges
    do not end (damaged links: a cycle)."""
    try:
        return merges.resolve_member(s, member_id)
    except merges.MergeChainTooLong:
        log.error("member merges of %s do not end (a cycle in merged_into/member_aliases)", member_id)
        return None


def stores_of(b: Batch, member_id: uuid.UUID) -> set[str]:
    if member_id not in b.stores:
        b.stores[member_id] = set(
            b.s.execute(select(MemberStore.store_id).where(MemberStore.member_id == member_id)).scalars()
        )
    return b.stores[member_id]


def see_member(b: Batch, member_id: uuid.UUID, store_id: str) -> bool:
    """Record that a member is known at a store; True when that is new."""
    stores = stores_of(b, member_id)
    if store_id in stores:
        return False
    # Two batches holding the member FOR SHARE may both see it new at a store: ON CONFLICT.
    ins = pg_insert if b.s.get_bind().dialect.name == "postgresql" else sqlite_insert
    b.s.execute(ins(MemberStore).values(member_id=member_id, store_id=store_id).on_conflict_do_nothing())
    stores.add(store_id)
    return True


def balance(b: Batch, member_id: uuid.UUID) -> int:
    if member_id not in b.balance:
        b.s.flush()
        b.balance[member_id] = int(
            b.s.execute(
                select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                    LedgerEntry.member_id == member_id
                )
            ).scalar_one()
        )
    return b.balance[member_id]


def spend(b: Batch, member_id: uuid.UUID, at: datetime) -> int:
    if member_id not in b.spend:
        b.s.flush()
        since = window_start(at)
        sold = b.s.execute(
            select(func.coalesce(func.sum(Sale.total_due), 0)).where(
                Sale.member_id == member_id, Sale.at >= since
            )
        ).scalar_one()
        refunded = b.s.execute(
            select(func.coalesce(func.sum(Refund.money), 0)).where(
                Refund.member_id == member_id, Refund.at >= since
            )
        ).scalar_one()
        b.spend[member_id] = int(sold) - int(refunded)
    return b.spend[member_id]


def add_entry(b: Batch, entry: LedgerEntry) -> None:
    before = balance(b, entry.member_id)
    b.s.add(entry)
    b.balance[entry.member_id] = before + entry.points
    ledger_added(b.s, entry, b.now)


def record_conflict(
    b: Batch,
    kind: str,
    details: dict[str, Any],
    member_id: uuid.UUID | None = None,
    sale_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A row in `conflicts` for HQ; returns what the event's result says about it."""
    b.s.add(
        Conflict(
            id=uuid.uuid4(),
            kind=kind,
            at=b.now,
            member_id=member_id,
            sale_id=sale_id,
            terminal_id=b.terminal.id,
            details=details,
            resolved_at=None,
        )
    )
    return {"kind": kind, **details}
