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
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_TZ
from app.domain.codes import Keyring
from app.domain.ids import new_id
from app.domain.program import DEFAULT_PROGRAM
from app.domain.tiers import window_start
from app.domain.trust import TillTrust
from app.pricing.model import Promotion
from server import merges
from server.models import Conflict, ConflictKind, LedgerEntry, Member, MemberStore, Refund, Sale, Terminal
from server.program import Programs
from server.pull import ledger_added, start_seeing

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


@dataclass(slots=True)
class Spend:
    """A member's sales and refunds known to the batch, every one since `since`."""

    since: datetime
    rows: list[tuple[datetime, int]] = field(default_factory=list)

    def before(self, at: datetime) -> int:
        """The 12-month spend at `at` (`app.domain.tiers.window_start`): what was bought in
        the year before it, less what was refunded; nothing later counts."""
        start = window_start(at)
        return sum(amount for t, amount in self.rows if start <= t <= at)


@dataclass
class Batch:
    s: Session
    terminal: Terminal
    now: datetime
    # HQ's program versions and the pushing till's store zone: what tiers, expiries and the
    # welcome coupon are worked out with (server/program.py), as the till does.
    programs: Programs = field(default_factory=Programs)
    tz: ZoneInfo = DEFAULT_TZ
    # Per member: its sales (+total) and refunds (-money) since a time (`Spend`), so that the
    # 12-month spend before any event of the batch is the window that event's time gives.
    spend: dict[uuid.UUID, Spend] = field(default_factory=dict)
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
    # The `events` rows of a batch applied whole, written in one INSERT before COMMIT
    # (`record.keep_event`); None when each event has its savepoint (rows added as they come).
    event_rows: list[dict[str, Any]] | None = None

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


def see_member(
    b: Batch, member_id: uuid.UUID, store_id: str, *, history: bool = False, caller_sends: bool = False
) -> bool:
    """Record that a member is known at a store; True when that is new. The store receives
    the member's current state at COMMIT and its changes after, not its older rows
    (`server.pull.start_seeing`, and its `history` and `caller_sends`)."""
    stores = stores_of(b, member_id)
    if store_id in stores:
        return False
    start_seeing(b.s, member_id, store_id, history=history, caller_sends=caller_sends)
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
    """The member's 12-month spend before an event at `at` (sales less refunds in the year
    before it), as its till worked it out; read from the tables the first time, or again when
    `at` reaches further back than what the batch read."""
    known = b.spend.get(member_id)
    if known is None or window_start(at) < known.since:
        b.s.flush()
        known = b.spend[member_id] = read_spend(b.s, [member_id], window_start(at))[member_id]
    return known.before(at)


def add_spend(b: Batch, member_id: uuid.UUID, at: datetime, amount: int) -> None:
    """A sale (+its total) or refund (-its money) the batch has just recorded."""
    known = b.spend.get(member_id)
    if known is not None:  # else the next `spend` reads it from the tables (flushed then)
        known.rows.append((at, amount))


def no_spend(b: Batch, member_id: uuid.UUID) -> None:
    """A member new in this batch: nothing bought yet."""
    b.spend[member_id] = Spend(window_start(b.now))


def read_spend(s: Session, member_ids: list[uuid.UUID], since: datetime) -> dict[uuid.UUID, Spend]:
    """The members' sales and refunds since `since`, in two queries."""
    out = {mid: Spend(since) for mid in member_ids}
    for mid, at, total in s.execute(
        select(Sale.member_id, Sale.at, Sale.total_due).where(
            Sale.member_id.in_(member_ids), Sale.at >= since
        )
    ):
        if mid is not None:
            out[mid].rows.append((at, int(total)))
    for mid, at, money in s.execute(
        select(Refund.member_id, Refund.at, Refund.money).where(
            Refund.member_id.in_(member_ids), Refund.at >= since
        )
    ):
        if mid is not None:
            out[mid].rows.append((at, -int(money)))
    return out


def add_entry(b: Batch, entry: LedgerEntry) -> None:
    before = balance(b, entry.member_id)
    b.s.add(entry)
    b.balance[entry.member_id] = before + entry.points
    ledger_added(b.s, entry, b.now)


def record_conflict(
    b: Batch,
    kind: ConflictKind,
    details: dict[str, Any],
    member_id: uuid.UUID | None = None,
    sale_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A row in `conflicts` for HQ; returns what the event's result says about it."""
    b.s.add(
        Conflict(
            id=new_id(),
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
