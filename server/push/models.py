"""The tables of the server's trust in tills (DOMAIN.md, "Trust"): the till staff HQ knows
(who may approve an adjustment at which store), and the events held for HQ's approval because
they were above the program's limits. Registered on the core's `Base` (migration t0001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Base, JsonType


class StoreStaff(Base):
    """A till's member of staff as HQ knows them: `staff_id` is the id the till gave them."""

    __tablename__ = "store_staff"
    staff_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # cashier | supervisor | manager
    name: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime]


class HeldEvent(Base):
    """A points adjustment or compensation above the program's limits (or without an approver
    the server knows): acknowledged to the till, not applied until HQ approves it."""

    __tablename__ = "held_events"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    terminal_id: Mapped[str] = mapped_column(String(40), index=True)
    store_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    held_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="held", index=True)  # held|approved|rejected
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(500), default="")
