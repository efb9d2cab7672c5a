"""The loyalty program (DOMAIN.md, "The loyalty program is HQ's"): one versioned value.

Tiers (thresholds, multipliers, benefits), earning, redemption, expiry, the birthday multiplier,
the welcome coupon and the offline rules' defaults form one `LoyaltyProgram`, owned by HQ on the
server, effective from a given time and pulled by every till (a till with no server reads it
from `program.json` in its home). Till and server call the same methods here to tier a member,
date an expiry and write a welcome coupon's terms, so the two ends agree by construction.

The store's time zone is not part of the program: it belongs to the store, and every method
that needs a calendar takes it as an argument.

Pure: no I/O, no clock. Frozen pydantic models; JSON in and out (`parse_program`,
`LoyaltyProgram.to_json`); ratios are decimal strings on the wire and `Fraction`s in use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from app.domain.points import expiry_for
from app.domain.tiers import Tier, TierRule, TierTable, tier_for_spend
from app.domain.trust import TillTrust

DecimalText = Annotated[str, Field(pattern=r"^\d+(\.\d+)?$", max_length=20)]


def _plain_text(value: str) -> str:
    if any(ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) == 0x7F for ch in value):
        raise ValueError("control characters and lone surrogates are not allowed")
    return value


Text = Annotated[str, AfterValidator(_plain_text)]
Whole = Annotated[int, Strict()]  # never "5" or 5.0: a program is written by hand, errors show
Flag = Annotated[bool, Strict()]

# Built-in defaults are "version 0, always in force": what a till uses before it knows better.
DEFAULTS_EFFECTIVE_FROM = datetime(2000, 1, 1, tzinfo=UTC)
EARLIEST, LATEST = DEFAULTS_EFFECTIVE_FROM, datetime(2100, 1, 1, tzinfo=UTC)


class ProgramError(ValueError):
    """A program that cannot be used; the message names each field at fault and why.
    `faults` holds the same as (dotted path, why) pairs, for a form to show each next to its
    field ("program" when the fault is the program's as a whole)."""

    def __init__(self, message: str, faults: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.faults = faults or tuple(_split_faults(message))


def _split_faults(message: str) -> list[tuple[str, str]]:
    out = []
    for part in message.split("; "):
        where, sep, why = part.partition(": ")
        out.append((where, why) if sep else ("program", part))
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierLevel(_Model):
    """A tier: reached at `threshold_fen` of 12-month spend; earns × `multiplier`."""

    tier: Tier
    threshold_fen: Whole = Field(ge=0)
    multiplier: DecimalText
    benefits_zh: tuple[Annotated[Text, Field(max_length=80)], ...] = Field(default=(), max_length=10)
    benefits_en: tuple[Annotated[Text, Field(max_length=80)], ...] = Field(default=(), max_length=10)

    @field_validator("multiplier")
    @classmethod
    def _positive(cls, value: str) -> str:
        if Decimal(value) <= 0:
            raise ValueError("a points multiplier must be more than 0")
        return value


def _default_tiers() -> tuple[TierLevel, ...]:
    return (
        TierLevel(
            tier=Tier.BASIC,
            threshold_fen=0,
            multiplier="1.0",
            benefits_zh=("新人礼券",),
            benefits_en=("Welcome coupon",),
        ),
        TierLevel(
            tier=Tier.SILVER,
            threshold_fen=200_000,
            multiplier="1.2",
            benefits_zh=("生日礼券",),
            benefits_en=("Birthday coupon",),
        ),
        TierLevel(
            tier=Tier.GOLD,
            threshold_fen=1_000_000,
            multiplier="1.5",
            benefits_zh=("更多会员价商品", "优先服务"),
            benefits_en=("Member prices on more items", "Priority service"),
        ),
        TierLevel(
            tier=Tier.BLACK,
            threshold_fen=5_000_000,
            multiplier="2.0",
            benefits_zh=("专属服务", "新品试用"),
            benefits_en=("Exclusive service", "New-product trials"),
        ),
    )


class Redemption(_Model):
    """100 points = ¥1, in steps of 100, at most half the sale (DOMAIN.md)."""

    points_per_yuan: Whole = Field(default=100, ge=1)
    step: Whole = Field(default=100, ge=1)
    max_share: DecimalText = "0.5"
    offline_overdraw: Flag = Field(
        default=True, description="allow redeeming against a till's cached balance while offline"
    )

    @field_validator("max_share")
    @classmethod
    def _share(cls, value: str) -> str:
        if not Decimal(0) <= Decimal(value) <= Decimal(1):
            raise ValueError("must be between 0 and 1")
        return value


class Expiry(_Model):
    """Points expire at the end of the calendar year `years_after` years after the one they were
    earned in (1: the next one), in the store's zone."""

    policy: Literal["calendar_year_end"] = "calendar_year_end"
    years_after: Whole = Field(default=1, ge=0, le=10)
    expiring_soon_days: Whole = Field(default=60, ge=1, le=366)


class WelcomeTerms(_Model):
    """A welcome coupon as issued: what the till records and tells the server."""

    kind: Literal["amount_off"] = "amount_off"
    amount: int
    threshold: int
    valid_from: datetime
    valid_to: datetime


class WelcomeCoupon(_Model):
    """The coupon a new member gets at registration; `amount_fen` 0 means none."""

    amount_fen: Whole = Field(default=1000, ge=0)
    threshold_fen: Whole = Field(default=5000, ge=0)
    valid_days: Whole = Field(default=30, ge=1, le=3660)

    @property
    def issued(self) -> bool:
        return self.amount_fen > 0

    def terms(self, issued_at: datetime) -> WelcomeTerms:
        return WelcomeTerms(
            amount=self.amount_fen,
            threshold=self.threshold_fen,
            valid_from=issued_at,
            valid_to=issued_at + timedelta(days=self.valid_days),
        )


class OfflineDefaults(_Model):
    """What a till may do while it cannot reach the server (`app.ports.OfflineRules`); a till's
    `sync.toml` `[offline]` may switch a rule off (or on) for that till."""

    sales: Flag = True
    earn_points: Flag = True
    register_members: Flag = True
    refunds: Flag = True
    redeem_points_cached: Flag = True
    coupons_held_here: Flag = True
    points_adjustments: Flag = True


class LoyaltyProgram(_Model):
    """One version of the program. `version` 0 is the built-in default (DOMAIN.md's numbers);
    HQ's versions count up from 1. `effective_from` is when it starts to apply."""

    version: Whole = Field(default=0, ge=0, le=2**31 - 1)
    effective_from: AwareDatetime = DEFAULTS_EFFECTIVE_FROM
    note: Text = Field(default="", max_length=200)
    tiers: tuple[TierLevel, ...] = Field(default_factory=_default_tiers, min_length=1, max_length=4)
    earn_points_per_yuan: Whole = Field(default=1, ge=0, le=1000)
    redemption: Redemption = Redemption()
    expiry: Expiry = Expiry()
    birthday_multiplier: DecimalText | None = Field(
        default=None, description="points multiplier in the member's birthday month (store's zone)"
    )
    welcome_coupon: WelcomeCoupon = WelcomeCoupon()
    offline: OfflineDefaults = OfflineDefaults()
    consent_policy_version: Text = Field(default="2026-01", min_length=1, max_length=20)
    member_code_ttl_s: Whole = Field(default=120, ge=10, le=3600)
    # Points for interaction: what a feedback answer earns the sale's member, once per receipt
    # (the receipt's "扫码评价 赢积分"); 0: none. Awarded by the server (server/feedback).
    feedback_points: Whole = Field(default=0, ge=0, le=10_000)
    # What the server believes of a till: adjustment/compensation limits, till-issued coupon
    # templates, cross-store refunds, the registration window (app/domain/trust.py).
    trust: TillTrust = TillTrust()

    @model_validator(mode="after")
    def _tier_table_valid(self) -> LoyaltyProgram:
        try:
            self.tier_table()
        except ValueError as exc:
            raise ValueError(f"tiers: {exc}") from None
        return self

    @field_validator("effective_from")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        if not EARLIEST <= value < LATEST:
            raise ValueError("must be between 2000-01-01 and 2100-01-01")
        return value

    @field_validator("birthday_multiplier")
    @classmethod
    def _birthday(cls, value: str | None) -> str | None:
        if value is not None and Decimal(value) <= 0:
            raise ValueError("a points multiplier must be more than 0")
        return value

    # ------------------------------------------------------------ the rules both ends call

    def tier_table(self) -> TierTable:
        return _tier_table(self.tiers)

    def tier_multipliers(self) -> dict[str, Fraction]:
        return {str(t.tier): Fraction(t.multiplier) for t in self.tiers}

    def tier_for_spend(self, spend_fen: int) -> Tier:
        """The tier 12-month spend reaches (never below the entry tier: refunds can't go under)."""
        return tier_for_spend(max(spend_fen, 0), self.tier_table())

    def expires_at(self, earned_at: datetime, tz: tzinfo) -> datetime:
        """When points earned at `earned_at` in a store in zone `tz` expire."""
        return expiry_for(earned_at, tz, self.expiry.years_after)

    # ------------------------------------------------------------ JSON

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.model_dump_json())
        return data

    def with_version(self, version: int, effective_from: datetime) -> LoyaltyProgram:
        return self.model_copy(update={"version": version, "effective_from": effective_from})


@lru_cache(maxsize=64)
def _tier_table(tiers: tuple[TierLevel, ...]) -> TierTable:
    """Built once per tier list (every quote and posting asks for it)."""
    return TierTable(tuple(TierRule(t.tier, t.threshold_fen, Fraction(t.multiplier)) for t in tiers))


DEFAULT_PROGRAM = LoyaltyProgram()


def _faults(exc: ValidationError) -> tuple[tuple[str, str], ...]:
    return tuple((".".join(str(p) for p in err["loc"]) or "program", err["msg"]) for err in exc.errors())


def _messages(faults: tuple[tuple[str, str], ...]) -> str:
    return "; ".join(f"{where}: {why}" for where, why in faults)


def parse_program(data: str | bytes | Mapping[str, Any]) -> LoyaltyProgram:
    """A program from JSON text or a parsed object; ProgramError names what is wrong."""
    try:
        if isinstance(data, str | bytes):
            return LoyaltyProgram.model_validate_json(data)
        return LoyaltyProgram.model_validate(data)
    except ValidationError as exc:
        faults = _faults(exc)
        raise ProgramError(_messages(faults), faults) from None


def in_force(versions: Iterable[LoyaltyProgram], at: datetime) -> LoyaltyProgram | None:
    """The version in force at `at`: of those effective by then, the highest version (a newer
    version supersedes an older one once it takes effect). None when none is effective yet."""
    best: LoyaltyProgram | None = None
    for p in versions:
        if p.effective_from <= at and (best is None or p.version > best.version):
            best = p
    return best
