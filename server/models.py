"""The server's tables (PostgreSQL; SQLite for a one-store demo).

`Base` is shared: other server packages (e.g. ``server.feedback``) register their tables on
it, and ``server/migrations`` (Alembic) is the only thing that creates or changes the schema.
Ids are UUIDs, money integer fen, times aware (stored as ``timestamptz``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Final, Literal, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Uuid,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dbtypes import NAMING, UtcDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")
BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UtcDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JsonType,
        list[str]: JsonType,
        list[dict[str, Any]]: JsonType,
    }


# ------------------------------------------------------------------ server, stores, terminals


class ServerMeta(Base):
    """Key/value facts about this server: its epoch (a restored server gets a new one)."""

    __tablename__ = "server_meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    # The store's zone decides its calendar rules (birthday month, expiry year-end), on the
    # server as on its tills (`till.toml` [store] timezone).
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai", server_default="Asia/Shanghai")


class ProgramVersion(Base):
    """A loyalty program version HQ published (`app.domain.program.LoyaltyProgram` JSON in
    `body`), sent to every till as a `program` change. Never changed once published: HQ
    publishes a new version instead."""

    __tablename__ = "program_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[datetime]
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(80))


class Terminal(Base):
    """A till. Enrolled once with a one-time code; afterwards it authenticates with its token
    (stored hashed) from the one device that enrolled it."""

    __tablename__ = "terminals"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime]
    enrol_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrol_expires_at: Mapped[datetime | None]
    enrolled_at: Mapped[datetime | None]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    public_key: Mapped[str | None] = mapped_column(String(100))
    till_version: Mapped[str] = mapped_column(String(40), default="")
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The change-log seq this till's last pull asked to continue after: everything up to it
    # is applied there (server/reach.py; the console's "which tills have the program").
    pull_cursor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    clock_skew_s: Mapped[int | None] = mapped_column(Integer)
    clock_flagged_at: Mapped[datetime | None]


class AuditAnchor(Base):
    """A head of a till's hash-chained audit log, as the till sent it with a push (kept for
    ever): a later push whose log no longer holds it, or holds it with another hash, is an
    `audit_mismatch` conflict (server/audit.py)."""

    __tablename__ = "audit_anchors"
    terminal_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


# ------------------------------------------------------------------ events (push)


class Event(Base):
    """Every event a till pushed, kept for ever: the id makes deduplication permanent, the hash
    tells a retry from an id reused with another payload, `result` is what a retry gets back."""

    __tablename__ = "events"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(40))
    payload_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # applied | rejected
    reason: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    received_at: Mapped[datetime]
    __table_args__ = (Index("ix_events_terminal_seq", "terminal_id", "seq"),)


class ParkedEvent(Base):
    """A rejected event, whole, for a person at HQ to review. The till is told and moves on."""

    __tablename__ = "parked_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(index=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(200))
    event: Mapped[dict[str, Any]] = mapped_column(JsonType)
    received_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    # Set by the console's review (server/console/routes/conflicts.py); the event stays parked.
    reviewed_by: Mapped[str | None] = mapped_column(String(80), default=None)
    review_note: Mapped[str | None] = mapped_column(String(500), default=None)


# ------------------------------------------------------------------ loyalty


class Member(Base):
    __tablename__ = "members"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164; None on a stub
    card_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str | None] = mapped_column(String(80))
    birthday: Mapped[date | None] = mapped_column(Date)
    family: Mapped[str | None] = mapped_column(String(200))
    favourite_categories: Mapped[list[str]] = mapped_column(JsonType, default=list)
    consent_policy_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[datetime | None]
    store_id: Mapped[str | None] = mapped_column(String(40))
    tier: Mapped[str] = mapped_column(String(16), default="basic")
    last_purchase_at: Mapped[datetime | None]
    merged_into: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # A member known only from a sale that reached the server before its registration.
    stub: Mapped[bool] = mapped_column(Boolean, default=False)
    overdraft_flagged_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class MemberAlias(Base):
    __tablename__ = "member_aliases"
    alias_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    merged_at: Mapped[datetime]


class MemberStore(Base):
    """A member registered at or seen at a store: that store's tills pull the member's changes."""

    __tablename__ = "member_stores"
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The largest change seq when the store started seeing the member (server/pull.py, "First
    # sight"): the member's rows up to it are not sent to the store, its current state is.
    # None: every row (the member's own store, and rows from before this column).
    since_seq: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_member_stores_store", "store_id", "member_id"),)


class LedgerEntry(Base):
    """Append-only. `terminal_id` is where the entry was made (none for HQ)."""

    __tablename__ = "ledger_entries"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    sale_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    refund_id: Mapped[uuid.UUID | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    terminal_id: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[uuid.UUID | None]


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
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)
    skus: Mapped[list[str]] = mapped_column(JsonType, default=list)
    stackable: Mapped[bool] = mapped_column(Boolean, default=False)
    member_only: Mapped[bool] = mapped_column(Boolean, default=False)
    member_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    store_id: Mapped[str | None] = mapped_column(String(40))  # bearer coupons: the store they are for
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="issued")  # issued|redeemed|void
    issued_reason: Mapped[str] = mapped_column(String(64), default="")
    issued_at: Mapped[datetime]
    redeemed_sale_id: Mapped[uuid.UUID | None]
    terminal_id: Mapped[str | None] = mapped_column(String(40))


# Every kind of conflict the server records (the push rules, a merge, an audit log check):
# one list, which `record_conflict` is typed with and the console labels (a test checks both).
ConflictKind = Literal[
    "points_overdraft",
    "points_mismatch",
    "coupon_unknown",
    "coupon_reused",
    "coupon_other_member",
    "coupon_out_of_scope",
    "welcome_coupon_terms",
    "refund_points_held",
    "member_merged",
    "audit_mismatch",
    "manual_price_unjustified",
    "gift_unknown",
    "gift_inactive",
    "gift_points_mismatch",
    "gift_points_short",
    "gift_out_of_stock",
    "gift_reversal_mismatch",
    "gift_reversal_unapproved",
]
CONFLICT_KINDS: Final[tuple[str, ...]] = get_args(ConflictKind)


class Conflict(Base):
    """A conflict settled by the server's rules, kept for HQ (nothing is dropped); `kind` is
    one of `CONFLICT_KINDS`."""

    __tablename__ = "conflicts"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # a ConflictKind
    at: Mapped[datetime]
    member_id: Mapped[uuid.UUID | None]
    sale_id: Mapped[uuid.UUID | None]
    terminal_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    resolved_at: Mapped[datetime | None]


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(64), index=True)
    store_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    cashier_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime] = mapped_column(index=True)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    member_savings: Mapped[int] = mapped_column(BigInteger)
    coupon_discount: Mapped[int] = mapped_column(BigInteger)
    points_redeemed: Mapped[int] = mapped_column(BigInteger)
    points_value: Mapped[int] = mapped_column(BigInteger)
    total_due: Mapped[int] = mapped_column(BigInteger)
    points_earned: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger)
    change_due: Mapped[int] = mapped_column(BigInteger)
    feedback_token: Mapped[str] = mapped_column(Text, default="")
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    payments: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    coupons: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[uuid.UUID]
    program_version: Mapped[int | None] = mapped_column(Integer)  # as the till named it
    __table_args__ = (Index("ix_sales_member_at", "member_id", "at"),)


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(index=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime]
    money: Mapped[int] = mapped_column(BigInteger)
    points_reversed: Mapped[int] = mapped_column(BigInteger)
    points_given_back: Mapped[int] = mapped_column(BigInteger)
    full: Mapped[bool] = mapped_column(Boolean)
    # Why the goods came back (app.domain.refunds.REFUND_REASONS; "" from tills before reasons)
    # and the cashier's words; also in `details`, the event as sent.
    reason: Mapped[str] = mapped_column(String(32), default="", server_default="")
    reason_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    event_id: Mapped[uuid.UUID]


class TillRecord(Base):
    """Other till facts kept for reports and loss prevention: voids, shift closes."""

    __tablename__ = "till_records"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "<type>:<id>"
    type: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)


# ------------------------------------------------------------------ catalogue (HQ-managed)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[int] = mapped_column(BigInteger)
    member_price: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Promotion(Base):
    __tablename__ = "promotions"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    multiplier: Mapped[str] = mapped_column(String(16))
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)
    skus: Mapped[list[str]] = mapped_column(JsonType, default=list)
    starts: Mapped[datetime | None]
    ends: Mapped[datetime | None]


class Revocation(Base):
    __tablename__ = "revocations"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # member|key|code
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]


class MemberLookup(Base):
    """One online member look-up by a till (who, when, by what, why, which member it found):
    kept so HQ can see which tills look up whom, and counted to limit each till's rate
    (server/lookup.py). Holds no phone number or code, only the member's id."""

    __tablename__ = "member_lookups"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(40))
    store_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(8))  # phone | code
    reason: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(12))  # found | not_found | refused | self_signed
    member_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    __table_args__ = (Index("ix_member_lookups_terminal_at", "terminal_id", "at"),)


# ------------------------------------------------------------------ change log (pull)


class ChangeRow(Base):
    """What tills pull. `seq` is assigned in commit order (see server/pull.py), so every seq
    below the largest visible one has committed. Scope: `store_id` (None: every store) or
    `member_id` (the stores that member is registered at or was seen at)."""

    __tablename__ = "changes"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(24))
    op: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    store_id: Mapped[str | None] = mapped_column(String(40))
    member_id: Mapped[uuid.UUID | None]
    origin_terminal: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime]
    __table_args__ = (
        Index("ix_changes_member_seq", "member_id", "seq"),
        Index("ix_changes_store_seq", "store_id", "seq"),
        Index(
            "ix_changes_program",
            "key",
            postgresql_where=sql_text("entity = 'program'"),
            sqlite_where=sql_text("entity = 'program'"),
        ),
    )
