"""How the entity rules (`sync.apply.entities`) find and store rows: the `Rows` protocol, and
`SessionRows`, which asks the session for each row as the change needs it. The bulk path
(`sync.apply.bulk.BulkRows`) answers the same questions from what it fetched for a whole run."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.store import orm
from sync.apply.values import Uuids


class Rows(Protocol):
    """The look-ups and stores the entity rules need. A member or coupon row is an ORM row or a
    stand-in with the same column attributes; rows are keyed by the till's own ids."""

    uuids: Uuids

    def session(self) -> Session:
        """The session, with every row stored so far visible to its queries (for the entities
        the rules store directly: products, promotions, revocations, keys)."""
        ...

    def member(self, member_id: uuid.UUID) -> Any | None:
        """The member row held here, or None."""
        ...

    def alias(self, member_id: uuid.UUID) -> uuid.UUID | None:
        """The member an alias held here points to, or None."""
        ...

    def member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        """Another member holding this phone or card here, if any."""
        ...

    def store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None: ...

    def entry_held(self, entry_id: uuid.UUID) -> bool: ...

    def own(self, model: type[orm.Sale] | type[orm.Refund], key: uuid.UUID) -> bool:
        """Whether this till holds that sale or refund (it was made here)."""
        ...

    def own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        """Whether this till's own sale or refund `ref` (`col`: sale_id or refund_id) already has
        its `kind` ledger entry here."""
        ...

    def store_entry(self, entry_id: uuid.UUID, values: dict[str, Any]) -> None: ...

    def find_coupon(self, coupon_id: uuid.UUID, code: str | None) -> Any | None:
        """The coupon by id, else by code (a welcome coupon made here has the server's id for it
        only once the server names it)."""
        ...

    def store_coupon(self, row: Any | None, coupon_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Insert the coupon (`row` None) or change `row`."""
        ...


class SessionRows:
    """`Rows` straight from the session, one query per question (the per-change path)."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.uuids = Uuids()

    def session(self) -> Session:
        return self.s

    def member(self, member_id: uuid.UUID) -> orm.Member | None:
        return self.s.get(orm.Member, member_id)

    def alias(self, member_id: uuid.UUID) -> uuid.UUID | None:
        row = self.s.get(orm.MemberAlias, member_id)
        return None if row is None else row.member_id

    def member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        return self.s.execute(select(orm.Member.id).where(
            orm.Member.id != member_id, or_(orm.Member.phone == phone, orm.Member.card_no == card),
        )).scalars().first()

    def store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        row = self.s.get(orm.Member, member_id)
        if row is None:
            self.s.add(orm.Member(id=member_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)

    def entry_held(self, entry_id: uuid.UUID) -> bool:
        return self.s.get(orm.LedgerEntry, entry_id) is not None

    def own(self, model: type[orm.Sale] | type[orm.Refund], key: uuid.UUID) -> bool:
        return self.s.get(model, key) is not None

    def own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        return self.s.execute(select(orm.LedgerEntry.id).where(
            getattr(orm.LedgerEntry, col) == ref, orm.LedgerEntry.kind == kind)).first() is not None

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
