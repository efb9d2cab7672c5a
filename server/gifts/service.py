"""The gift catalogue: add or change a gift, set a store's stock, list them; every change is
sent to the tills that need it (`gift` changes: every store for the gift itself, with that
store's stock; one store for its stock)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.gifts.models import Gift, GiftStock
from server.models import Store
from server.pull import record_change

GIFT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_GIFT_POINTS = 10**7
MAX_STOCK = 10**6
_NAME = r"^[^\x00-\x1f\x7f]+$"


class GiftError(ValueError):
    """A gift or stock figure that cannot be used (the message names the field)."""


class GiftIn(BaseModel):
    """What HQ says of a gift (CLI and API)."""

    model_config = ConfigDict(extra="forbid")

    name_zh: str = Field(min_length=1, max_length=120, pattern=_NAME)
    name_en: str = Field(min_length=1, max_length=120, pattern=_NAME)
    points: int = Field(gt=0, le=MAX_GIFT_POINTS, description="the points threshold (what it costs)")
    active: bool = True


def check_id(gift_id: str) -> str:
    if not GIFT_ID.match(gift_id):
        raise GiftError("id: 1-40 letters, digits, '_', '.', '-' (starting with a letter or digit)")
    return gift_id


def gift_data(g: Gift, stock: int) -> dict[str, Any]:
    """A `gift` change's data: the till's `gifts` row (stock: the pulling store's)."""
    return {
        "id": g.id,
        "name_zh": g.name_zh,
        "name_en": g.name_en,
        "points": g.points,
        "stock": stock,
        "active": g.active,
    }


def stock_of(s: Session, gift_id: str, store_id: str) -> int:
    row = s.get(GiftStock, (gift_id, store_id))
    return 0 if row is None else row.stock


def send(s: Session, g: Gift, store_id: str, now: datetime) -> None:
    """Queue the gift as `store_id`'s tills should hold it."""
    record_change(s, "gift", g.id, gift_data(g, stock_of(s, g.id, store_id)), at=now, store_id=store_id)


def send_catalogue(s: Session, store_id: str, now: datetime) -> None:
    """Queue every gift for a store's tills (a store added after the gifts were)."""
    for g in s.execute(select(Gift).order_by(Gift.id)).scalars():
        send(s, g, store_id, now)


def save_gift(s: Session, gift_id: str, body: GiftIn, now: datetime) -> tuple[Gift, bool]:
    """Add or change a gift; every store's tills get it. Returns (gift, created)."""
    check_id(gift_id)
    g = s.get(Gift, gift_id)
    created = g is None
    if g is None:
        g = Gift(id=gift_id, created_at=now)
        s.add(g)
    g.name_zh, g.name_en, g.points, g.active, g.updated_at = (
        body.name_zh,
        body.name_en,
        body.points,
        body.active,
        now,
    )
    s.flush()
    for (store_id,) in s.execute(select(Store.id)):
        send(s, g, store_id, now)
    return g, created


def set_stock(s: Session, gift_id: str, store_id: str, stock: int, now: datetime) -> GiftStock:
    """HQ counted the store's stock: set it (not add to it); that store's tills get it."""
    g = s.get(Gift, gift_id)
    if g is None:
        raise LookupError(f"no gift {gift_id!r}")
    if s.get(Store, store_id) is None:
        raise LookupError(f"no store {store_id!r}")
    if isinstance(stock, bool) or not 0 <= stock <= MAX_STOCK:
        raise GiftError(f"stock: 0 to {MAX_STOCK}")
    row = s.get(GiftStock, (gift_id, store_id))
    if row is None:
        row = GiftStock(gift_id=gift_id, store_id=store_id, stock=stock, updated_at=now)
        s.add(row)
    else:
        row.stock, row.updated_at = stock, now
    s.flush()
    send(s, g, store_id, now)
    return row


def gift_json(s: Session, g: Gift) -> dict[str, Any]:
    stock = {
        store: n
        for store, n in s.execute(
            select(GiftStock.store_id, GiftStock.stock)
            .where(GiftStock.gift_id == g.id)
            .order_by(GiftStock.store_id)
        )
    }
    return {
        "id": g.id,
        "name_zh": g.name_zh,
        "name_en": g.name_en,
        "points": g.points,
        "active": g.active,
        "stock": stock,
        "updated_at": g.updated_at.isoformat(),
    }


def list_gifts(s: Session, *, active_only: bool = False) -> list[dict[str, Any]]:
    q = select(Gift).order_by(Gift.points, Gift.id)
    if active_only:
        q = q.where(Gift.active.is_(True))
    return [gift_json(s, g) for g in s.execute(q).scalars()]
