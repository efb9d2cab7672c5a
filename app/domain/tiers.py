"""Member tiers (会员等级): thresholds on 12-month spend, points multipliers, progress text.

Spend is the net money the member paid (integer fen) over a rolling window; refunds count as
negative amounts. The window is the last 365 days (see `window_start`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from app.domain.clock import require_aware
from app.domain.money import format_fen


class Tier(StrEnum):
    BASIC = "basic"
    SILVER = "silver"
    GOLD = "gold"
    BLACK = "black"

    @property
    def zh_name(self) -> str:
        return _ZH_NAMES[self]

    @property
    def en_name(self) -> str:
        return _EN_NAMES[self]


_ZH_NAMES: dict[Tier, str] = {
    Tier.BASIC: "普通会员",
    Tier.SILVER: "银卡",
    Tier.GOLD: "金卡",
    Tier.BLACK: "黑卡",
}
_EN_NAMES: dict[Tier, str] = {
    Tier.BASIC: "Basic",
    Tier.SILVER: "Silver",
    Tier.GOLD: "Gold",
    Tier.BLACK: "Black",
}


@dataclass(frozen=True, slots=True)
class TierRule:
    """A tier is reached with `threshold_fen` of spend in the window; points earn × multiplier."""

    tier: Tier
    threshold_fen: int
    multiplier: Fraction

    def __post_init__(self) -> None:
        if not isinstance(self.tier, Tier):
            # A tier name from configuration ("gold") is accepted and stored as the Tier.
            if not isinstance(self.tier, str) or self.tier not in {t.value for t in Tier}:
                raise ValueError(f"unknown tier {self.tier!r}")
            object.__setattr__(self, "tier", Tier(self.tier))
        if isinstance(self.threshold_fen, bool) or not isinstance(self.threshold_fen, int):
            raise TypeError("threshold_fen must be an integer number of fen")
        if self.threshold_fen < 0:
            raise ValueError("a tier threshold cannot be negative")
        if not isinstance(self.multiplier, Fraction):
            raise TypeError("multiplier must be a Fraction (never a float)")
        if self.multiplier <= 0:
            raise ValueError("a points multiplier must be positive")


@dataclass(frozen=True, slots=True)
class TierTable:
    """The store's tier rules, lowest first.

    Validated: at least one rule; the first threshold is 0 (registration reaches the entry
    tier); thresholds strictly ascending; each tier at most once and in rank order (a store may
    leave tiers out, e.g. run without Black).
    """

    rules: tuple[TierRule, ...]

    def __post_init__(self) -> None:
        if not self.rules:
            raise ValueError("a tier table needs at least one tier")
        if self.rules[0].threshold_fen != 0:
            raise ValueError("the first tier must be reached at registration (threshold 0)")
        order = list(Tier)
        for lower, higher in zip(self.rules, self.rules[1:], strict=False):
            if higher.threshold_fen <= lower.threshold_fen:
                raise ValueError("tier thresholds must be strictly ascending")
            if order.index(higher.tier) <= order.index(lower.tier):
                raise ValueError("tiers must be listed once each, lowest first")

    @classmethod
    def default(cls) -> TierTable:
        """DOMAIN.md defaults: ¥0 / ¥2,000 / ¥10,000 / ¥50,000; ×1.0 / ×1.2 / ×1.5 / ×2.0."""
        return cls(
            (
                TierRule(Tier.BASIC, 0, Fraction(1)),
                TierRule(Tier.SILVER, 200_000, Fraction(6, 5)),
                TierRule(Tier.GOLD, 1_000_000, Fraction(3, 2)),
                TierRule(Tier.BLACK, 5_000_000, Fraction(2)),
            )
        )

    @property
    def tiers(self) -> tuple[Tier, ...]:
        return tuple(r.tier for r in self.rules)

    def rule(self, tier: Tier) -> TierRule:
        for r in self.rules:
            if r.tier == tier:
                return r
        raise KeyError(f"tier {tier} is not in this table")

    def multiplier(self, tier: Tier) -> Fraction:
        return self.rule(tier).multiplier

    def next_rule(self, tier: Tier) -> TierRule | None:
        """The rule one step above `tier`, or None at the top."""
        for i, r in enumerate(self.rules):
            if r.tier == tier:
                return self.rules[i + 1] if i + 1 < len(self.rules) else None
        raise KeyError(f"tier {tier} is not in this table")


DEFAULT_TIER_TABLE = TierTable.default()


def _rule_for(spend_fen: int, table: TierTable) -> TierRule:
    current = table.rules[0]
    for r in table.rules:
        if spend_fen >= r.threshold_fen:
            current = r
    return current


def tier_for_spend(spend_fen: int, table: TierTable = DEFAULT_TIER_TABLE) -> Tier:
    """The highest tier whose threshold the spend reaches (reaching exactly counts)."""
    return _rule_for(spend_fen, table).tier


@dataclass(frozen=True, slots=True)
class TierProgress:
    """Where a member stands: tier, the next one, how much more to spend, percent of the way.

    `percent` is spend / next tier's threshold, rounded down, 0-100 (100 only at the top tier):
    the growth tree fills from zero, so ¥8,760 of ¥10,000 towards Gold is 87%.
    """

    tier: Tier
    next_tier: Tier | None
    spend_fen: int
    remaining_fen: int
    percent: int


def progress(spend_fen: int, table: TierTable = DEFAULT_TIER_TABLE) -> TierProgress:
    current = _rule_for(spend_fen, table)
    nxt = table.next_rule(current.tier)
    if nxt is None:
        return TierProgress(current.tier, None, spend_fen, 0, 100)
    remaining = nxt.threshold_fen - spend_fen
    percent = max(0, spend_fen) * 100 // nxt.threshold_fen
    return TierProgress(current.tier, nxt.tier, spend_fen, remaining, min(percent, 99))


def describe(p: TierProgress, lang: Literal["en", "zh"] = "en") -> str:
    """`¥1,240.00 more to Gold` / `再消费¥1,240.00升级金卡`; at the top `Black: top tier` /
    `已是最高等级：黑卡`."""
    if p.next_tier is None:
        if lang == "zh":
            return f"已是最高等级：{p.tier.zh_name}"
        return f"{p.tier.en_name}: top tier"
    amount = format_fen(p.remaining_fen)
    if lang == "zh":
        return f"再消费{amount}升级{p.next_tier.zh_name}"
    return f"{amount} more to {p.next_tier.en_name}"


# ---------------------------------------------------------------------- rolling window

WINDOW = timedelta(days=365)


def window_start(now: datetime) -> datetime:
    """Start of the 12-month spend window: `now` minus 365 days (elapsed time).

    Chosen over "same date last year" because it is the same length every day (no leap-year or
    month-end special cases) and needs no time zone; the window is [window_start, now].
    """
    return require_aware(now, "now") - WINDOW


def rolling_spend(purchases: Iterable[tuple[datetime, int]], now: datetime) -> int:
    """Net money paid inside [now - 365 days, now]: purchases positive, refunds negative.

    Entries after `now` are not counted. The result is never below zero (a refund inside the
    window of a purchase made before it cannot push spend negative).
    """
    start = window_start(now)
    total = 0
    for at, net_fen in purchases:
        require_aware(at, "purchase time")
        if isinstance(net_fen, bool) or not isinstance(net_fen, int):
            raise TypeError("purchase amounts must be integer fen")
        if start <= at <= now:
            total += net_fen
    return max(total, 0)
