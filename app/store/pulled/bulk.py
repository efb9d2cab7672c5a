"""`BulkRows`: the `app.ports.PulledRows` of a whole run, answered from what `prefetch.fetch`
looked up in a few set-based queries, new rows held as `NewRow`s and inserted together at the
end (`flush`). The rules are the same as change by change (`sync.apply.entities`); only how
rows are found and stored differs. A case it cannot answer exactly as the session would raises
`Slow`, and the run is redone change by change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ports import PulledChange
from app.store import orm
from app.store.pulled.inserts import Inserter, NewRow
from app.store.pulled.prefetch import Cache, fetch
from app.store.pulled.rows import MODELS, OWN, SessionRows
from app.store.pulled.values import Uuids, row_values


class Slow(Exception):
    """The bulk path cannot decide this run exactly as the per-change path would."""


class BulkRows:
    def __init__(self, s: Session, changes: Sequence[PulledChange]) -> None:
        self.s = s
        self.uuids = Uuids()
        self.direct = SessionRows(s)  # a miss in the cache asks the database
        self.cache: Cache = fetch(s, changes, self.uuids)
        # New rows, inserted in foreign-key order by flush() (the mapping has no relationships
        # that would let the ORM's unit of work order them).
        self.new: dict[type[orm.Base], list[NewRow]] = {orm.Member: [], orm.Coupon: [], orm.LedgerEntry: []}
        self.inserter = Inserter(s.connection())

    def convert(self, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        return row_values(MODELS[entity], data, self.uuids)

    # -- members

    def member(self, member_id: uuid.UUID) -> Any | None:
        members = self.cache.members
        if member_id not in members:
            members[member_id] = self.s.get(orm.Member, member_id)
        return members[member_id]

    def alias(self, member_id: uuid.UUID) -> uuid.UUID | None:
        aliases = self.cache.aliases
        if member_id not in aliases:
            aliases[member_id] = self.direct.alias(member_id)
        return aliases[member_id]

    def member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        by_phone, by_card = self.cache.by_phone, self.cache.by_card
        clashes = {
            by_phone.get(phone) if phone is not None else None,
            by_card.get(card) if card is not None else None,
        } - {None, member_id}
        if len(clashes) > 1:
            raise Slow("which clash the per-change query finds first is not defined")
        return next(iter(clashes), None)

    def store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        cache = self.cache
        row = self.member(member_id)
        if row is None:
            row = NewRow(orm.Member, {"id": member_id, **values})
            self.new[orm.Member].append(row)
        else:
            if "phone" in values and cache.by_phone.get(row.phone) == member_id:
                del cache.by_phone[row.phone]
            if "card_no" in values and cache.by_card.get(row.card_no) == member_id:
                del cache.by_card[row.card_no]
            for k, v in values.items():
                setattr(row, k, v)
        cache.members[member_id] = row
        if row.phone is not None:
            cache.by_phone[row.phone] = member_id
        if row.card_no is not None:
            cache.by_card[row.card_no] = member_id

    # -- ledger

    def entry_held(self, entry_id: uuid.UUID) -> bool:
        if entry_id in self.cache.entries:
            return True
        return entry_id not in self.cache.entries_looked_up and self.direct.entry_held(entry_id)

    def own(self, kind: str, key: uuid.UUID) -> bool:
        known = self.cache.own[OWN[kind]]
        if key not in known:
            return self.direct.own(kind, key)
        return known[key]

    def own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        if ref not in self.cache.own[orm.Sale if col == "sale_id" else orm.Refund]:
            return self.direct.own_entry_held(col, ref, kind)
        return (col, ref, kind) in self.cache.held

    def store_entry(self, entry_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.new[orm.LedgerEntry].append(NewRow(orm.LedgerEntry, {"id": entry_id, **values}))
        self.cache.entries.add(entry_id)
        for col in ("sale_id", "refund_id"):
            if values.get(col) is not None:
                self.cache.held.add((col, values[col], values.get("kind")))

    # -- coupons

    def find_coupon(self, coupon_id: uuid.UUID, code: str | None) -> Any | None:
        coupons, codes = self.cache.coupons, self.cache.coupon_codes
        if coupon_id not in coupons:
            coupons[coupon_id] = self.s.get(orm.Coupon, coupon_id)
        row = coupons[coupon_id]
        if row is None and code:
            if code not in codes:
                stmt = select(orm.Coupon).where(orm.Coupon.code == code)
                codes[code] = self.s.execute(stmt).scalars().first()
            row = codes[code]
        return row

    def store_coupon(self, row: Any, coupon_id: uuid.UUID, values: dict[str, Any]) -> None:
        codes = self.cache.coupon_codes
        target = row
        if target is None:
            target = NewRow(orm.Coupon, {"id": coupon_id, **values})
            self.new[orm.Coupon].append(target)
        else:
            old_code = target.code
            if "code" in values and codes.get(old_code) is target:
                codes[old_code] = None
            for k, v in values.items():
                setattr(target, k, v)
        self.cache.coupons[target.id] = target
        if target.code is not None:
            codes[target.code] = target

    # -- the rest, straight through the session once it holds the run so far (few changes)

    def store_product(self, product_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.flush()
        self.direct.store_product(product_id, values)

    def delete_product(self, product_id: uuid.UUID) -> None:
        self.flush()
        self.direct.delete_product(product_id)

    def store_promotion(self, promotion_id: str, values: dict[str, Any]) -> None:
        self.flush()
        self.direct.store_promotion(promotion_id, values)

    def delete_promotion(self, promotion_id: str) -> None:
        self.flush()
        self.direct.delete_promotion(promotion_id)

    def store_program(self, data: dict[str, Any], at: datetime) -> None:
        self.flush()
        self.direct.store_program(data, at)

    def store_member_intel(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.flush()
        self.direct.store_member_intel(member_id, values)

    def store_gift(self, gift_id: str, values: dict[str, Any]) -> None:
        self.flush()
        self.direct.store_gift(gift_id, values)

    def add_revocation(self, kind: str, value: str, at: datetime) -> bool:
        self.flush()
        return self.direct.add_revocation(kind, value, at)

    def store_points_outcome(
        self, event_id: uuid.UUID, payload: dict[str, Any], status: str, reason: str, note: str, at: datetime
    ) -> None:
        self.flush()
        self.direct.store_points_outcome(event_id, payload, status, reason, note, at)

    def store_public_key(self, key_id: str, public_key: str, terminal_id: str | None, at: datetime) -> None:
        self.flush()
        self.direct.store_public_key(key_id, public_key, terminal_id, at)

    def delete_public_key(self, key_id: str) -> None:
        self.flush()
        self.direct.delete_public_key(key_id)

    # -- storing

    def flush(self) -> None:
        """Insert the new rows, table by table in foreign-key order and each table's rows in the
        order they were made, then flush the changes to rows that were already stored."""
        for model, rows in self.new.items():
            if rows:
                self.inserter.insert(model, rows)
                self._forget(model, rows)
                rows.clear()
        self.s.flush()

    def _forget(self, model: type[orm.Base], rows: list[NewRow]) -> None:
        """Drop inserted rows from the caches: a later change in this run reads them back from
        the database as ORM rows, so that what it changes is flushed."""
        cache = self.cache
        if model is orm.Member:
            for r in rows:
                if cache.members.get(r.values["id"]) is r:
                    del cache.members[r.values["id"]]
        elif model is orm.Coupon:
            for r in rows:
                if cache.coupons.get(r.values["id"]) is r:
                    del cache.coupons[r.values["id"]]
                code = r.values.get("code")
                if code is not None and cache.coupon_codes.get(code) is r:
                    del cache.coupon_codes[code]
