from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.clock import DEFAULT_TZ
from app.domain.tiers import (
    DEFAULT_TIER_TABLE,
    Tier,
    TierRule,
    TierTable,
    describe,
    progress,
    rolling_spend,
    tier_for_spend,
    window_start,
)

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=DEFAULT_TZ)


def test_names() -> None:
    assert [t.zh_name for t in Tier] == ["普通会员", "银卡", "金卡", "黑卡"]
    assert [t.en_name for t in Tier] == ["Basic", "Silver", "Gold", "Black"]
    assert Tier.GOLD == "gold"


def test_default_table_matches_domain() -> None:
    table = TierTable.default()
    assert [(r.tier, r.threshold_fen) for r in table.rules] == [
        (Tier.BASIC, 0),
        (Tier.SILVER, 200_000),
        (Tier.GOLD, 1_000_000),
        (Tier.BLACK, 5_000_000),
    ]
    assert [table.multiplier(t) for t in Tier] == [
        Fraction(1),
        Fraction("1.2"),
        Fraction("1.5"),
        Fraction(2),
    ]


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        (-500, Tier.BASIC),
        (0, Tier.BASIC),
        (199_999, Tier.BASIC),
        (200_000, Tier.SILVER),
        (999_999, Tier.SILVER),
        (1_000_000, Tier.GOLD),
        (4_999_999, Tier.GOLD),
        (5_000_000, Tier.BLACK),
        (10**12, Tier.BLACK),
    ],
)
def test_tier_boundaries_exactly_at_thresholds(spend: int, tier: Tier) -> None:
    assert tier_for_spend(spend) == tier
    assert tier_for_spend(spend, DEFAULT_TIER_TABLE) == tier


def test_configurable_table_without_black() -> None:
    table = TierTable(
        (
            TierRule(Tier.BASIC, 0, Fraction(1)),
            TierRule(Tier.SILVER, 100_000, Fraction(5, 4)),
            TierRule(Tier.GOLD, 500_000, Fraction(3, 2)),
        )
    )
    assert tier_for_spend(10**9, table) == Tier.GOLD
    assert progress(10**9, table).next_tier is None


@pytest.mark.parametrize(
    "rules",
    [
        (),
        (TierRule(Tier.BASIC, 100, Fraction(1)),),  # first tier not at 0
        (TierRule(Tier.BASIC, 0, Fraction(1)), TierRule(Tier.SILVER, 0, Fraction(2))),
        (
            TierRule(Tier.BASIC, 0, Fraction(1)),
            TierRule(Tier.GOLD, 10, Fraction(2)),
            TierRule(Tier.SILVER, 20, Fraction(2)),
        ),
        (TierRule(Tier.BASIC, 0, Fraction(1)), TierRule(Tier.BASIC, 10, Fraction(2))),
    ],
)
def test_table_validation(rules: tuple[TierRule, ...]) -> None:
    with pytest.raises(ValueError):
        TierTable(rules)


def test_rule_accepts_a_configured_tier_name() -> None:
    rule = TierRule("gold", 1_000_000, Fraction(3, 2))  # type: ignore[arg-type]
    assert rule.tier is Tier.GOLD
    with pytest.raises(ValueError):
        TierRule("platinum", 0, Fraction(1))  # type: ignore[arg-type]


def test_rule_validation() -> None:
    with pytest.raises(TypeError):
        TierRule(Tier.BASIC, 0, 1.2)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TierRule(Tier.BASIC, 0, Fraction(0))
    with pytest.raises(ValueError):
        TierRule(Tier.BASIC, -1, Fraction(1))


def test_progress_to_gold() -> None:
    p = progress(876_000)
    assert p.tier == Tier.SILVER
    assert p.next_tier == Tier.GOLD
    assert p.remaining_fen == 124_000
    assert p.percent == 87
    assert describe(p) == "¥1,240.00 more to Gold"
    assert describe(p, "zh") == "再消费¥1,240.00升级金卡"


def test_progress_at_threshold_and_top() -> None:
    p = progress(1_000_000)
    assert (p.tier, p.next_tier, p.remaining_fen, p.percent) == (
        Tier.GOLD,
        Tier.BLACK,
        4_000_000,
        20,
    )
    top = progress(5_000_000)
    assert (top.tier, top.next_tier, top.remaining_fen, top.percent) == (Tier.BLACK, None, 0, 100)
    assert describe(top) == "Black: top tier"
    assert describe(top, "zh") == "已是最高等级：黑卡"


def test_progress_from_nothing() -> None:
    p = progress(0)
    assert (p.tier, p.next_tier, p.remaining_fen, p.percent) == (
        Tier.BASIC,
        Tier.SILVER,
        200_000,
        0,
    )
    assert describe(p) == "¥2,000.00 more to Silver"
    assert describe(progress(199_999)) == "¥0.01 more to Silver"


@given(st.integers(min_value=-(10**6), max_value=10**9))
def test_progress_is_consistent(spend: int) -> None:
    p = progress(spend)
    assert 0 <= p.percent <= 100
    assert p.tier == tier_for_spend(spend)
    if p.next_tier is None:
        assert p.remaining_fen == 0 and p.percent == 100
    else:
        assert p.remaining_fen > 0
        assert p.percent < 100
        assert tier_for_spend(spend + p.remaining_fen) == p.next_tier
        assert tier_for_spend(spend + p.remaining_fen - 1) == p.tier


def test_window_is_365_days() -> None:
    assert window_start(NOW) == NOW - timedelta(days=365)
    with pytest.raises(ValueError):
        window_start(datetime(2026, 1, 1))


def test_rolling_spend_counts_the_window_and_refunds() -> None:
    start = window_start(NOW)
    purchases = [
        (start - timedelta(seconds=1), 900_000),  # just outside
        (start, 100_000),  # the window's first instant counts
        (NOW - timedelta(days=10), 250_000),
        (NOW - timedelta(days=5), -50_000),  # a refund
        (NOW, 1_000),
        (NOW + timedelta(seconds=1), 77_777),  # after now: not counted
    ]
    assert rolling_spend(purchases, NOW) == 301_000
    assert rolling_spend([], NOW) == 0


def test_rolling_spend_never_negative_and_zone_independent() -> None:
    refund_only = [(NOW.astimezone(UTC) - timedelta(days=1), -10_000)]
    assert rolling_spend(refund_only, NOW) == 0


def test_rolling_spend_refuses_floats_and_naive_times() -> None:
    with pytest.raises(TypeError):
        rolling_spend([(NOW, 12.5)], NOW)  # type: ignore[list-item]
    with pytest.raises(ValueError):
        rolling_spend([(datetime(2026, 1, 1), 100)], NOW)
