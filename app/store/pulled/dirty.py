"""Rows the till must keep as they are while pulling, because it has an unsent change to them
(from the outbox): `unsent_changes`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store import orm


def parse_uuid(value: Any) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is empty or not one."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@dataclass
class Dirty:
    """Rows with a local change the server has not acknowledged (from the unsent outbox)."""

    members: set[uuid.UUID] = field(default_factory=set)
    coupon_ids: set[uuid.UUID] = field(default_factory=set)
    coupon_codes: set[str] = field(default_factory=set)
    gifts: set[str] = field(default_factory=set)  # gifts redeemed or given back here, unsent

    def add_payload(self, payload: dict[str, Any]) -> None:
        mid = parse_uuid(payload.get("member_id"))
        if mid is not None:
            self.members.add(mid)
        cid = parse_uuid(payload.get("coupon_id"))
        if cid is not None:
            self.coupon_ids.add(cid)
        if isinstance(payload.get("gift_id"), str):
            self.gifts.add(payload["gift_id"])
        for key in ("code", "welcome_coupon"):
            if isinstance(payload.get(key), str):
                self.coupon_codes.add(payload[key])
        for c in payload.get("coupons") or ():
            if isinstance(c, dict) and isinstance(c.get("code"), str):
                self.coupon_codes.add(c["code"])
        for code in payload.get("coupons_returned") or ():
            if isinstance(code, str):
                self.coupon_codes.add(code)


def unsent_changes(s: Session) -> Dirty:
    dirty = Dirty()
    rows = s.execute(
        select(orm.OutboxEvent.type, orm.OutboxEvent.payload).where(orm.OutboxEvent.sent_at.is_(None))
    )
    for _type, payload in rows:
        if isinstance(payload, dict):
            dirty.add_payload(payload)
    return dirty
