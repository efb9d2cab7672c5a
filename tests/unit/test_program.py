"""The loyalty program model (app/domain/program.py): defaults, JSON, validation, the version in
force, and the calendar helper every calendar rule uses."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from app.config import LoyaltyConfig, TierConfig
from app.domain.clock import local_date, local_time
from app.domain.program import (
    DEFAULT_PROGRAM,
    LoyaltyProgram,
    ProgramError,
    in_force,
    parse_program,
)
from app.domain.tiers import Tier
from app.pricing.model import birthday_promotion, pricing_program
from app.program_file import program_from_legacy

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def test_defaults_are_domain_md() -> None:
    p = DEFAULT_PROGRAM
    assert [(t.tier, t.threshold_fen, Fraction(t.multiplier)) for t in p.tiers] == [
        (Tier.BASIC, 0, 1),
        (Tier.SILVER, 200_000, Fraction(6, 5)),
        (Tier.GOLD, 1_000_000, Fraction(3, 2)),
        (Tier.BLACK, 5_000_000, 2),
    ]
    engine = pricing_program(p)
    assert (engine.points_per_yuan_redeemed, engine.redeem_step, engine.redeem_max_share) == (
        100,
        100,
        Fraction(1, 2),
    )
    assert p.welcome_coupon.terms(datetime(2026, 1, 1, tzinfo=UTC)).valid_to == datetime(
        2026, 1, 31, tzinfo=UTC
    )
    assert birthday_promotion(p) is None


def test_json_round_trip_keeps_every_field() -> None:
    p = LoyaltyProgram(
        version=7,
        effective_from=datetime(2026, 5, 1, tzinfo=SHANGHAI),
        birthday_multiplier="2.5",
        earn_points_per_yuan=2,
        tiers=DEFAULT_PROGRAM.tiers[:2],
    )
    again = parse_program(p.to_json())
    assert again == p
    assert again.effective_from == datetime(2026, 4, 30, 16, tzinfo=UTC)
    assert parse_program(json.loads(p.to_json())) == p
    assert birthday_promotion(again) is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"redemption": {"max_share": "1.5"}}, "redemption.max_share"),
        ({"redemption": {"step": 0}}, "redemption.step"),
        ({"earn_points_per_yuan": -1}, "earn_points_per_yuan"),
        ({"effective_from": "2026-05-01T00:00:00"}, "effective_from"),  # no zone
        ({"birthday_multiplier": "0"}, "birthday_multiplier"),
        ({"birthday_multiplier": 2.0}, "birthday_multiplier"),  # a float, not a decimal string
        (
            {
                "tiers": [
                    {"tier": "basic", "threshold_fen": 0, "multiplier": "1"},
                    {"tier": "gold", "threshold_fen": 0, "multiplier": "1.5"},
                ]
            },
            "tiers",
        ),
        ({"tiers": [{"tier": "silver", "threshold_fen": 100, "multiplier": "1"}]}, "tiers"),
        ({"tiers": [{"tier": "basic", "threshold_fen": 0, "multiplier": "-1"}]}, "tiers.0.multiplier"),
        ({"welcome_coupon": {"amount": 5}}, "welcome_coupon.amount"),  # misspelt: refused, not ignored
        ({"offline": {"sales": "yes"}}, "offline.sales"),
    ],
)
def test_a_bad_program_is_refused_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ProgramError) as err:
        parse_program(data)
    assert field in str(err.value)


def test_malformed_json_is_a_program_error() -> None:
    with pytest.raises(ProgramError):
        parse_program("{not json")


def test_the_highest_effective_version_is_in_force() -> None:
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    v1 = DEFAULT_PROGRAM.with_version(1, t0)
    v2 = DEFAULT_PROGRAM.with_version(2, t0 + timedelta(days=10))
    v3 = DEFAULT_PROGRAM.with_version(3, t0 + timedelta(days=5))  # published later, earlier start
    versions = [v2, v3, v1]
    assert in_force(versions, t0 - timedelta(seconds=1)) is None
    assert in_force(versions, t0) == v1
    assert in_force(versions, t0 + timedelta(days=5)) == v3
    assert in_force(versions, t0 + timedelta(days=20)) == v3  # v3 supersedes v2 once in force


def test_local_date_is_the_stores_date() -> None:
    at = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    assert local_date(at, SHANGHAI) == date(2026, 4, 1)
    assert local_date(at, NEW_YORK) == date(2026, 3, 31)
    assert local_time(at, SHANGHAI).hour == 1
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 31, 17, 0), SHANGHAI)


def test_expiry_follows_the_policy_and_the_stores_year() -> None:
    at = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 2026-01-01 00:30 in Shanghai
    assert DEFAULT_PROGRAM.expires_at(at, SHANGHAI) == datetime(2028, 1, 1, tzinfo=SHANGHAI)
    assert DEFAULT_PROGRAM.expires_at(at, NEW_YORK) == datetime(2027, 1, 1, tzinfo=NEW_YORK)
    longer = parse_program({"expiry": {"years_after": 2}})
    assert longer.expires_at(at, SHANGHAI) == datetime(2029, 1, 1, tzinfo=SHANGHAI)


def test_tiers_follow_a_custom_table() -> None:
    p = parse_program(
        {
            "tiers": [
                {"tier": "basic", "threshold_fen": 0, "multiplier": "1"},
                {"tier": "gold", "threshold_fen": 50_000, "multiplier": "3"},
            ]
        }
    )
    assert p.tier_for_spend(49_999) == Tier.BASIC
    assert p.tier_for_spend(50_000) == Tier.GOLD
    assert p.tier_for_spend(-10) == Tier.BASIC
    assert pricing_program(p).tier_multipliers == {"basic": 1, "gold": 3}


def test_a_legacy_loyalty_section_becomes_the_same_program() -> None:
    legacy = LoyaltyConfig(
        earn_points_per_yuan=2,
        redeem_step=50,
        redeem_max_share="0.3",
        welcome_coupon_fen=0,
        consent_policy_version="2025-07",
        tier_multipliers={"basic": "1", "silver": "1.1", "gold": "1.3", "black": "3"},
        tiers=TierConfig(silver_fen=100_000, gold_fen=500_000, black_fen=900_000),
    )
    p = program_from_legacy(legacy)
    assert p.earn_points_per_yuan == 2 and p.redemption.step == 50 and p.redemption.max_share == "0.3"
    assert not p.welcome_coupon.issued and p.consent_policy_version == "2025-07"
    assert [(t.threshold_fen, t.multiplier) for t in p.tiers] == [
        (0, "1"),
        (100_000, "1.1"),
        (500_000, "1.3"),
        (900_000, "3"),
    ]
