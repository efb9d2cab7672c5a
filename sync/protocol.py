"""The wire protocol between a till and the central server (both ends import this module).

JSON over HTTPS. Every call but enrolment carries `Authorization: Bearer <terminal token>` and
`X-Device-Id: <the installation's random id>`; the server refuses a second device presenting
a terminal's token while the first is active, and any token of a revoked terminal.

Endpoints (all under `/api/v1`):
- `POST /enrol`              EnrolRequest -> EnrolResponse (one-time code, no token yet)
- `POST /sync/push`          PushRequest -> PushResponse
- `POST /sync/pull`          PullRequest -> PullResponse
- `GET  /members/lookup?phone=...|code=...` -> LookupResponse (online lookup; the till waits
  at most `lookup_timeout_ms`, then carries on offline)
- `GET  /f/{token}`, `POST /f/{token}` the customer feedback page (no auth; signed token)

Money is integer fen, points integers, times ISO 8601 with offset, ids UUIDv7 strings.

Added fields
------------
Tills update later than the server, so the two ends are read differently:
- What the *till* reads (every `*Response`, `EventResult`, `Change`, `ErrorBody`: `_Response`)
  ignores fields it does not know: a newer server may add a field, and an older till goes on
  working without it. So a field added to a response is optional for the till (a default, as
  `EnrolResponse.feedback_base_url`), and a server never relies on an old till using it.
- What the *server* reads (every `*Request`, `WireEvent`, `AuditAnchor`: `_Request`) stays
  strict: an unknown field is refused with 422 `invalid_request`, never a 5xx and never
  silently dropped (a field a till thinks the server honours but it does not). A till may send
  a new field only to a server that declares it (a new field, with a default, in the model
  here), which is the same change as the server learning to read it.
Event payloads are `app.domain.events` models (their own rules, by `schema_version`);
`Change.data` and `LookupResponse.member` are rows, whose unknown columns the till's apply
code leaves out (`app.store.pulled.values.row_values`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.domain.events import EVENT_PAYLOADS

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
MAX_PUSH_EVENTS = 500
MAX_PULL_LIMIT = 1000
MAX_BODY_BYTES = 4 * 1024 * 1024

# Event types a till pushes (its outbox), with `schema_version` 1 payloads as written by
# app/services; each payload's model (its fields) is app.domain.events.EVENT_PAYLOADS[type],
# which the till's outbox writer and the server both use:
EVENT_TYPES = (
    "member.registered",  # app.services.members.register_member
    "sale.completed",  # app.services.checkout.complete_sale (lines, payments, coupons, points)
    "refund.completed",  # app.services.refunds.refund_sale
    "points.adjusted",  # app.services.points.adjust_points
    "points.expired",  # app.services.points.expire_due / a sale writing due expiries
    "points.compensated",  # app.services.campaigns.compensate
    "coupon.issued",  # app.services.campaigns
    "cart.voided",  # app.services.voids.void_lines
    "shift.closed",  # app.services.shifts.close_shift
    "gift.redeemed",  # app.services.gifts.redeem_gift
    "gift.reversed",  # app.services.gifts.reverse_gift
)
assert tuple(EVENT_PAYLOADS) == EVENT_TYPES

# What a pull carries, by `entity`; `data` is the row as the till stores it (app/store/orm.py
# column names), `key` its primary key as text.
ENTITIES = (
    "member",  # members seen at or registered in this store (phone, card, name, tier; never
    # family/favourite_categories); a store that starts seeing a member gets its current
    # state (member, aliases, ledger, usable coupons, intel) once, not its older rows
    "member_alias",  # {"alias_id", "member_id"}: a merge; the till applies app.services.merges
    "ledger_entry",  # points ledger rows of those members, made elsewhere (other tills, HQ)
    "coupon",  # coupons issued to those members, and bearer coupons for this store
    "product",
    "promotion",
    "revocation",  # {"kind": member|key|code, "value"}
    "public_key",  # {"key_id", "public_key", "terminal_id"}: other terminals' signing keys
    "program",  # a loyalty program version HQ published (app.domain.program.LoyaltyProgram JSON)
    # HQ's decision on an adjustment or compensation it held: {"entry_id", "event_id",
    # "member_id", "terminal_id", "status": approved|rejected, "reason", "note", "decided_at"}
    "points_outcome",
    "member_intel",  # {"id" (the member's), segment, lifecycle, tags, suggestions, as_of}: HQ's intel
    "gift",  # HQ's gift catalogue: {"id", name_zh, name_en, points, stock (this store's), active}
)


class _Request(BaseModel):
    """Sent by a till, read by the server: strict (see "Added fields" above)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Response(BaseModel):
    """Sent by the server, read by a till: fields it does not know are ignored (see "Added
    fields" above)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorBody(_Response):
    """Every 4xx/5xx answer: a stable code and a message a person can read."""

    code: str
    message: str


class EnrolRequest(_Request):
    code: str = Field(min_length=6, max_length=64)
    device_id: str = Field(min_length=8, max_length=64)
    key_id: str = Field(min_length=1, max_length=40)
    public_key: str = Field(min_length=40, max_length=64, description="base64 raw Ed25519")
    till_version: str = Field(default="", max_length=40)


class EnrolResponse(_Response):
    store_id: str
    terminal_id: str
    token: str = Field(description="the terminal's secret; keep it in the till's home, never log it")
    epoch: str
    server_time: AwareDatetime
    # Where this till's receipt QR codes lead: the server's feedback page as phones reach it
    # (`public_base_url`, else the address the till enrolled at). "" from servers before it.
    feedback_base_url: str = Field(default="", max_length=400)


class WireEvent(_Request):
    """One outbox row, as the till stored it."""

    id: uuid.UUID
    terminal_id: str = Field(max_length=40)
    seq: int = Field(ge=1)
    type: str = Field(max_length=40)
    schema_version: int = Field(ge=1)
    payload: dict[str, Any]
    created_at: AwareDatetime


class AuditAnchor(_Request):
    """The head of the till's hash-chained audit log (app/domain/audit.py), and the till's hash
    at the seq the server acknowledged last (`PushResponse.audit_ack_seq`). The server keeps the
    heads it was sent: a log edited, or cut short, on the till no longer matches them, and the
    server records an `audit_mismatch` conflict for HQ."""

    head_seq: int = Field(ge=0, description="the last record's seq; 0 for an empty log")
    head_hash: str = Field(pattern="^[0-9a-f]{64}$")
    check_seq: int | None = Field(default=None, ge=1)
    check_hash: str = Field(
        default="",
        pattern="^([0-9a-f]{64})?$",
        description="the till's hash at check_seq; empty: no such record",
    )


class PushRequest(_Request):
    events: list[WireEvent] = Field(max_length=MAX_PUSH_EVENTS)
    till_time: AwareDatetime = Field(description="the till's clock, to flag a clock far off")
    audit: AuditAnchor | None = None


EventStatus = Literal["applied", "duplicate", "rejected"]


class EventResult(_Response):
    """`duplicate` carries the original result; `rejected` is acknowledged and parked for review
    on the server: the till marks it sent and never retries it."""

    id: uuid.UUID
    status: EventStatus
    reason: str | None = None
    result: dict[str, Any] | None = None


class PushResponse(_Response):
    results: list[EventResult]
    server_time: AwareDatetime
    epoch: str
    clock_skew_flagged: bool = False
    audit_ack_seq: int | None = None  # the audit head the server now holds for this till


class PullRequest(_Request):
    cursor: int = Field(ge=0, description="the seq of the last change applied; 0 for everything")
    epoch: str | None = Field(default=None, description="the epoch the cursor belongs to")
    limit: int = Field(default=500, ge=1, le=MAX_PULL_LIMIT)


class Change(_Response):
    seq: int = Field(ge=1)
    entity: str
    op: Literal["upsert", "delete"]
    key: str
    data: dict[str, Any]


class PullResponse(_Response):
    """Changes with seq > cursor, up to the watermark below which every seq has committed.
    `cursor` is the seq of the last change returned (unchanged when none). `reset` means the
    server's epoch differs from the request's: drop the cursor and pull from 0."""

    changes: list[Change]
    cursor: int
    more: bool
    epoch: str
    reset: bool = False


class LookupResponse(_Response):
    found: bool
    member: dict[str, Any] | None = None
    ledger: list[dict[str, Any]] = Field(default_factory=list)
    coupons: list[dict[str, Any]] = Field(default_factory=list)


def utc_iso(value: datetime) -> str:
    return value.isoformat()
