"""Input and output of the pricing engine: frozen values, integer fen and points, exact ratios.

Money is integer fen and points are integers everywhere. Multipliers, percents and shares are
`Fraction`s (parsed from decimal strings), so nothing is ever a float. Datetimes are aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from app.domain.program import LoyaltyProgram, Redemption, TierLevel

PromotionKind = Literal["points_multiplier", "birthday_multiplier"]
CouponKind = Literal["amount_off", "percent_off", "free_gift", "points_multiplier"]

PROMOTION_KINDS: tuple[PromotionKind, ...] = ("points_multiplier", "birthday_multiplier")
COUPON_KINDS: tuple[CouponKind, ...] = (
    "amount_off",
    "percent_off",
    "free_gift",
    "points_multiplier",
)

# Reasons a coupon can be rejected, in the order they are checked (after "duplicate").
REJECT_DUPLICATE = "duplicate"
REJECT_NOT_YET_VALID = "not_yet_valid"
REJECT_EXPIRED = "expired"
REJECT_MEMBER_ONLY = "member_only"
REJECT_NOT_STACKABLE = "not_stackable"
REJECT_NO_ELIGIBLE_LINES = "no_eligible_lines"
REJECT_BELOW_THRESHOLD = "below_threshold"

# Reasons a points redemption request can be rejected, in the order they are checked.
POINTS_NO_MEMBER = "no_member"
POINTS_BAD_STEP = "bad_step"
POINTS_INSUFFICIENT = "insufficient_points"


def _default_tiers() -> dict[str, Fraction]:
    return {
        "basic": Fraction(1),
        "silver": Fraction(6, 5),
        "gold": Fraction(3, 2),
        "black": Fraction(2),
    }


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class Program:
    """The store's loyalty configuration (defaults: DOMAIN.md)."""

    earn_points_per_yuan: Fraction | int = 1
    tier_multipliers: dict[str, Fraction] = field(default_factory=_default_tiers)
    points_per_yuan_redeemed: int = 100
    redeem_step: int = 100
    redeem_max_share: Fraction = Fraction(1, 2)

    @classmethod
    def default(cls) -> Program:
        return cls()


@dataclass(frozen=True, slots=True)
class MemberContext:
    """What pricing needs to know about the identified member."""

    tier: str
    points_balance: int
    birthday: date | None = None


@dataclass(frozen=True, slots=True)
class BasketLine:
    """One scanned line. Weighed goods: `unit_price` is the price of the weighed amount, qty 1."""

    sku: str
    category: str
    unit_price: int
    qty: int
    member_price: int | None = None


@dataclass(frozen=True, slots=True)
class Promotion:
    """An item promotion that multiplies earned points.

    `points_multiplier`: lines whose category is in `categories` or whose sku is in `skus`
    (both empty: every line), active when `starts <= at < ends` (a missing bound is open).
    `birthday_multiplier`: every line, active when the member's birthday month is `at`'s month.
    """

    id: str
    kind: PromotionKind
    multiplier: Fraction
    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    starts: datetime | None = None
    ends: datetime | None = None


@dataclass(frozen=True, slots=True)
class CouponSpec:
    """A coupon presented at the till. Which fields matter depends on `kind`:

    `amount_off`: `amount`; `percent_off`: `percent` and optional `cap`; `free_gift`:
    `gift_sku` (one unit of that sku becomes free); `points_multiplier`: `multiplier`
    (acts like a points promotion on its eligible lines; no money discount).
    """

    code: str
    kind: CouponKind
    amount: int | None = None
    percent: Fraction | None = None
    cap: int | None = None
    threshold: int = 0
    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    stackable: bool = False
    member_only: bool = False
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    gift_sku: str | None = None
    multiplier: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Basket:
    """Everything needed to price one sale. `member` None is an anonymous sale."""

    at: datetime
    program: Program
    member: MemberContext | None
    lines: tuple[BasketLine, ...]
    promotions: tuple[Promotion, ...] = ()
    coupons: tuple[CouponSpec, ...] = ()
    redeem_points: int = 0


# --------------------------------------------------------------------------- output


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One priced line. `net = line_total - coupon_discount - points_discount`.

    `points_redeemed` is the part of the sale's redeemed points that paid for this line (what a
    refund of the line gives back); it is not part of the quote contract's JSON.
    """

    sku: str
    qty: int
    list_total: int
    line_total: int
    coupon_discount: int
    points_discount: int
    net: int
    points_earned: int
    points_redeemed: int


@dataclass(frozen=True, slots=True)
class AppliedCoupon:
    """An accepted coupon; `allocations[i]` is the part of `discount` taken off line i."""

    code: str
    discount: int
    allocations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RejectedCoupon:
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced sale. `subtotal - member_savings - coupon_discount - points_value == total_due`,
    and each of those totals is the sum over `lines`."""

    lines: tuple[QuoteLine, ...]
    subtotal: int
    member_savings: int
    coupon_discount: int
    applied_coupons: tuple[AppliedCoupon, ...]
    rejected_coupons: tuple[RejectedCoupon, ...]
    points_redeemed: int
    points_value: int
    points_capped: bool
    points_rejected: str | None
    total_due: int
    points_earned: int


def pricing_program(program: LoyaltyProgram) -> Program:
    """The engine's view of a loyalty program version (earning and redemption); built once
    per set of those rules (every quote asks for it)."""
    return _pricing(program.earn_points_per_yuan, program.tiers, program.redemption)


@lru_cache(maxsize=64)
def _pricing(earn: int, tiers: tuple[TierLevel, ...], r: Redemption) -> Program:
    return Program(
        earn_points_per_yuan=earn,
        tier_multipliers={str(t.tier): Fraction(t.multiplier) for t in tiers},
        points_per_yuan_redeemed=r.points_per_yuan,
        redeem_step=r.step,
        redeem_max_share=Fraction(r.max_share),
    )


def birthday_promotion(program: LoyaltyProgram) -> Promotion | None:
    """The program's birthday multiplier as the engine's promotion (None when it has none)."""
    if program.birthday_multiplier is None:
        return None
    return Promotion(
        f"program:{program.version}:birthday", "birthday_multiplier", Fraction(program.birthday_multiplier)
    )
