"""Applying pulled changes (sync/protocol.ENTITIES) to the till's store.

Rules:
- A page and its cursor commit in one SQLite transaction. A `member_alias` change is applied
  through `app.services.merges.apply_merge`, which runs its own transaction; the page is then
  split there: the changes before it commit with the cursor just before the merge, the merge
  commits (it is idempotent, so a crash in between only repeats it), and the rest follows.
- A row with a local change the server has not acknowledged yet (its outbox event is unsent)
  is never overwritten: a member registered or seen in an unsent event, a coupon redeemed or
  issued in one. The server sends the row again once it has applied the till's event.
- The ledger is append-only: an entry the till holds already is never changed, and entries of
  this till's own sales or refunds are not added twice.
- One bad change (unreadable data, unknown member) is skipped and reported; it does not stop
  the page (a poison change must not stall sync forever).
- `revocation` and `public_key` changes make the context drop its cached trust.
"""

from __future__ import annotations

import functools
import itertools
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from app.domain.codes import RevocationList, VerifyKey
from app.domain.ids import MemberId
from app.services.context import TillContext
from app.services.errors import TillError
from app.services.merges import apply_merge
from app.store import orm
from sync.protocol import ENTITIES, Change
from sync.state import set_cursor

log = logging.getLogger(__name__)


@dataclass
class ApplyReport:
    applied: int = 0
    kept_local: int = 0  # not applied: the till has an unsent change to that row
    skipped: int = 0  # not applied: nothing to do, or not applicable at this till
    failed: int = 0  # not applied: the change could not be read or stored
    merges: int = 0
    trust_changed: bool = False
    problems: list[str] = field(default_factory=list)

    def add(self, other: ApplyReport) -> None:
        self.applied += other.applied
        self.kept_local += other.kept_local
        self.skipped += other.skipped
        self.failed += other.failed
        self.merges += other.merges
        self.trust_changed = self.trust_changed or other.trust_changed
        self.problems.extend(other.problems)

    def note(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)


@dataclass
class Dirty:
    """Rows with a local change the server has not acknowledged (from the unsent outbox)."""

    members: set[uuid.UUID] = field(default_factory=set)
    coupon_ids: set[uuid.UUID] = field(default_factory=set)
    coupon_codes: set[str] = field(default_factory=set)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def unsent_changes(s: Session) -> Dirty:
    dirty = Dirty()
    rows = s.execute(select(orm.OutboxEvent.type, orm.OutboxEvent.payload)
                     .where(orm.OutboxEvent.sent_at.is_(None)))
    for _type, payload in rows:
        if not isinstance(payload, dict):
            continue
        mid = _uuid(payload.get("member_id"))
        if mid is not None:
            dirty.members.add(mid)
        cid = _uuid(payload.get("coupon_id"))
        if cid is not None:
            dirty.coupon_ids.add(cid)
        if isinstance(payload.get("code"), str):
            dirty.coupon_codes.add(payload["code"])
        if isinstance(payload.get("welcome_coupon"), str):
            dirty.coupon_codes.add(payload["welcome_coupon"])
        for c in payload.get("coupons") or ():
            if isinstance(c, dict) and isinstance(c.get("code"), str):
                dirty.coupon_codes.add(c["code"])
        for code in payload.get("coupons_returned") or ():
            if isinstance(code, str):
                dirty.coupon_codes.add(code)
    return dirty


# ------------------------------------------------------------------------------ values


class BadChange(ValueError):
    pass


def _to_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _to_datetime(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _to_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadChange(f"not an integer: {value!r}")
    return int(value)


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    uuid.UUID: _to_uuid, datetime: _to_datetime, date: _to_date, bool: _to_bool, int: _to_int,
    str: str,
}


def _coerce(python_type: type | None, value: Any) -> Any:
    """`value` from JSON as `python_type` (None stays None; JSON columns as they come)."""
    convert = _CONVERTERS.get(python_type) if python_type is not None else None
    return value if value is None or convert is None else convert(value)


class _Uuids(dict[Any, uuid.UUID]):
    """The UUIDs of one run, each parsed once (a member's id comes again in its ledger entries
    and coupons): `uuids[text]` parses `text` the first time and raises ValueError if it is
    not a UUID."""

    def __missing__(self, text: Any) -> uuid.UUID:
        parsed = self[text] = _to_uuid(text)
        return parsed


def _python_type(column: Any) -> type | None:
    kind = column.type
    for candidate in (kind, getattr(kind, "impl", None)):  # a TypeDecorator: its implementation
        if candidate is None:
            continue
        try:
            found = candidate.python_type
        except NotImplementedError:
            continue
        if found is not object:
            return found  # type: ignore[no-any-return]
    return None


@functools.cache
def _columns(model: type[orm.Base]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each column's key and the converter its JSON value goes through (looked up once: a first
    pull converts hundreds of thousands of rows); None: JSON columns, taken as they come."""
    out = []
    for column in model.__table__.columns:
        python_type = _python_type(column)
        out.append((column.key, None if python_type is None else _CONVERTERS.get(python_type)))
    return tuple(out)


def row_values(model: type[orm.Base], data: dict[str, Any],
               uuids: _Uuids | None = None) -> dict[str, Any]:
    """The columns of `model` present in `data`, converted from JSON; other keys are ignored
    (a newer server may send more). UUIDs are parsed through `uuids` when given."""
    out: dict[str, Any] = {}
    for key, convert in _columns(model):
        if key not in data:
            continue
        value = data[key]
        if value is None or convert is None:
            out[key] = value
            continue
        try:
            out[key] = uuids[value] if uuids is not None and convert is _to_uuid else convert(value)
        except (ValueError, TypeError) as exc:
            raise BadChange(f"{model.__tablename__}.{key}: {exc}") from exc
    return out


# ------------------------------------------------------------------------------ entities


class _Applier:
    def __init__(self, ctx: TillContext, s: Session, dirty: Dirty, report: ApplyReport) -> None:
        self.ctx = ctx
        self.s = s
        self.dirty = dirty
        self.report = report
        self.uuids: _Uuids | None = None  # a run's parsed UUIDs (see _RunApplier)

    def _survivor(self, member_id: uuid.UUID | None) -> uuid.UUID | None:
        """The local member id for `member_id` (following aliases), or None if unknown."""
        if member_id is None:
            return None
        row = self.s.get(orm.Member, member_id)
        if row is None:
            alias = self.s.get(orm.MemberAlias, member_id)
            if alias is None:
                return None
            row = self.s.get(orm.Member, alias.member_id)
        while row is not None and row.merged_into is not None:
            row = self.s.get(orm.Member, row.merged_into)
        return None if row is None else row.id

    def _local(self, model: type[orm.Base], key: Any) -> Any:
        return None if key is None else self.s.get(model, key)

    def apply(self, ch: Change) -> str:
        """Apply one change; returns 'applied', 'kept_local', 'skipped' or 'conflict'."""
        handler = getattr(self, "_" + ch.entity, None)
        if ch.entity not in ENTITIES or handler is None:
            self.report.note(f"change {ch.seq}: unknown entity {ch.entity!r}")
            return "skipped"
        return str(handler(ch))

    def _member(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # members are never deleted at a till (old receipts name them)
        values = row_values(orm.Member, ch.data, self.uuids)
        member_id = values.pop("id", None) or uuid.UUID(ch.key)
        if member_id in self.dirty.members:
            return "kept_local"
        merged_into = values.get("merged_into")
        if merged_into is not None and not self._member_held(merged_into):
            values.pop("merged_into")  # the survivor is not cached here; the alias will come
        clash = self._member_clash(member_id, values.get("phone", ""), values.get("card_no", ""))
        if clash is not None:
            return "kept_local" if clash in self.dirty.members else "conflict"
        self._store_member(member_id, values)
        return "applied"

    def _member_held(self, member_id: uuid.UUID) -> bool:
        return self.s.get(orm.Member, member_id) is not None

    def _member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        """Another member holding this phone or card here, if any."""
        return self.s.execute(select(orm.Member.id).where(
            orm.Member.id != member_id, or_(orm.Member.phone == phone, orm.Member.card_no == card),
        )).scalars().first()

    def _store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        row = self.s.get(orm.Member, member_id)
        if row is None:
            self.s.add(orm.Member(id=member_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)

    def _entry_held(self, entry_id: uuid.UUID) -> bool:
        return self.s.get(orm.LedgerEntry, entry_id) is not None

    def _own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        """Whether this till's own sale or refund `ref` already has its `kind` entry here."""
        return self.s.execute(select(orm.LedgerEntry.id).where(
            getattr(orm.LedgerEntry, col) == ref, orm.LedgerEntry.kind == kind)).first() is not None

    def _store_entry(self, entry_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.s.add(orm.LedgerEntry(id=entry_id, **values))

    def _ledger_entry(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # append-only
        values = row_values(orm.LedgerEntry, ch.data, self.uuids)
        entry_id = values.pop("id", None) or uuid.UUID(ch.key)
        if self._entry_held(entry_id):
            return "skipped"  # held already; ledger rows never change
        member_id = self._survivor(values.get("member_id"))
        if member_id is None:
            self.report.note(f"change {ch.seq}: ledger entry of a member not cached here")
            return "skipped"
        values["member_id"] = member_id
        kind = values.get("kind")
        for col, model in (("sale_id", orm.Sale), ("refund_id", orm.Refund)):
            ref = values.get(col)
            if ref is None:
                continue
            if self._local(model, ref) is None:
                values[col] = None  # another till's sale: not in this store
                continue
            # This till's own sale or refund: its entries were written here at the time.
            if self._own_entry_held(col, ref, kind):
                return "skipped"
        self._store_entry(entry_id, values)
        return "applied"

    def _find_coupon(self, coupon_id: uuid.UUID, code: str | None) -> orm.Coupon | None:
        row = self.s.get(orm.Coupon, coupon_id)
        if row is None and code:
            # The same coupon under the id the server gave it (a welcome coupon made here).
            row = self.s.execute(select(orm.Coupon).where(orm.Coupon.code == code)).scalars().first()
        return row

    def _store_coupon(self, row: orm.Coupon | None, coupon_id: uuid.UUID, values: dict[str, Any]) -> None:
        if row is None:
            self.s.add(orm.Coupon(id=coupon_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)

    def _coupon(self, ch: Change) -> str:
        values = row_values(orm.Coupon, ch.data, self.uuids)
        coupon_id = values.pop("id", None) or uuid.UUID(ch.key)
        row = self._find_coupon(coupon_id, values.get("code"))
        if row is not None and (row.id in self.dirty.coupon_ids or row.code in self.dirty.coupon_codes):
            return "kept_local"
        if ch.op == "delete":
            if row is None:
                return "skipped"
            row.status = "void"
            return "applied"
        if "member_id" in values and values["member_id"] is not None:
            member_id = self._survivor(values["member_id"])
            if member_id is None:
                self.report.note(f"change {ch.seq}: coupon of a member not cached here")
                return "skipped"
            values["member_id"] = member_id
        if values.get("redeemed_sale_id") is not None and \
                self._local(orm.Sale, values["redeemed_sale_id"]) is None:
            values["redeemed_sale_id"] = None
        self._store_coupon(row, coupon_id, values)
        return "applied"

    def _product(self, ch: Change) -> str:
        product_id = uuid.UUID(ch.key) if ch.op == "delete" else None
        if ch.op == "delete":
            self.s.execute(delete(orm.Product).where(orm.Product.id == product_id))
            return "applied"
        values = row_values(orm.Product, ch.data, self.uuids)
        product_id = values.pop("id", None) or uuid.UUID(ch.key)
        if "sku" in values:  # the server's catalogue wins: a barcode moved to another product
            self.s.execute(delete(orm.Product).where(orm.Product.sku == values["sku"],
                                                     orm.Product.id != product_id))
        row = self.s.get(orm.Product, product_id)
        if row is None:
            self.s.add(orm.Product(id=product_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        return "applied"

    def _promotion(self, ch: Change) -> str:
        if ch.op == "delete":
            self.s.execute(delete(orm.Promotion).where(orm.Promotion.id == ch.key))
            return "applied"
        values = row_values(orm.Promotion, ch.data, self.uuids)
        promo_id = values.pop("id", None) or ch.key
        row = self.s.get(orm.Promotion, promo_id)
        if row is None:
            self.s.add(orm.Promotion(id=promo_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        return "applied"

    def _revocation(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # revocations are only ever added at a till
        kind, value = ch.data.get("kind"), ch.data.get("value")
        if not kind or not value:
            kind, _, value = ch.key.partition(":")
        kind, value = str(kind), str(value)
        try:
            RevocationList().add(kind, value)  # one that cannot be read must not poison trust
        except ValueError as exc:
            raise BadChange(f"revocation {kind}:{value}: {exc}") from exc
        at = _coerce(datetime, ch.data.get("at")) or self.ctx.now()
        if self.s.get(orm.Revocation, (kind, value)) is None:
            self.s.add(orm.Revocation(kind=kind, value=value, at=at))
            self.report.trust_changed = True
        return "applied"

    def _public_key(self, ch: Change) -> str:
        key_id = str(ch.data.get("key_id") or ch.key)
        if key_id == self.ctx.signer.key_id:
            return "skipped"  # the till's own key is its own
        self.report.trust_changed = True
        if ch.op == "delete":
            self.s.execute(delete(orm.PublicKey).where(orm.PublicKey.key_id == key_id))
            return "applied"
        public = ch.data.get("public_key")
        try:
            VerifyKey.from_base64(key_id, str(public or ""))
        except (ValueError, TypeError) as exc:
            raise BadChange(f"public key {key_id}: {exc}") from exc
        row = self.s.get(orm.PublicKey, key_id)
        if row is None:
            self.s.add(orm.PublicKey(key_id=key_id, public_key=str(public),
                                     terminal_id=str(ch.data.get("terminal_id") or ""),
                                     added_at=self.ctx.now()))
        else:
            row.public_key = str(public)
            row.terminal_id = str(ch.data.get("terminal_id") or row.terminal_id)
        return "applied"


# ------------------------------------------------------------------------------ runs in bulk


class _Slow(Exception):
    """The fast path cannot decide this run exactly as the per-change path would."""


def _chunks(values: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _NewRow:
    """A row a run adds, held as its column values until `_RunApplier.flush` inserts it with
    the others in bulk (building ORM objects and flushing them through the unit of work cost
    more than deciding the changes). Its columns read and write as attributes, like the pending
    ORM row it stands for: a column not given reads None."""

    __slots__ = ("model", "values")

    model: type[orm.Base]
    values: dict[str, Any]

    def __init__(self, model: type[orm.Base], values: dict[str, Any]) -> None:
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            if name not in _column_keys(self.model):
                raise AttributeError(f"{self.model.__tablename__} has no column {name!r}") from None
            return None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _column_keys(self.model):
            raise AttributeError(f"{self.model.__tablename__} has no column {name!r}")
        self.values[name] = value


@functools.cache
def _column_keys(model: type[orm.Base]) -> frozenset[str]:
    return frozenset(key for key, _ in _columns(model))


# An INSERT's SQL and, per parameter: the key it takes from a row and its bind processor, or
# (None, None, the stored form of the column's default).
_InsertPlan = tuple[str, tuple[tuple[str | None, Any, Any], ...]]


class _RunApplier(_Applier):
    """Applies a whole run of changes with the same rules as `_Applier`, but looks up what the
    member, ledger and coupon handlers need in a few set-based queries first, decides each change
    in memory and flushes once at the end (see `_apply_run`). Anything it cannot decide exactly
    as the per-change path would raises, and the run is redone change by change."""

    uuids: _Uuids

    def __init__(self, ctx: TillContext, s: Session, dirty: Dirty, report: ApplyReport,
                 changes: Sequence[Change]) -> None:
        super().__init__(ctx, s, dirty, report)
        self.uuids = _Uuids()
        self.members: dict[uuid.UUID, orm.Member | _NewRow | None] = {}
        self.by_phone: dict[str, uuid.UUID] = {}
        self.by_card: dict[str, uuid.UUID] = {}
        self.aliases: dict[uuid.UUID, uuid.UUID | None] = {}
        self.entries: set[uuid.UUID] = set()  # ledger entry ids held (or added in this run)
        self.entries_looked_up: set[uuid.UUID] = set()
        self.own: dict[type[orm.Base], dict[uuid.UUID, bool]] = {orm.Sale: {}, orm.Refund: {}}
        self.held: set[tuple[str, uuid.UUID, Any]] = set()  # (sale_id|refund_id, ref, kind)
        self.coupons: dict[uuid.UUID, orm.Coupon | _NewRow | None] = {}
        self.coupon_codes: dict[str, orm.Coupon | _NewRow | None] = {}
        # New rows, inserted in foreign-key order by flush() (the mapping has no relationships
        # that would let the ORM's unit of work order them).
        self.new: dict[type[orm.Base], list[_NewRow]] = {
            orm.Member: [], orm.Coupon: [], orm.LedgerEntry: []}
        self.plans: dict[tuple[type[orm.Base], tuple[str, ...]], _InsertPlan | None] = {}
        self._prefetch(changes)

    # -- prefetch

    def _prefetch(self, changes: Sequence[Change]) -> None:
        s = self.s
        member_ids: set[uuid.UUID] = set()
        phones: set[str] = set()
        cards: set[str] = set()
        referenced: set[uuid.UUID] = set()  # member ids named by ledger entries and coupons
        entry_ids: set[uuid.UUID] = set()
        refs: dict[type[orm.Base], set[uuid.UUID]] = {orm.Sale: set(), orm.Refund: set()}
        coupon_ids: set[uuid.UUID] = set()
        codes: set[str] = set()
        for ch in changes:
            d = ch.data if isinstance(ch.data, dict) else {}
            key = self._id(d.get("id") or ch.key)
            if ch.entity == "member":
                if key is not None:
                    member_ids.add(key)
                for col, found in (("phone", phones), ("card_no", cards)):
                    value = d.get(col, "")
                    if value is not None:
                        found.add(str(value))
                merged_into = self._id(d.get("merged_into"))
                if merged_into is not None:
                    member_ids.add(merged_into)
            elif ch.entity == "ledger_entry":
                if key is not None:
                    entry_ids.add(key)
                for v, into in ((self._id(d.get("member_id")), referenced),
                                (self._id(d.get("sale_id")), refs[orm.Sale]),
                                (self._id(d.get("refund_id")), refs[orm.Refund])):
                    if v is not None:
                        into.add(v)
            elif ch.entity == "coupon":
                if key is not None:
                    coupon_ids.add(key)
                if d.get("code"):
                    codes.add(str(d["code"]))
                for v, into in ((self._id(d.get("member_id")), referenced),
                                (self._id(d.get("redeemed_sale_id")), refs[orm.Sale])):
                    if v is not None:
                        into.add(v)
        member_ids |= referenced
        for part in _chunks(member_ids):
            for m in s.execute(select(orm.Member).where(orm.Member.id.in_(part))).scalars():
                self._know_member(m)
        for attr, values in ((orm.Member.phone, phones), (orm.Member.card_no, cards)):
            for part in _chunks(values):
                for m in s.execute(select(orm.Member).where(attr.in_(part))).scalars():
                    self._know_member(m)
        for mid in member_ids:
            self.members.setdefault(mid, None)
        unknown = [mid for mid in referenced if self.members.get(mid) is None]
        for part in _chunks(unknown):
            for alias_id, survivor in s.execute(select(orm.MemberAlias.alias_id, orm.MemberAlias.member_id)
                                                .where(orm.MemberAlias.alias_id.in_(part))):
                self.aliases[alias_id] = survivor
        for mid in unknown:
            self.aliases.setdefault(mid, None)
        self.entries_looked_up = entry_ids
        for part in _chunks(entry_ids):
            self.entries.update(s.execute(select(orm.LedgerEntry.id)
                                          .where(orm.LedgerEntry.id.in_(part))).scalars())
        for model, col in ((orm.Sale, "sale_id"), (orm.Refund, "refund_id")):
            known = self.own[model]
            for part in _chunks(refs[model]):
                known.update((i, True) for i in s.execute(
                    select(model.id).where(model.id.in_(part))).scalars())
            for ref in refs[model]:
                known.setdefault(ref, False)
            column = getattr(orm.LedgerEntry, col)
            for part in _chunks([ref for ref, mine in known.items() if mine]):
                for ref, kind in s.execute(select(column, orm.LedgerEntry.kind).where(column.in_(part))):
                    self.held.add((col, ref, kind))
        for part in _chunks(coupon_ids):
            for c in s.execute(select(orm.Coupon).where(orm.Coupon.id.in_(part))).scalars():
                self._know_coupon(c)
        for part in _chunks(codes):
            for c in s.execute(select(orm.Coupon).where(orm.Coupon.code.in_(part))).scalars():
                self._know_coupon(c)
        for cid in coupon_ids:
            self.coupons.setdefault(cid, None)
        for code in codes:
            self.coupon_codes.setdefault(code, None)

    def _id(self, value: Any) -> uuid.UUID | None:
        try:
            return self.uuids[value] if value else None
        except (ValueError, TypeError):
            return None  # the handler reports it

    def _know_member(self, m: orm.Member) -> None:
        self.members[m.id] = m
        self.by_phone[m.phone] = m.id
        self.by_card[m.card_no] = m.id

    def _know_coupon(self, c: orm.Coupon) -> None:
        self.coupons[c.id] = c
        self.coupon_codes[c.code] = c

    # -- lookups (a miss falls back to the database)

    def _member_row(self, member_id: uuid.UUID) -> orm.Member | _NewRow | None:
        if member_id not in self.members:
            self.members[member_id] = self.s.get(orm.Member, member_id)
        return self.members[member_id]

    def _survivor(self, member_id: uuid.UUID | None) -> uuid.UUID | None:
        if member_id is None:
            return None
        row = self._member_row(member_id)
        if row is None:
            if member_id not in self.aliases:
                alias = self.s.get(orm.MemberAlias, member_id)
                self.aliases[member_id] = None if alias is None else alias.member_id
            survivor = self.aliases[member_id]
            if survivor is None:
                return None
            row = self._member_row(survivor)
        seen: set[uuid.UUID] = set()
        while row is not None and row.merged_into is not None:
            if row.id in seen:
                raise _Slow("merge cycle")
            seen.add(row.id)
            row = self._member_row(row.merged_into)
        return None if row is None else row.id

    def _local(self, model: type[orm.Base], key: Any) -> Any:
        if key is None:
            return None
        known = self.own.get(model)
        if known is None or key not in known:
            return super()._local(model, key)
        return True if known[key] else None

    # -- entities

    def _member_held(self, member_id: uuid.UUID) -> bool:
        return self._member_row(member_id) is not None

    def _member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        clashes = {self.by_phone.get(phone) if phone is not None else None,
                   self.by_card.get(card) if card is not None else None} - {None, member_id}
        if len({c in self.dirty.members for c in clashes}) > 1:
            raise _Slow("which clash the per-change query finds first is not defined")
        return next(iter(clashes), None)

    def _store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        row = self._member_row(member_id)
        if row is None:
            row = _NewRow(orm.Member, {"id": member_id, **values})
            self.new[orm.Member].append(row)
        else:
            if "phone" in values and self.by_phone.get(row.phone) == member_id:
                del self.by_phone[row.phone]
            if "card_no" in values and self.by_card.get(row.card_no) == member_id:
                del self.by_card[row.card_no]
            for k, v in values.items():
                setattr(row, k, v)
        self.members[member_id] = row
        if row.phone is not None:
            self.by_phone[row.phone] = member_id
        if row.card_no is not None:
            self.by_card[row.card_no] = member_id

    def _entry_held(self, entry_id: uuid.UUID) -> bool:
        if entry_id in self.entries:
            return True
        return entry_id not in self.entries_looked_up and super()._entry_held(entry_id)

    def _own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        if ref not in self.own[orm.Sale if col == "sale_id" else orm.Refund]:
            return super()._own_entry_held(col, ref, kind)
        return (col, ref, kind) in self.held

    def _store_entry(self, entry_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.new[orm.LedgerEntry].append(_NewRow(orm.LedgerEntry, {"id": entry_id, **values}))
        self.entries.add(entry_id)
        for col in ("sale_id", "refund_id"):
            if values.get(col) is not None:
                self.held.add((col, values[col], values.get("kind")))

    def _find_coupon(self, coupon_id: uuid.UUID, code: str | None) -> Any:  # ORM or new row
        if coupon_id not in self.coupons:
            self.coupons[coupon_id] = self.s.get(orm.Coupon, coupon_id)
        row = self.coupons[coupon_id]
        if row is None and code:
            if code not in self.coupon_codes:
                self.coupon_codes[code] = self.s.execute(
                    select(orm.Coupon).where(orm.Coupon.code == code)).scalars().first()
            row = self.coupon_codes[code]
        return row

    def _store_coupon(self, row: orm.Coupon | _NewRow | None, coupon_id: uuid.UUID,
                      values: dict[str, Any]) -> None:
        if row is None:
            row = _NewRow(orm.Coupon, {"id": coupon_id, **values})
            self.new[orm.Coupon].append(row)
        else:
            if "code" in values and self.coupon_codes.get(row.code) is row:
                self.coupon_codes[row.code] = None
            for k, v in values.items():
                setattr(row, k, v)
        self.coupons[row.id] = row
        if row.code is not None:
            self.coupon_codes[row.code] = row

    def flush(self) -> None:
        """Insert the new rows, table by table in foreign-key order and each table's rows in the
        order they were made, then flush the changes to rows that were already stored."""
        conn = self.s.connection()
        for model, rows in self.new.items():
            if not rows:
                continue
            # One executemany per stretch of rows with the same columns (an INSERT names the
            # columns of its first row); stretches keep the order, so a row never comes before
            # one it refers to.
            for keys, group in itertools.groupby(rows, key=lambda r: tuple(r.values)):
                stretch = [r.values for r in group]
                plan = self._insert_plan(model, keys)
                if plan is None:
                    conn.execute(insert(model), stretch)
                    continue
                sql, binds = plan
                conn.exec_driver_sql(sql, [  # (processors take None too, as in SQLAlchemy)
                    tuple(default if key is None else
                          (values[key] if process is None else process(values[key]))
                          for key, process, default in binds)
                    for values in stretch])
            self._forget(model, rows)
            rows.clear()
        self.s.flush()

    def _insert_plan(self, model: type[orm.Base], keys: tuple[str, ...]) -> _InsertPlan | None:
        """The driver-level INSERT of `model` rows holding `keys`, with each parameter's bind
        processor looked up once (SQLAlchemy would otherwise look them up, and build a
        parameter dict, row by row: a third of a first pull's time). None when a column left
        out has a default that must be computed per row; such rows go through Core."""
        if (model, keys) in self.plans:
            return self.plans[(model, keys)]
        table = model.__mapper__.local_table
        dialect = self.s.connection().dialect
        defaults: dict[str, Any] = {}
        for column in table.columns:
            if column.key not in keys and column.default is not None:
                if not column.default.is_scalar:
                    self.plans[(model, keys)] = None
                    return None
                defaults[column.key] = column.default.arg
        compiled = insert(model).compile(dialect=dialect, column_keys=[*keys, *defaults])
        binds: list[tuple[str | None, Any, Any]] = []
        for name in compiled.positiontup or ():
            column = table.c[name]
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if name in keys:
                binds.append((name, process, None))
            else:
                value = defaults[name]
                binds.append((None, None, value if process is None else process(value)))
        plan = (str(compiled), tuple(binds))
        self.plans[(model, keys)] = plan
        return plan

    def _forget(self, model: type[orm.Base], rows: list[_NewRow]) -> None:
        """Drop inserted rows from the caches: a later change in this run reads them back from
        the database as ORM rows, so that what it changes is flushed."""
        if model is orm.Member:
            for r in rows:
                if self.members.get(r.values["id"]) is r:
                    del self.members[r.values["id"]]
        elif model is orm.Coupon:
            for r in rows:
                if self.coupons.get(r.values["id"]) is r:
                    del self.coupons[r.values["id"]]
                code = r.values.get("code")
                if code is not None and self.coupon_codes.get(code) is r:
                    del self.coupon_codes[code]

    def _other(self, ch: Change) -> str:
        self.flush()  # these handlers query the database: let them see the run so far
        return super().apply(ch)

    def apply(self, ch: Change) -> str:
        if ch.entity in ("member", "ledger_entry", "coupon"):
            return super().apply(ch)
        return self._other(ch)


def _apply_run(ctx: TillContext, s: Session, dirty: Dirty, report: ApplyReport,
               changes: Sequence[Change]) -> list[str]:
    """The outcome of each change of a run (no merge inside). The whole run is first tried in
    one SAVEPOINT with `_RunApplier`; if anything in it raises (a bad change, a constraint, a case
    the fast path leaves alone), that savepoint is rolled back and the run is redone change by
    change, so a bad change still only skips itself. Outcomes and notes reach `report` only from
    the attempt that stands."""
    if len(changes) > 1:
        scratch = ApplyReport()
        try:
            with s.begin_nested():
                fast = _RunApplier(ctx, s, dirty, scratch, changes)
                outcomes = [fast.apply(ch) for ch in changes]
                fast.flush()
        except Exception as exc:  # redo it change by change, which reports what went wrong
            log.debug("pulled run of %d changes redone one by one: %s", len(changes),
                      type(exc).__name__)
        else:
            for text in scratch.problems:
                report.note(text)
            report.trust_changed = report.trust_changed or scratch.trust_changed
            return outcomes
    applier = _Applier(ctx, s, dirty, report)
    return [_apply_one(applier, ch) for ch in changes]


def _apply_one(applier: _Applier, ch: Change) -> str:
    s = applier.s
    try:
        with s.begin_nested():
            outcome = applier.apply(ch)
            s.flush()
        return outcome
    except (BadChange, ValueError, TypeError, KeyError) as exc:
        applier.report.note(f"change {ch.seq} ({ch.entity} {ch.key}): {exc}")
        return "failed"
    except Exception as exc:  # an integrity error etc.: skip this change, keep the page
        applier.report.note(f"change {ch.seq} ({ch.entity} {ch.key}): {type(exc).__name__}")
        log.warning("pulled change %s (%s) not applied: %s", ch.seq, ch.entity, type(exc).__name__)
        return "failed"


def _count(report: ApplyReport, outcome: str) -> None:
    if outcome == "applied":
        report.applied += 1
    elif outcome == "kept_local":
        report.kept_local += 1
    elif outcome == "failed":
        report.failed += 1
    else:
        report.skipped += 1


def _segments(changes: Sequence[Change]) -> Iterable[tuple[list[Change], Change | None]]:
    """Runs of ordinary changes, each followed by the merge that ends it (or None)."""
    run: list[Change] = []
    for ch in changes:
        if ch.entity == "member_alias" and ch.op == "upsert":
            yield run, ch
            run = []
        else:
            run.append(ch)
    yield run, None


def _merge(ctx: TillContext, ch: Change, report: ApplyReport) -> None:
    alias_id = _uuid(ch.data.get("alias_id") or ch.key)
    member_id = _uuid(ch.data.get("member_id"))
    if alias_id is None or member_id is None or alias_id == member_id:
        report.failed += 1
        report.note(f"change {ch.seq}: unreadable member_alias")
        return
    with ctx.uow(write=False) as uow:
        s = uow.session
        survivor_known = s.get(orm.Member, member_id) is not None
        merged_known = s.get(orm.Member, alias_id) is not None
    if not survivor_known:
        report.skipped += 1
        if merged_known:
            report.note(f"change {ch.seq}: merge into member {member_id} not cached here")
        return
    try:
        apply_merge(ctx, MemberId(member_id), MemberId(alias_id))
    except TillError as exc:
        report.failed += 1
        report.note(f"change {ch.seq}: merge not applied: {exc.message}")
        return
    report.merges += 1
    report.applied += 1


def cache_rows(ctx: TillContext, changes: Sequence[Change]) -> ApplyReport:
    """Store rows the server sent outside a pull (an online member lookup): the same rules,
    one transaction, and the pull cursor untouched. Merges are not applied here."""
    report = ApplyReport()
    with ctx.uow() as uow:
        applier = _Applier(ctx, uow.session, unsent_changes(uow.session), report)
        for ch in changes:
            if ch.entity == "member_alias":
                report.skipped += 1
                continue
            outcome = _apply_one(applier, ch)
            _count(report, "failed" if outcome == "conflict" else outcome)
            if outcome == "conflict":
                report.note(f"{ch.entity} {ch.key}: phone or card held by another member here")
        uow.commit()
    if report.trust_changed:
        ctx.invalidate_trust()
    return report


def apply_page(ctx: TillContext, changes: Sequence[Change], cursor: int) -> ApplyReport:
    """Apply one pulled page and store `cursor` with it (see the module docstring)."""
    report = ApplyReport()
    deferred: list[Change] = []  # members whose phone or card another local row holds (a merge)
    for run, merge in _segments(changes):
        with ctx.uow() as uow:
            s = uow.session
            retry, deferred = deferred, []
            todo = [*retry, *run]
            for ch, outcome in zip(todo, _apply_run(ctx, s, unsent_changes(s), report, todo),
                                   strict=True):
                if outcome == "conflict":
                    deferred.append(ch)
                else:
                    _count(report, outcome)
            if merge is None:
                for ch in deferred:
                    report.failed += 1
                    report.note(f"change {ch.seq}: member {ch.key}: phone or card held by "
                                "another member here")
                deferred = []
                upto = cursor
            else:
                # Stop short of anything deferred so that a crash re-delivers it.
                upto = merge.seq - 1
                if deferred:
                    upto = min(upto, min(ch.seq for ch in deferred) - 1)
            set_cursor(s, upto)
            uow.commit()
        if merge is not None:
            _merge(ctx, merge, report)
    if report.trust_changed:
        ctx.invalidate_trust()
    return report
