"""The payloads of the events a till pushes (`schema_version` 1): one model per event type
(`EVENT_PAYLOADS`). Both ends use them: the till's outbox writer checks every payload it
writes with its model (`app.services.outbox.record_event`), and the server reads the payload
it receives with the same model (`server/push/handlers`). They are part of the wire protocol
(`sync.protocol` names them); they live here because the till's services, which write the
events, may not import `sync/` (the layering contracts), while `sync/` and `server/` may
import `app.domain`."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError


class _P(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


MAX_BIGINT = 2**63 - 1

# Every time in an event lies in this range; anything else is a broken clock or a forged event
# (and year 9999 with a -23:59 offset cannot even be converted to UTC).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _sane(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise PydanticCustomError("time_out_of_range", "a time between 2000 and 2100 is expected")
    return value


SaneTime = Annotated[AwareDatetime, AfterValidator(_sane)]
MAX_FEN = 10**12  # ¥10 billion: beyond any sale, inside every integer column
MAX_POINTS = 10**9


class ConsentP(_P):
    policy_version: str = Field(max_length=20)
    accepted_at: SaneTime
    marketing_opt_in: bool = False


class WelcomeTermsP(_P):
    """The till's welcome coupon as it issued it (newer tills); else the server's settings."""

    kind: str = Field(default="amount_off", max_length=24)
    amount: int = Field(ge=0, le=MAX_POINTS)
    threshold: int = Field(default=0, ge=0, le=MAX_POINTS)
    valid_from: SaneTime
    valid_to: SaneTime


class MemberRegisteredP(_P):
    member_id: uuid.UUID
    phone: str = Field(max_length=40)
    card_no: str | None = Field(default=None, max_length=20)
    name: str | None = Field(default=None, max_length=80)
    birthday: date | None = None
    family: str | None = Field(default=None, max_length=200)
    favourite_categories: list[str] = Field(default_factory=list, max_length=50)
    consent: ConsentP
    store_id: str = Field(max_length=40)
    registered_at: SaneTime
    welcome_coupon: str | None = Field(default=None, max_length=40)
    welcome_coupon_terms: WelcomeTermsP | None = None


class SaleCouponP(_P):
    code: str = Field(max_length=40)
    discount: int = Field(le=MAX_FEN, ge=0)


class SaleCompletedP(_P):
    sale_id: uuid.UUID
    receipt_no: str = Field(max_length=64)
    store_id: str = Field(max_length=40)
    terminal_id: str = Field(max_length=40)
    cashier_id: str = Field(max_length=40)
    member_id: uuid.UUID | None = None
    # The signed member code that identified the member, when one did: the server then lets
    # this store's tills receive the member (a member id alone does not).
    member_code: str | None = Field(default=None, max_length=400)
    at: SaneTime
    subtotal: int = Field(ge=-MAX_FEN, le=MAX_FEN)
    member_savings: int = Field(default=0, ge=-MAX_FEN, le=MAX_FEN)
    coupon_discount: int = Field(le=MAX_FEN, default=0, ge=0)
    points_redeemed: int = Field(le=MAX_POINTS, default=0, ge=0)
    points_value: int = Field(le=MAX_FEN, default=0, ge=0)
    total_due: int = Field(le=MAX_FEN, ge=0)
    points_earned: int = Field(le=MAX_POINTS, default=0, ge=0)
    paid: int = Field(le=MAX_FEN, ge=0)
    change_due: int = Field(le=MAX_FEN, default=0, ge=0)
    feedback_token: str = Field(default="", max_length=400)
    coupons: list[SaleCouponP] = Field(default_factory=list, max_length=20)
    payments: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    lines: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)
    # The loyalty program version the till priced the sale with (app.domain.program); None
    # from tills older than program versions. 0: the till's own program file or the defaults.
    program_version: int | None = Field(default=None, ge=0, le=2**31 - 1)


class RefundCompletedP(_P):
    refund_id: uuid.UUID
    sale_id: uuid.UUID
    member_id: uuid.UUID | None = None
    at: SaneTime
    money: int = Field(le=MAX_FEN, ge=0)
    full: bool = False
    points_reversed: int = Field(le=MAX_POINTS, default=0, ge=0)
    points_given_back: int = Field(le=MAX_POINTS, default=0, ge=0)
    coupons_returned: list[str] = Field(default_factory=list, max_length=20)
    receipt_no: str = Field(default="", max_length=64)
    # Why the goods came back (app.domain.refunds.REFUND_REASONS; "" from tills before reasons)
    # and the cashier's words (always for "other").
    reason: str = Field(default="", max_length=32)
    reason_note: str = Field(default="", max_length=200)


class PointsEntryP(_P):
    entry_id: uuid.UUID
    member_id: uuid.UUID
    points: int = Field(ge=-MAX_POINTS, le=MAX_POINTS)
    at: SaneTime
    note: str = Field(default="", max_length=200)
    expires_at: SaneTime | None = None
    ticket_id: str | None = Field(default=None, max_length=64)
    staff_id: str | None = Field(default=None, max_length=40)
    approver_id: str | None = Field(default=None, max_length=40)


class CouponIssuedP(_P):
    coupon_id: uuid.UUID
    code: str = Field(max_length=40)
    member_id: uuid.UUID | None = None
    kind: str = Field(max_length=24)
    reason: str = Field(default="", max_length=64)
    amount: int = Field(le=MAX_POINTS, default=0, ge=0)
    percent: str = Field(default="0", max_length=16)
    cap: int | None = Field(default=None, ge=0, le=MAX_POINTS)
    threshold: int = Field(le=MAX_POINTS, default=0, ge=0)
    multiplier: str = Field(default="1", max_length=16)
    categories: list[str] = Field(default_factory=list, max_length=50)
    valid_from: SaneTime
    valid_to: SaneTime


class VoidedP(_P):
    void_id: str = Field(max_length=40)
    at: SaneTime


class ShiftClosedP(_P):
    shift_id: uuid.UUID
    at: SaneTime


# The model of each event type's payload, in the order of sync.protocol.EVENT_TYPES.
class GiftRedeemedP(_P):
    """A gift handed over for points: `entry_id` is the redeem ledger entry (-`points`)."""

    redemption_id: uuid.UUID
    entry_id: uuid.UUID
    member_id: uuid.UUID
    gift_id: str = Field(min_length=1, max_length=40)
    gift_name: str = Field(default="", max_length=120)
    points: int = Field(gt=0, le=MAX_POINTS)
    at: SaneTime
    staff_id: str | None = Field(default=None, max_length=40)


class GiftReversedP(_P):
    """A gift redemption undone (the gift came back): `entry_id` is the reversal (+`points`)."""

    redemption_id: uuid.UUID
    entry_id: uuid.UUID
    member_id: uuid.UUID
    gift_id: str = Field(min_length=1, max_length=40)
    points: int = Field(gt=0, le=MAX_POINTS)
    at: SaneTime
    staff_id: str | None = Field(default=None, max_length=40)
    approver_id: str | None = Field(default=None, max_length=40)  # the supervisor (tills since 2026-12)


EVENT_PAYLOADS: dict[str, type[BaseModel]] = {
    "member.registered": MemberRegisteredP,
    "sale.completed": SaleCompletedP,
    "refund.completed": RefundCompletedP,
    "points.adjusted": PointsEntryP,
    "points.expired": PointsEntryP,
    "points.compensated": PointsEntryP,
    "coupon.issued": CouponIssuedP,
    "cart.voided": VoidedP,
    "shift.closed": ShiftClosedP,
    "gift.redeemed": GiftRedeemedP,
    "gift.reversed": GiftReversedP,
}


def check_payload(event_type: str, payload: dict[str, Any]) -> None:
    """Raise ValueError (a pydantic ValidationError naming the field) when `payload` is not what
    the server reads for `event_type`, or when the protocol has no such event type."""
    model = EVENT_PAYLOADS.get(event_type)
    if model is None:
        raise ValueError(f"no such event type: {event_type!r}")
    model.model_validate(payload)
