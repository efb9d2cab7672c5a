"""What the server believes of a till (DOMAIN.md, "Trust"): the limits HQ sets on what tills
may do by themselves. A till records what happened; these decide what it is worth.

Part of the loyalty program (HQ's, versioned): adjustment and compensation limits per role and
per terminal per day, which coupons a till may issue (templates), whether a refund may be of
another store's sale, and how far a registration's time may be from when the server received
it. Pure values; the server applies them (`server/push`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

Whole = Annotated[int, Strict()]
DecimalText = Annotated[str, Field(pattern=r"^\d+(\.\d+)?$", max_length=20)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PointsLimits(_Model):
    """Points a till may add or remove by hand. `per_event` is by the approver's role (a role
    not listed may approve nothing by itself); the day totals count every such event of one
    terminal in the store's calendar day, the one being applied included."""

    per_event: dict[str, Whole] = Field(default_factory=lambda: {"supervisor": 500, "manager": 5000})
    per_terminal_day_points: Whole = Field(default=5000, ge=0)
    per_terminal_day_count: Whole = Field(default=20, ge=0)

    def per_event_for(self, role: str) -> int:
        return self.per_event.get(role, 0)


class CouponTemplate(_Model):
    """A coupon tills may issue by themselves (the daily campaigns). A till's coupon matches the
    template whose `reason` is its reason before the first ':' (`birthday:2026` → `birthday`);
    its terms must be within the template's."""

    reason: str = Field(min_length=1, max_length=40)
    kind: Literal["amount_off", "percent_off", "free_gift", "points_multiplier"]
    max_amount_fen: Whole = Field(default=0, ge=0)
    max_percent: DecimalText = "0"
    max_cap_fen: Whole | None = Field(default=None, ge=0)
    min_threshold_fen: Whole = Field(default=0, ge=0)
    max_multiplier: DecimalText = "1"
    max_valid_days: Whole = Field(default=14, ge=1, le=366)
    needs_ticket: bool = False  # compensation: only for a feedback ticket that asks for it

    def refusal(
        self,
        kind: str,
        amount: int,
        percent: str,
        cap: int | None,
        threshold: int,
        multiplier: str,
        valid_days: float,
    ) -> str | None:
        """Why a coupon with these terms is not this template's, or None."""
        if kind != self.kind:
            return "kind"
        if amount > self.max_amount_fen:
            return "amount"
        try:
            if Decimal(percent) > Decimal(self.max_percent):
                return "percent"
            if Decimal(multiplier) > Decimal(self.max_multiplier):
                return "multiplier"
        except ArithmeticError:
            return "number"
        capped = self.max_cap_fen is None or (cap is not None and cap <= self.max_cap_fen)
        if self.kind == "percent_off" and not capped:
            return "cap"
        if threshold < self.min_threshold_fen:
            return "threshold"
        if valid_days > self.max_valid_days:
            return "validity"
        return None


def _templates() -> tuple[CouponTemplate, ...]:
    # The till's campaigns as they issue today (app/services/campaigns.py CampaignRules).
    return (
        CouponTemplate(reason="birthday", kind="amount_off", max_amount_fen=2000, min_threshold_fen=10000),
        CouponTemplate(reason="wakeup", kind="amount_off", max_amount_fen=1000, min_threshold_fen=5000),
        CouponTemplate(reason="cross", kind="percent_off", max_percent="10", max_cap_fen=3000),
        CouponTemplate(reason="frequent", kind="points_multiplier", max_multiplier="2"),
        CouponTemplate(
            reason="compensation",
            kind="amount_off",
            max_amount_fen=5000,
            max_valid_days=30,
            needs_ticket=True,
        ),
    )


class ManualPriceLimits(_Model):
    """How far below the list price an approver of each role may let a cashier sell a line
    (a manual discount or a price override), in whole percent; a role not listed may approve
    none. The till refuses more; the server records a sale claiming more as a conflict."""

    max_percent: dict[str, Whole] = Field(default_factory=lambda: {"supervisor": 20, "manager": 50})

    @field_validator("max_percent")
    @classmethod
    def _percent(cls, value: dict[str, int]) -> dict[str, int]:
        for role, percent in value.items():
            if not 0 <= percent <= 100:
                raise ValueError(f"{role}: a percent from 0 to 100 is expected")
        return value

    def max_percent_for(self, role: str) -> int:
        return self.max_percent.get(role, 0)


class TillTrust(_Model):
    adjustments: PointsLimits = PointsLimits()
    compensations: PointsLimits = PointsLimits(
        per_event={"cashier": 500, "supervisor": 2000, "manager": 5000},
        per_terminal_day_points=10000,
        per_terminal_day_count=20,
    )
    till_coupon_templates: tuple[CouponTemplate, ...] = Field(default_factory=_templates)
    cross_store_refunds: bool = False
    # A registration's time further than this before (or MAX_CLOCK_SKEW after) the server
    # received it counts as the receipt time when two registrations of one phone are merged:
    # a till cannot claim to be first by writing an old date. It must cover how long a till
    # may be offline and still have its registrations ordered by their own times.
    registration_window_s: Whole = Field(default=72 * 3600, ge=0)
    manual_prices: ManualPriceLimits = ManualPriceLimits()

    def template_for(self, reason: str) -> CouponTemplate | None:
        head = reason.split(":", 1)[0]
        for t in self.till_coupon_templates:
            if t.reason == head:
                return t
        return None
