"""The points ledger: append-only entries; a balance is their sum, never a stored number.

Lots
----
Every positive entry (earn, compensate, positive adjust, points given back on a refund) is a
*lot* that expires at its `expires_at`. Negative entries consume lots, oldest-expiring first
(by `expires_at`, then by when the lot was made, then ledger order). Replaying the ledger in
time order (`at`, ties in ledger order) gives each lot's remaining points:

- an ``expire`` entry consumes only lots that have expired by its time;
- every other negative entry (redeem, reverse, negative adjust) consumes only lots that have
  not expired by its time: points past their expiry are not spendable even before the expire
  entry for them has been written;
- what a negative entry cannot cover becomes a *debt* (offline redemptions at two tills can
  overdraw a member); the next positive entries pay the debt first and only the rest of them
  stays in their lot.

So at every point of the replay: ``balance == sum(lot.remaining) - debt``, no lot is negative,
and no lot holds more than it was given.

Sign conventions: earn, compensate > 0; redeem, expire < 0; adjust != 0; reverse is negative
when it takes back points a refunded sale earned and positive when it gives back points that
paid for the refunded goods (see `give_back`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from app.domain.clock import DEFAULT_TZ, local_time, require_aware
from app.domain.ids import EntryId, MemberId, RefundId, SaleId, new_id


class EntryKind(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"
    REVERSE = "reverse"
    COMPENSATE = "compensate"


class RedeemError(ValueError):
    """Asked to redeem more points than the member can spend (and overdraw is not allowed)."""

    def __init__(self, requested: int, available: int) -> None:
        self.requested = requested
        self.available = available
        super().__init__(f"cannot redeem {requested} points: the member has {available} points available")


_POSITIVE_ONLY = {EntryKind.EARN, EntryKind.COMPENSATE}
_NEGATIVE_ONLY = {EntryKind.REDEEM, EntryKind.EXPIRE}


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One line of a member's points ledger. `expires_at` is set exactly on positive entries."""

    id: EntryId
    member_id: MemberId
    kind: EntryKind
    points: int
    at: datetime
    expires_at: datetime | None = None
    sale_id: SaleId | None = None
    refund_id: RefundId | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.points, bool) or not isinstance(self.points, int):
            raise TypeError("points must be an integer")
        if self.points == 0:
            raise ValueError("a ledger entry must move points")
        if not isinstance(self.kind, EntryKind):
            raise TypeError(f"kind must be an EntryKind, got {self.kind!r}")
        if self.kind in _POSITIVE_ONLY and self.points < 0:
            raise ValueError(f"{self.kind} entries add points")
        if self.kind in _NEGATIVE_ONLY and self.points > 0:
            raise ValueError(f"{self.kind} entries take points away")
        require_aware(self.at, "entry time")
        if self.points > 0:
            if self.expires_at is None:
                raise ValueError("a positive entry needs its expiry (expires_at)")
            require_aware(self.expires_at, "expiry")
            if self.expires_at <= self.at:
                raise ValueError("a lot must expire after it is made")
        elif self.expires_at is not None:
            raise ValueError("only positive entries (lots) have an expiry")


@dataclass(frozen=True, slots=True)
class Lot:
    """A positive entry and what is left of it."""

    entry_id: EntryId
    earned_at: datetime
    expires_at: datetime
    original: int
    remaining: int


def expiry_for(earned_at: datetime, tz: tzinfo = DEFAULT_TZ, years_after: int = 1) -> datetime:
    """When points earned at `earned_at` expire: the end of the calendar year `years_after` years
    after the one they were earned in (DOMAIN.md: the next one), in the store's zone, i.e. Jan 1
    00:00 local of year + 1 + years_after (exclusive: at that instant they are gone).
    2025-12-31 23:30+08:00 → 2027-01-01 00:00+08:00. The program's expiry policy
    (`LoyaltyProgram.expires_at`) is the one caller that chooses `years_after`."""
    local = local_time(require_aware(earned_at, "earning time"), tz)
    return datetime(local.year + 1 + years_after, 1, 1, tzinfo=tz)


# ---------------------------------------------------------------------- replay


@dataclass(slots=True)
class _LotState:
    entry: LedgerEntry
    order: int
    remaining: int

    @property
    def expires_at(self) -> datetime:
        assert self.entry.expires_at is not None
        return self.entry.expires_at

    def key(self) -> tuple[datetime, datetime, int]:
        return (self.expires_at, self.entry.at, self.order)

    def freeze(self) -> Lot:
        return Lot(
            entry_id=self.entry.id,
            earned_at=self.entry.at,
            expires_at=self.expires_at,
            original=self.entry.points,
            remaining=self.remaining,
        )


def _in_time_order(entries: Iterable[LedgerEntry], at: datetime | None) -> list[LedgerEntry]:
    chosen = list(entries)
    if at is not None:
        require_aware(at, "at")
        chosen = [e for e in chosen if e.at <= at]
    return sorted(chosen, key=lambda e: e.at)  # stable: ties stay in ledger order


def _replay(entries: Iterable[LedgerEntry], at: datetime | None) -> tuple[list[_LotState], int]:
    lots: list[_LotState] = []
    debt = 0
    for order, entry in enumerate(_in_time_order(entries, at)):
        if entry.points > 0:
            paid = min(debt, entry.points)
            debt -= paid
            lots.append(_LotState(entry, order, entry.points - paid))
            continue
        need = -entry.points
        if entry.kind == EntryKind.EXPIRE:
            eligible = [s for s in lots if s.remaining and s.expires_at <= entry.at]
        else:
            eligible = [s for s in lots if s.remaining and s.expires_at > entry.at]
        for state in sorted(eligible, key=_LotState.key):
            if not need:
                break
            take = min(state.remaining, need)
            state.remaining -= take
            need -= take
        debt += need
    return lots, debt


def lots(entries: Iterable[LedgerEntry], at: datetime, *, include_spent: bool = False) -> list[Lot]:
    """The lots as of `at` (entries after `at` ignored), oldest-expiring first.

    Lots past their expiry whose expire entry has not been written yet are included (see
    `due_expiries`). Spent lots are left out unless `include_spent`.
    """
    states, _ = _replay(entries, at)
    ordered = sorted(states, key=_LotState.key)
    return [s.freeze() for s in ordered if include_spent or s.remaining > 0]


def debt(entries: Iterable[LedgerEntry], at: datetime | None = None) -> int:
    """Points overdrawn and not yet repaid by later positive entries (>= 0)."""
    return _replay(entries, at)[1]


def balance(entries: Iterable[LedgerEntry], at: datetime | None = None) -> int:
    """The sum of the ledger (of entries up to `at` when given). May be negative (overdraw)."""
    if at is not None:
        require_aware(at, "at")
    return sum(e.points for e in entries if at is None or e.at <= at)


def available(entries: Iterable[LedgerEntry], at: datetime) -> int:
    """What the member can spend at `at`: the balance less points already past their expiry
    whose expire entries are not written yet. Equals `balance` once `due_expiries` are applied."""
    states, owed = _replay(entries, at)
    return sum(s.remaining for s in states if s.expires_at > at) - owed


def expiring_within(
    entries: Iterable[LedgerEntry], at: datetime, days: int = 60
) -> list[tuple[datetime, int]]:
    """Points that will expire in (at, at + days], grouped by expiry moment, soonest first."""
    horizon = at + timedelta(days=days)
    grouped: dict[datetime, int] = {}
    for lot in lots(entries, at):
        if at < lot.expires_at <= horizon:
            grouped[lot.expires_at] = grouped.get(lot.expires_at, 0) + lot.remaining
    return sorted(grouped.items())


def expiring_total(entries: Iterable[LedgerEntry], at: datetime, days: int = 60) -> int:
    """The total of `expiring_within`: what the till shows as "expiring soon"."""
    return sum(points for _, points in expiring_within(entries, at, days))


def due_expiries(entries: Iterable[LedgerEntry], at: datetime, member_id: MemberId) -> list[LedgerEntry]:
    """The expire entries to append now for lots past their expiry at `at`.

    One entry per expiry moment, for what remains of those lots (a lot partly spent expires only
    its remainder), dated at the moment the lots expired. Idempotent: once these are appended,
    calling again at the same `at` returns nothing.
    """
    grouped: dict[datetime, int] = {}
    for lot in lots(entries, at):
        if lot.expires_at <= at:
            grouped[lot.expires_at] = grouped.get(lot.expires_at, 0) + lot.remaining
    return [
        LedgerEntry(
            id=EntryId(new_id()),
            member_id=member_id,
            kind=EntryKind.EXPIRE,
            points=-points,
            at=expired_at,
            note=f"points expired at {expired_at.isoformat()}",
        )
        for expired_at, points in sorted(grouped.items())
    ]


# ---------------------------------------------------------------------- constructors


def _positive(points: int, what: str) -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise TypeError(f"{what}: points must be an integer")
    if points <= 0:
        raise ValueError(f"{what}: points must be positive, got {points}")
    return points


def earn(
    member_id: MemberId,
    points: int,
    at: datetime,
    *,
    sale_id: SaleId | None = None,
    note: str = "",
    tz: tzinfo = DEFAULT_TZ,
    expires_at: datetime | None = None,
) -> LedgerEntry:
    """Points earned on a sale: a new lot expiring per `expiry_for(at)`."""
    return LedgerEntry(
        id=EntryId(new_id()),
        member_id=member_id,
        kind=EntryKind.EARN,
        points=_positive(points, "earn"),
        at=at,
        expires_at=expires_at or expiry_for(at, tz),
        sale_id=sale_id,
        note=note,
    )


def redeem(
    member_id: MemberId,
    points: int,
    at: datetime,
    *,
    entries: Sequence[LedgerEntry],
    sale_id: SaleId | None = None,
    note: str = "",
    allow_overdraw: bool = False,
) -> LedgerEntry:
    """Spend `points` (> 0) at `at`. Refused with RedeemError beyond what is `available` unless
    `allow_overdraw` (only for the documented offline cases: the result is a debt that later
    earnings repay)."""
    _positive(points, "redeem")
    if not allow_overdraw:
        can = available(entries, at)
        if points > can:
            raise RedeemError(points, can)
    return LedgerEntry(
        id=EntryId(new_id()),
        member_id=member_id,
        kind=EntryKind.REDEEM,
        points=-points,
        at=at,
        sale_id=sale_id,
        note=note,
    )


def adjust(
    member_id: MemberId,
    points: int,
    at: datetime,
    note: str,
    *,
    tz: tzinfo = DEFAULT_TZ,
    expires_at: datetime | None = None,
) -> LedgerEntry:
    """A supervisor's manual correction, either sign, never zero, always with a reason.
    A positive adjustment is a lot expiring per `expiry_for(at)`."""
    if isinstance(points, bool) or not isinstance(points, int):
        raise TypeError("adjust: points must be an integer")
    if points == 0:
        raise ValueError("adjust: an adjustment must move points")
    if not note.strip():
        raise ValueError("adjust: a manual adjustment needs a note saying why")
    return LedgerEntry(
        id=EntryId(new_id()),
        member_id=member_id,
        kind=EntryKind.ADJUST,
        points=points,
        at=at,
        expires_at=(expires_at or expiry_for(at, tz)) if points > 0 else None,
        note=note,
    )


def compensate(
    member_id: MemberId,
    points: int,
    at: datetime,
    *,
    note: str = "",
    tz: tzinfo = DEFAULT_TZ,
    expires_at: datetime | None = None,
) -> LedgerEntry:
    """Points given as service compensation (after a complaint): a new lot."""
    return LedgerEntry(
        id=EntryId(new_id()),
        member_id=member_id,
        kind=EntryKind.COMPENSATE,
        points=_positive(points, "compensate"),
        at=at,
        expires_at=expires_at or expiry_for(at, tz),
        note=note,
    )


def reverse(
    member_id: MemberId,
    points: int,
    at: datetime,
    *,
    sale_id: SaleId | None = None,
    refund_id: RefundId | None = None,
    note: str = "",
) -> LedgerEntry:
    """Take back `points` (> 0) that refunded goods earned: a negative reverse entry. It consumes
    lots oldest-expiring first like any spend, and may leave a debt if they were spent."""
    return LedgerEntry(
        id=EntryId(new_id()),
        member_id=member_id,
        kind=EntryKind.REVERSE,
        points=-_positive(points, "reverse"),
        at=at,
        sale_id=sale_id,
        refund_id=refund_id,
        note=note,
    )


def give_back(
    member_id: MemberId,
    points: int,
    at: datetime,
    *,
    sale_id: SaleId | None = None,
    refund_id: RefundId | None = None,
    note: str = "",
    tz: tzinfo = DEFAULT_TZ,
    expires_at: datetime | None = None,
) -> LedgerEntry:
    """Return `points` (> 0) that paid for refunded goods: a positive reverse entry, i.e. a new
    lot expiring per `expiry_for(at)` (the refund time, not the original earning time)."""
    return LedgerEntry(
        id=EntryId(new_id()),
        member_id=member_id,
        kind=EntryKind.REVERSE,
        points=_positive(points, "give back"),
        at=at,
        expires_at=expires_at or expiry_for(at, tz),
        sale_id=sale_id,
        refund_id=refund_id,
        note=note,
    )
