"""The numbers intel computes with. Lifecycle days and the tier table are the program's
(`app.domain.members`, `app.domain.tiers`): one rule, one home; the rest are HQ's defaults
for tags and baskets. Every field can be overridden with `LT_INTEL_<FIELD>` (e.g.
`LT_INTEL_DEFAULT_TZ=Asia/Urumqi`), checked when the command starts.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.domain.members import DORMANT_DAYS, LOST_DAYS, NEW_DAYS
from app.domain.tiers import DEFAULT_TIER_TABLE, WINDOW


def _tier_thresholds() -> list[tuple[str, int]]:
    return [(r.tier.value, r.threshold_fen) for r in DEFAULT_TIER_TABLE.rules]


class IntelConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LT_INTEL_", frozen=True)

    default_tz: str = Field(default="Asia/Shanghai", description="zone of a store with none set")
    window_days: int = Field(default=WINDOW.days, ge=1, le=3660, description="RFM window (12 months)")
    new_days: int = Field(default=NEW_DAYS, ge=0)
    dormant_days: int = Field(default=DORMANT_DAYS, ge=1)
    lost_days: int = Field(default=LOST_DAYS, ge=1)
    # Tags
    baby_categories: tuple[str, ...] = ("baby",)
    baby_days: int = Field(default=30, ge=1)
    organic_words: tuple[str, ...] = ("organic", "有机")
    organic_min_lines: int = Field(default=2, ge=1)
    organic_min_pct: int = Field(default=20, ge=1, le=100)
    promo_min_lines: int = Field(default=5, ge=1)
    promo_min_pct: int = Field(default=50, ge=1, le=100)
    near_tier_pct: int = Field(default=80, ge=1, le=99, description="spend at this % of the next tier")
    family_tags: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("kids", ("孩子", "宝宝", "kid", "child", "baby")),
        ("single", ("单身", "single")),
        ("retired", ("退休", "retired")),
        ("pets", ("养猫", "养狗", "pet", "cat", "dog")),
    )
    tiers: tuple[tuple[str, int], ...] = Field(default_factory=lambda: tuple(_tier_thresholds()))
    # Baskets
    basket_days: int = Field(default=90, ge=1, le=3660)
    min_support: int = Field(default=3, ge=1, description="baskets a pair needs to count")
    recent_days: int = Field(default=30, ge=0, description="a suggestion is not bought this recently")
    suggestions: int = Field(default=3, ge=1, le=20)
    pairs_rewrite_pct: int = Field(
        default=20,
        ge=0,
        le=1000,
        description="rewrite the pair table when this % of it changes, else upsert",
    )

    @field_validator("default_tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
