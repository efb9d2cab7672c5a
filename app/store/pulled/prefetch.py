"""What a bulk run looks up before it decides anything: the rows its member, ledger and coupon
changes name, fetched in a few set-based queries (`fetch`) into a `Cache` that `BulkRows`
answers from. A name the run does not hold is recorded as absent, so it is not asked again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ports import PulledChange
from app.store import orm
from app.store.pulled.values import Uuids

OwnModel = type[orm.Sale] | type[orm.Refund]


@dataclass
class Cache:
    """Rows of one run by key; None (or False) where the database has none."""

    members: dict[uuid.UUID, Any] = field(default_factory=dict)  # ORM row, NewRow or None
    by_phone: dict[str, uuid.UUID] = field(default_factory=dict)
    by_card: dict[str, uuid.UUID] = field(default_factory=dict)
    aliases: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)
    entries: set[uuid.UUID] = field(default_factory=set)  # ledger entry ids held (or added)
    entries_looked_up: set[uuid.UUID] = field(default_factory=set)
    own: dict[OwnModel, dict[uuid.UUID, bool]] = field(default_factory=lambda: {orm.Sale: {}, orm.Refund: {}})
    held: set[tuple[str, uuid.UUID, Any]] = field(default_factory=set)  # (sale_id|refund_id, ref, kind)
    coupons: dict[uuid.UUID, Any] = field(default_factory=dict)  # ORM row, NewRow or None
    coupon_codes: dict[str, Any] = field(default_factory=dict)

    def know_member(self, m: Any) -> None:
        self.members[m.id] = m
        self.by_phone[m.phone] = m.id
        self.by_card[m.card_no] = m.id

    def know_coupon(self, c: Any) -> None:
        self.coupons[c.id] = c
        self.coupon_codes[c.code] = c


@dataclass
class _Wanted:
    """The keys a run's changes name."""

    uuids: Uuids
    member_ids: set[uuid.UUID] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    cards: set[str] = field(default_factory=set)
    referenced: set[uuid.UUID] = field(default_factory=set)  # member ids of entries and coupons
    entry_ids: set[uuid.UUID] = field(default_factory=set)
    refs: dict[OwnModel, set[uuid.UUID]] = field(default_factory=lambda: {orm.Sale: set(), orm.Refund: set()})
    coupon_ids: set[uuid.UUID] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def add(self, ch: PulledChange) -> None:
        d = ch.data if isinstance(ch.data, dict) else {}
        key = self.uuids.get_id(d.get("id") or ch.key)
        if ch.entity == "member":
            self._member(key, d)
        elif ch.entity == "ledger_entry":
            self._put(self.entry_ids, key)
            self._put(self.referenced, self.uuids.get_id(d.get("member_id")))
            self._put(self.refs[orm.Sale], self.uuids.get_id(d.get("sale_id")))
            self._put(self.refs[orm.Refund], self.uuids.get_id(d.get("refund_id")))
        elif ch.entity == "coupon":
            self._put(self.coupon_ids, key)
            if d.get("code"):
                self.codes.add(str(d["code"]))
            self._put(self.referenced, self.uuids.get_id(d.get("member_id")))
            self._put(self.refs[orm.Sale], self.uuids.get_id(d.get("redeemed_sale_id")))

    def _member(self, key: uuid.UUID | None, d: dict[str, Any]) -> None:
        self._put(self.member_ids, key)
        self._put(self.member_ids, self.uuids.get_id(d.get("merged_into")))
        for col, found in (("phone", self.phones), ("card_no", self.cards)):
            value = d.get(col, "")
            if value is not None:
                found.add(str(value))

    @staticmethod
    def _put(into: set[uuid.UUID], value: uuid.UUID | None) -> None:
        if value is not None:
            into.add(value)


def _chunks(values: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _each(s: Session, stmt: Any, column: Any, values: Iterable[Any]) -> Iterable[Any]:
    """The rows of `stmt` where `column` is one of `values`, in chunks of bound parameters."""
    for part in _chunks(values):
        yield from s.execute(stmt.where(column.in_(part)))


def fetch(s: Session, changes: Sequence[PulledChange], uuids: Uuids) -> Cache:
    wanted = _Wanted(uuids)
    for ch in changes:
        wanted.add(ch)
    cache = Cache()
    _members(s, wanted, cache)
    _aliases(s, wanted, cache)
    _entries(s, wanted, cache)
    for model, col in ((orm.Sale, "sale_id"), (orm.Refund, "refund_id")):
        _own(s, model, col, wanted.refs[model], cache)
    _coupons(s, wanted, cache)
    return cache


def _members(s: Session, wanted: _Wanted, cache: Cache) -> None:
    ids = wanted.member_ids | wanted.referenced
    for attr, values in (
        (orm.Member.id, ids),
        (orm.Member.phone, wanted.phones),
        (orm.Member.card_no, wanted.cards),
    ):
        for (m,) in _each(s, select(orm.Member), attr, values):
            cache.know_member(m)
    for mid in ids:
        cache.members.setdefault(mid, None)


def _aliases(s: Session, wanted: _Wanted, cache: Cache) -> None:
    unknown = [mid for mid in wanted.referenced if cache.members.get(mid) is None]
    stmt = select(orm.MemberAlias.alias_id, orm.MemberAlias.member_id)
    for alias_id, survivor in _each(s, stmt, orm.MemberAlias.alias_id, unknown):
        cache.aliases[alias_id] = survivor
    for mid in unknown:
        cache.aliases.setdefault(mid, None)


def _entries(s: Session, wanted: _Wanted, cache: Cache) -> None:
    cache.entries_looked_up = wanted.entry_ids
    for (entry_id,) in _each(s, select(orm.LedgerEntry.id), orm.LedgerEntry.id, wanted.entry_ids):
        cache.entries.add(entry_id)


def _own(s: Session, model: OwnModel, col: str, refs: set[uuid.UUID], cache: Cache) -> None:
    """Which of `refs` are this till's own sales (refunds), and the entry kinds they hold."""
    known = cache.own[model]
    for (ref,) in _each(s, select(model.id), model.id, refs):
        known[ref] = True
    for ref in refs:
        known.setdefault(ref, False)
    column = getattr(orm.LedgerEntry, col)
    mine = [ref for ref, held in known.items() if held]
    for ref, kind in _each(s, select(column, orm.LedgerEntry.kind), column, mine):
        cache.held.add((col, ref, kind))


def _coupons(s: Session, wanted: _Wanted, cache: Cache) -> None:
    for attr, values in ((orm.Coupon.id, wanted.coupon_ids), (orm.Coupon.code, wanted.codes)):
        for (c,) in _each(s, select(orm.Coupon), attr, values):
            cache.know_coupon(c)
    for cid in wanted.coupon_ids:
        cache.coupons.setdefault(cid, None)
    for code in wanted.codes:
        cache.coupon_codes.setdefault(code, None)
