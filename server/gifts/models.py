"""The gift catalogue, its stock per store and the redemptions tills reported."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Base


class Gift(Base):
    """A gift members can take for points: `points` is the threshold (what it costs)."""

    __tablename__ = "gifts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GiftStock(Base):
    """How many of a gift a store holds (a redemption takes one, a reversal gives it back; it
    goes below 0 when tills hand out more than HQ knew of: a `gift_out_of_stock` conflict)."""

    __tablename__ = "gift_stock"
    gift_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class GiftRedemption(Base):
    """A gift a till handed over (`gift.redeemed`), with its ledger entry and the reversal's."""

    __tablename__ = "gift_redemptions"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the till's redemption id
    gift_id: Mapped[str] = mapped_column(String(40), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    store_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    points: Mapped[int] = mapped_column(Integer)  # what the till took
    entry_id: Mapped[uuid.UUID]
    at: Mapped[datetime]
    reversed_at: Mapped[datetime | None]
    reversal_entry_id: Mapped[uuid.UUID | None]
