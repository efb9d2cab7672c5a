"""SQLAlchemy 2.x mapping of the till's local store.

These row classes are the storage shape; the domain works with its own dataclasses
(`app.domain.*`) and the services translate. Only Alembic (`migrations/`) creates or changes
the schema; `tests/integration/test_migrations.py` checks the two agree. The naming convention
and the time column type are shared with the server's tables (`dbtypes`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dbtypes import NAMING, UtcDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UtcDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Product(Base):
    __tablename__ = "products"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)  # the barcode (EAN-13 etc.)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40), index=True)
    unit_price: Mapped[int] = mapped_column(Integer)
    member_price: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Promotion(Base):
    __tablename__ = "promotions"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    multiplier: Mapped[str] = mapped_column(String(16))  # a decimal string, never a float
    categories: Mapped[list[str]] = mapped_column(default=list)
    skus: Mapped[list[str]] = mapped_column(default=list)
    starts: Mapped[datetime | None]
    ends: Mapped[datetime | None]


class Member(Base):
    __tablename__ = "members"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    card_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str | None] = mapped_column(String(80))
    birthday: Mapped[date | None] = mapped_column(Date)
    family: Mapped[str | None] = mapped_column(String(200))
    favourite_categories: Mapped[list[str]] = mapped_column(default=list)
    consent_policy_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime]
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[datetime]
    store_id: Mapped[str] = mapped_column(String(40))
    tier: Mapped[str] = mapped_column(String(16), default="basic")
    last_purchase_at: Mapped[datetime | None]
    merged_into: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))


class MemberAlias(Base):
    """An id merged into another member; it still resolves to the survivor."""

    __tablename__ = "member_aliases"
    alias_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    merged_at: Mapped[datetime]


class LedgerEntry(Base):
    """The points ledger: append-only. A balance is the sum of a member's rows."""

    __tablename__ = "ledger_entries"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"))
    refund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("refunds.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    __table_args__ = (Index("ix_ledger_entries_member_at", "member_id", "at"),)


class Coupon(Base):
    __tablename__ = "coupons"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[str] = mapped_column(String(16), default="0")
    cap: Mapped[int | None] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    multiplier: Mapped[str] = mapped_column(String(16), default="1")
    gift_sku: Mapped[str | None] = mapped_column(String(32))
    categories: Mapped[list[str]] = mapped_column(default=list)
    skus: Mapped[list[str]] = mapped_column(default=list)
    stackable: Mapped[bool] = mapped_column(Boolean, default=False)
    member_only: Mapped[bool] = mapped_column(Boolean, default=False)
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"), index=True)
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="issued")  # issued|redeemed|void
    issued_reason: Mapped[str] = mapped_column(String(32), default="")
    issued_at: Mapped[datetime]
    redeemed_sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"))


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(16), unique=True)  # the number typed at the till
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Shift(Base):
    __tablename__ = "shifts"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    cashier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime]
    opening_float: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None]
    counted_cash: Mapped[int | None] = mapped_column(Integer)
    z_no: Mapped[int | None] = mapped_column(Integer)


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    store_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    shift_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    cashier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    subtotal: Mapped[int] = mapped_column(Integer)
    member_savings: Mapped[int] = mapped_column(Integer)
    coupon_discount: Mapped[int] = mapped_column(Integer)
    points_redeemed: Mapped[int] = mapped_column(Integer)
    points_value: Mapped[int] = mapped_column(Integer)
    total_due: Mapped[int] = mapped_column(Integer)
    points_earned: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer)
    change_due: Mapped[int] = mapped_column(Integer)
    feedback_token: Mapped[str] = mapped_column(Text)
    new_member_code: Mapped[str | None] = mapped_column(Text)
    # The loyalty program version the sale was priced with (None: sold before versions existed).
    program_version: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_sales_member_at", "member_id", "at"),)


class ProgramVersion(Base):
    """A loyalty program version HQ published, as pulled (`app.domain.program.LoyaltyProgram`
    JSON in `body`). The version in force at an event's time prices and posts it."""

    __tablename__ = "program_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[datetime]
    body: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime]


class SaleLine(Base):
    __tablename__ = "sale_lines"
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    list_total: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)
    coupon_discount: Mapped[int] = mapped_column(Integer)
    points_discount: Mapped[int] = mapped_column(Integer)
    points_redeemed: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)
    points_earned: Mapped[int] = mapped_column(Integer)
    # Weighed goods: the weight sold and the price per kg (the line's qty is 1).
    grams: Mapped[int | None] = mapped_column(Integer, default=None)
    per_kg: Mapped[int | None] = mapped_column(Integer, default=None)
    # A manual discount or price a supervisor approved (app/services/price_changes.py).
    manual_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    manual_value: Mapped[int | None] = mapped_column(Integer, default=None)
    manual_reason: Mapped[str | None] = mapped_column(String(80), default=None)
    manual_discount: Mapped[int] = mapped_column(Integer, default=0)
    approval_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    approver_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id"), index=True)
    tender: Mapped[str] = mapped_column(String(16))  # cash|card|mobile
    amount: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(64), default="")


class CouponRedemption(Base):
    __tablename__ = "coupon_redemptions"
    coupon_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coupons.id"), primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id"), primary_key=True)
    discount: Mapped[int] = mapped_column(Integer)
    returned: Mapped[bool] = mapped_column(Boolean, default=False)


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id"), index=True)
    at: Mapped[datetime]
    cashier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    approver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    shift_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    money: Mapped[int] = mapped_column(Integer)
    points_reversed: Mapped[int] = mapped_column(Integer)
    points_given_back: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200), default="")
    reason_note: Mapped[str] = mapped_column(String(200), default="", server_default="")


class RefundLine(Base):
    __tablename__ = "refund_lines"
    refund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("refunds.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    qty: Mapped[int] = mapped_column(Integer)
    money: Mapped[int] = mapped_column(Integer)
    points_reversed: Mapped[int] = mapped_column(Integer)
    points_given_back: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    """Append-only, hash-chained. Never updated or deleted by the till."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    at: Mapped[datetime]
    terminal_id: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None]
    approver_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# The expression of `ix_outbox_unsent_member`; a query uses that index only when it says the
# same (the path as a literal, not a bound parameter).
OUTBOX_MEMBER_ID = "json_extract(payload, '$.member_id')"


class OutboxEvent(Base):
    """What the server must learn, written in the same transaction as the change itself."""

    __tablename__ = "outbox"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)  # why the server rejected it (sync)
    __table_args__ = (
        UniqueConstraint("terminal_id", "seq"),
        Index("ix_outbox_pending", "sent_at", "seq"),
        # A member's unsent events, for the offline redemption cap (app/services/offline.py),
        # which runs on every quote while the server is unreachable: without it, each quote
        # read every unsent event's JSON, a cost growing all through an outage.
        Index("ix_outbox_unsent_member", text(f"({OUTBOX_MEMBER_ID})"), sqlite_where=text("sent_at IS NULL")),
    )


class Counter(Base):
    """Per-terminal sequences (outbox seq, receipt numbers, card serials, Z numbers)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class PublicKey(Base):
    """Public keys the till trusts for member codes and feedback tokens (its own and others')."""

    __tablename__ = "public_keys"
    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(100))  # base64 raw Ed25519
    terminal_id: Mapped[str] = mapped_column(String(40), default="")
    added_at: Mapped[datetime]


class Revocation(Base):
    __tablename__ = "revocations"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # member|key|code
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]


class SyncState(Base):
    """The sync worker's small state (key/value): the pull cursor and the server's epoch."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SuspendedSale(Base):
    """A cart put aside before payment (the customer went to fetch something), recalled later
    on this till, even after a restart. Nothing was sold: recalling deletes the row."""

    __tablename__ = "suspended_sales"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40), index=True)
    cashier_id: Mapped[uuid.UUID]
    at: Mapped[datetime]
    member_id: Mapped[uuid.UUID | None]
    total: Mapped[int] = mapped_column(Integer)  # fen, as last priced (shown in the list)
    items: Mapped[int] = mapped_column(Integer)
    cart: Mapped[dict[str, Any]] = mapped_column()  # lines, coupons, redeem_points


class PointsOutcome(Base):
    """What the server decided about a points adjustment or compensation this till made: held
    for HQ (above the program's limits, or an approver HQ does not know), approved or rejected
    by HQ later (a pulled `points_outcome`), or refused at once. An entry held, rejected or
    refused is not in the member's balance here, as it is not on the server."""

    __tablename__ = "points_outcomes"
    entry_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16))  # held | approved | rejected | refused
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]  # when the till learnt it


class MemberIntel(Base):
    """What HQ's member intel says of a member (segment, lifecycle, top tags, items often bought
    with what the member buys), pulled as a `member_intel` change and shown on the member panel,
    offline too. Replaced whole by each pull; kept for merged-away ids (harmless)."""

    __tablename__ = "member_intel"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the member's id
    segment: Mapped[str] = mapped_column(String(40), default="")
    lifecycle: Mapped[str] = mapped_column(String(16), default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    suggestions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{sku, name_zh, name_en}]
    as_of: Mapped[datetime | None]


class Gift(Base):
    """HQ's gift catalogue (积分兑换) as this store sees it: `stock` is this store's."""

    __tablename__ = "gifts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GiftRedemption(Base):
    """A gift handed over for points at this till: its ledger entry, and the reversal's."""

    __tablename__ = "gift_redemptions"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    gift_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    points: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[uuid.UUID]
    at: Mapped[datetime]
    staff_id: Mapped[uuid.UUID]
    reversed_at: Mapped[datetime | None]
    reversal_entry_id: Mapped[uuid.UUID | None]
