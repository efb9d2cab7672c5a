"""Tables of the feedback loop: one answer per receipt, its ticket, the ticket's history and
the compensation given when it closed. Registered on the server core's ``Base``.

A feedback row is written from the signed token alone, so it can exist before its sale has
reached the server; ``sale_linked_at`` and ``member_id`` are filled when the sale arrives
(:func:`server.feedback.service.link_sale`). One answer per receipt is enforced twice by the
database: on (terminal, sale id) the token carries and on (store, terminal, receipt no). Column types
come from the core's ``Base.type_annotation_map`` (aware UTC datetimes, JSONB on PostgreSQL).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models import Base

__all__ = ["Alert", "Compensation", "Feedback", "Ticket", "TicketEvent"]


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # The sale the token names; unique per signing terminal (a token from another till's key
    # naming this sale must not block the real answer).
    sale_id: Mapped[uuid.UUID]
    store_id: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str] = mapped_column(String(64))
    receipt_no: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(40))
    token_nonce: Mapped[str] = mapped_column(String(32))  # hex of the token's 16 random bytes
    token_issued_at: Mapped[datetime]
    stars: Mapped[int] = mapped_column(Integer)
    nps: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime]
    # Filled when the sale reaches the server (maybe long after the answer).
    sale_linked_at: Mapped[datetime | None]
    linked_sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"), unique=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(index=True)

    ticket: Mapped[Ticket | None] = relationship(back_populates="feedback", uselist=False)

    __table_args__ = (
        UniqueConstraint("store_id", "terminal_id", "receipt_no", name="uq_feedback_receipt"),
        UniqueConstraint("terminal_id", "sale_id", name="uq_feedback_terminal_sale"),
        Index("ix_feedback_sale_id", "sale_id"),
        Index("ix_feedback_store_submitted", "store_id", "submitted_at"),
        Index("ix_feedback_unlinked", "sale_linked_at"),
    )


class Ticket(Base):
    __tablename__ = "feedback_tickets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    feedback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback.id"), unique=True)
    store_id: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))  # normal | urgent | major
    team: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | in_progress | closed
    assignee: Mapped[str | None] = mapped_column(String(80))
    escalated_to: Mapped[str | None] = mapped_column(String(40))
    reasons: Mapped[list[str]] = mapped_column(default=list)
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str] = mapped_column(Text, default="")

    feedback: Mapped[Feedback] = relationship(back_populates="ticket")
    history: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    compensation: Mapped[Compensation | None] = relationship(back_populates="ticket", uselist=False)

    __table_args__ = (
        Index("ix_feedback_tickets_status_due", "status", "due_at"),
        Index("ix_feedback_tickets_team_status", "team", "status"),
    )


class TicketEvent(Base):
    """One line of a ticket's history: opened, escalated, assigned, status, note, closed."""

    __tablename__ = "feedback_ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_tickets.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="history")


class Compensation(Base):
    """What a member was given when a ticket closed: points, a coupon, or both (at most once
    per ticket). The ids here are those of the core's ledger entry and coupon rows."""

    __tablename__ = "feedback_compensations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_tickets.id"), unique=True)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    ledger_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    coupon_amount: Mapped[int] = mapped_column(Integer, default=0)  # fen off
    coupon_threshold: Mapped[int] = mapped_column(Integer, default=0)
    coupon_id: Mapped[uuid.UUID | None] = mapped_column()
    coupon_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    reason: Mapped[str] = mapped_column(String(80))  # "compensation:<ticket id>", as the till uses
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    points_expire_at: Mapped[datetime | None]
    coupon_valid_to: Mapped[datetime | None]
    # When the core's ledger entry / coupon and their pull changes were written (None: not yet).
    published_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship(back_populates="compensation")


class Alert(Base):
    """An announcement of an escalated ticket, sent by `server.feedback.alerts.AlertSender`."""

    __tablename__ = "feedback_alerts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # escalated
    to: Mapped[str] = mapped_column(String(40))  # who it is for (area_manager)
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_feedback_alerts_due", "sent_at", "next_attempt_at"),)
