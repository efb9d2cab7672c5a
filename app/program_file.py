"""The program file in the till's home (`program.json`): the loyalty program of a till with no
server, and of an enrolled till before it has pulled HQ's first version.

Older tills kept the program's numbers in `till.toml` `[loyalty]`. On the first start without a
`program.json`, those numbers (or the defaults) are written to it, once, with a log line saying
so; afterwards `[loyalty]` in `till.toml` is ignored, with a log line saying that too. Nothing
in an existing home is changed or lost: `till.toml` is not rewritten.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from app.config import CONFIG_NAME, ConfigError, LoyaltyConfig, TillConfig, read_config_text
from app.domain.program import (
    Expiry,
    LoyaltyProgram,
    ProgramError,
    Redemption,
    TierLevel,
    WelcomeCoupon,
    parse_program,
)
from app.domain.tiers import Tier

PROGRAM_NAME = "program.json"

log = logging.getLogger("app.program_file")


def program_from_legacy(loyalty: LoyaltyConfig) -> LoyaltyProgram:
    """The program a `till.toml` `[loyalty]` section described (tier names as there)."""
    t, mult = loyalty.tiers, loyalty.tier_multipliers
    thresholds = {Tier.BASIC: 0, Tier.SILVER: t.silver_fen, Tier.GOLD: t.gold_fen, Tier.BLACK: t.black_fen}
    defaults = {lvl.tier: lvl for lvl in LoyaltyProgram().tiers}
    tiers = tuple(
        TierLevel(
            tier=tier,
            threshold_fen=fen,
            multiplier=mult[str(tier)],
            benefits_zh=defaults[tier].benefits_zh,
            benefits_en=defaults[tier].benefits_en,
        )
        for tier, fen in thresholds.items()
    )
    return LoyaltyProgram(
        note="moved from till.toml [loyalty]",
        tiers=tiers,
        earn_points_per_yuan=loyalty.earn_points_per_yuan,
        redemption=Redemption(
            points_per_yuan=loyalty.points_per_yuan_redeemed,
            step=loyalty.redeem_step,
            max_share=loyalty.redeem_max_share,
            offline_overdraw=loyalty.offline_overdraw,
        ),
        expiry=Expiry(expiring_soon_days=loyalty.expiring_soon_days),
        welcome_coupon=WelcomeCoupon(
            amount_fen=loyalty.welcome_coupon_fen,
            threshold_fen=loyalty.welcome_coupon_threshold_fen,
            valid_days=loyalty.welcome_coupon_days,
        ),
        consent_policy_version=loyalty.consent_policy_version,
        member_code_ttl_s=loyalty.member_code_ttl_s,
    )


def write_program_file(home: Path, program: LoyaltyProgram) -> Path:
    """Write `home/program.json` atomically (a temporary file, then os.replace)."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / PROGRAM_NAME
    fd, tmp = tempfile.mkstemp(prefix=".program-", suffix=".json.part", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(program.to_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_program_file(path: Path) -> LoyaltyProgram:
    """The program in `path`; ConfigError naming the file and each field at fault."""
    text = read_config_text(path)
    try:
        return parse_program(text)
    except ProgramError as exc:
        raise ConfigError(f"{path}: invalid loyalty program: {exc}", ("program",)) from exc


def load_home_program(home: Path, config: TillConfig, create: bool = True) -> LoyaltyProgram:
    """The program of `home`: `program.json`, written first from `till.toml` `[loyalty]` (or the
    defaults) when there is none and `create`."""
    path = home / PROGRAM_NAME
    legacy = "loyalty" in config.model_fields_set
    if path.exists():
        if legacy:
            log.warning(
                "till.toml [loyalty] is deprecated and ignored: the loyalty program is in %s "
                "(or pulled from the server); remove [loyalty] from till.toml",
                path,
            )
        return read_program_file(path)
    try:
        program = program_from_legacy(config.loyalty) if legacy else LoyaltyProgram()
    except ValidationError as exc:
        raise ConfigError(
            f"{home / CONFIG_NAME}: [loyalty] cannot become a loyalty program: {exc.errors()[0]['msg']}",
            ("loyalty",),
        ) from None
    if create:
        write_program_file(home, program)
        if legacy:
            log.warning(
                "till.toml [loyalty] is deprecated: its settings were copied to %s, which "
                "now holds the loyalty program; remove [loyalty] from till.toml",
                path,
            )
    return program
