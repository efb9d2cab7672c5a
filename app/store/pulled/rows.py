"""`SessionRows`: the `app.ports.PulledRows` port answered straight from the session, one query
per question (the per-change path of `sync.apply`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.store import orm
from app.store.outcomes import record_outcome
from app.store.programs import store_program_version
from app.store.pulled.values import Uuids, row_values

# The tables of the pulled entities whose rows arrive as data, and of the till's own records.
MODELS: dict[str, type[orm.Base]] = {
    "member": orm.Member,
    "ledger_entry": orm.LedgerEntry,
    "coupon": orm.Coupon,
    "product": orm.Product,
    "promotion": orm.Promotion,
    "member_intel": orm.MemberIntel,
    "gift": orm.Gift,
}
OWN: dict[str, type[orm.Sale] | type[orm.Refund]] = {"sale": orm.Sale, "refund": orm.Refund}


class SessionRows:
    def __init__(self, s: Session) -> None:
        self.s = s
        self.uuids = Uuids()

    def convert(self, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        return row_values(MODELS[entity], data, self.uuids)

    def member(self, member_id: uuid.UUID) -> orm.Member | None:
        return self.s.get(orm.Member, member_id)

    def alias(self, member_id: uuid.UUID) -> uuid.UUID | None:
        row = self.s.get(orm.MemberAlias, member_id)
        return None if row is None else row.member_id

    def member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        return (
            self.s.execute(
                select(orm.Member.id).where(
                    orm.Member.id != member_id,
                    or_(orm.Member.phone == phone, orm.Member.card_no == card),
                )
            )
            .scalars()
            .first()
        )

    def store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        self._upsert(orm.Member, member_id, values)

    def entry_held(self, entry_id: uuid.UUID) -> bool:
        return self.s.get(orm.LedgerEntry, entry_id) is not None

    def own(self, kind: str, key: uuid.UUID) -> bool:
        return self.s.get(OWN[kind], key) is not None

    def own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        return (
            self.s.execute(
                select(orm.LedgerEntry.id).where(
                    getattr(orm.LedgerEntry, col) == ref, orm.LedgerEntry.kind == kind
                )
            ).first()
            is not None
        )

    def store_entry(self, entry_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.s.add(orm.LedgerEntry(id=entry_id, **values))

    def find_coupon(self, coupon_id: uuid.UUID, code: str | None) -> orm.Coupon | None:
        row = self.s.get(orm.Coupon, coupon_id)
        if row is None and code:
            row = self.s.execute(select(orm.Coupon).where(orm.Coupon.code == code)).scalars().first()
        return row

    def store_coupon(self, row: Any | None, coupon_id: uuid.UUID, values: dict[str, Any]) -> None:
        if row is None:
            self.s.add(orm.Coupon(id=coupon_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)

    def store_product(self, product_id: uuid.UUID, values: dict[str, Any]) -> None:
        if "sku" in values:
            self.s.execute(
                delete(orm.Product).where(orm.Product.sku == values["sku"], orm.Product.id != product_id)
            )
        self._upsert(orm.Product, product_id, values)

    def delete_product(self, product_id: uuid.UUID) -> None:
        self.s.execute(delete(orm.Product).where(orm.Product.id == product_id))

    def store_promotion(self, promotion_id: str, values: dict[str, Any]) -> None:
        self._upsert(orm.Promotion, promotion_id, values)

    def delete_promotion(self, promotion_id: str) -> None:
        self.s.execute(delete(orm.Promotion).where(orm.Promotion.id == promotion_id))

    def store_program(self, data: dict[str, Any], at: datetime) -> None:
        store_program_version(self.s, data, at)

    def store_member_intel(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        self._upsert(orm.MemberIntel, member_id, values)

    def store_gift(self, gift_id: str, values: dict[str, Any]) -> None:
        self._upsert(orm.Gift, gift_id, values)

    def add_revocation(self, kind: str, value: str, at: datetime) -> bool:
        if self.s.get(orm.Revocation, (kind, value)) is not None:
            return False
        self.s.add(orm.Revocation(kind=kind, value=value, at=at))
        return True

    def store_points_outcome(
        self, event_id: uuid.UUID, payload: dict[str, Any], status: str, reason: str, note: str, at: datetime
    ) -> None:
        record_outcome(self.s, event_id, payload, status, reason, note, at)

    def store_public_key(self, key_id: str, public_key: str, terminal_id: str | None, at: datetime) -> None:
        row = self.s.get(orm.PublicKey, key_id)
        if row is None:
            self.s.add(
                orm.PublicKey(
                    key_id=key_id, public_key=public_key, terminal_id=terminal_id or "", added_at=at
                )
            )
        else:
            row.public_key = public_key
            row.terminal_id = terminal_id or row.terminal_id

    def delete_public_key(self, key_id: str) -> None:
        self.s.execute(delete(orm.PublicKey).where(orm.PublicKey.key_id == key_id))

    def _upsert(self, model: type[orm.Base], key: Any, values: dict[str, Any]) -> None:
        row = self.s.get(model, key)
        if row is None:
            self.s.add(model(id=key, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
