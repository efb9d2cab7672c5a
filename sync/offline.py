"""The offline rules as the till is set up with them (`sync.toml` `[offline]`) and as the
cashier reads them (`describe`). The rules themselves are `app.ports.OfflineRules`, enforced by
the use cases while the sync worker reports the server unreachable; the redemption cap is
`app.services.offline`.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Literal

from app.domain.program import OfflineDefaults
from app.ports import OfflineRules
from app.services.offline import RedeemCap, coupon_usable_offline, offline_redeem_cap
from app.settings_file import read_offline_overrides

__all__ = [
    "OfflineRules",
    "RedeemCap",
    "coupon_usable_offline",
    "describe",
    "load_rules",
    "offline_redeem_cap",
]

Lang = Literal["en", "zh"]


def load_rules(home: Path, program: OfflineDefaults | None = None) -> OfflineRules:
    """The offline rules: the loyalty program's (`program`; every rule on when None), each one
    `home/sync.toml` `[offline]` sets replaced by this till's own value. (A running till's
    are `TillContext.offline_rules`: the same, for the program in force now.)"""
    return OfflineRules.of(program, read_offline_overrides(home))


_LABELS: dict[str, dict[Lang, str]] = {
    "sales": {"en": "Sales and receipts", "zh": "收银与打印小票"},
    "earn_points": {"en": "Earning points", "zh": "会员积分累计"},
    "register_members": {
        "en": "Registering new members (with welcome coupon)",
        "zh": "新会员注册（含新人券）",
    },
    "refunds": {"en": "Refunds of sales made at this till", "zh": "本机销售的退货"},
    "redeem_points_cached": {
        "en": "Redeeming points for members known at this till, up to the last balance the "
        "server confirmed minus what this till has redeemed since",
        "zh": "本机已有会员的积分抵现，上限为服务器最近确认的余额减去本机此后已用积分",
    },
    "coupons_held_here": {
        "en": "Coupons issued to this store or to members known here",
        "zh": "发给本店或本机已有会员的优惠券",
    },
    "points_adjustments": {"en": "Manual points adjustments (supervisor)", "zh": "人工积分调整（需主管）"},
}

_NEEDS_SERVER: dict[Lang, tuple[str, ...]] = {
    "en": (
        "Finding a member this till has not seen (by phone or code)",
        "Redeeming points above the offline limit, or for members not known here",
        "Coupons this till does not hold (issued to another store or member)",
        "Enrolling the till",
    ),
    "zh": (
        "查找本机没有的会员（手机号或会员码）",
        "超出离线上限的积分抵现，或非本机会员的积分抵现",
        "本机没有的优惠券（发给其他门店或会员的）",
        "收银机登记到服务器",
    ),
}


def describe(rules: OfflineRules, lang: Lang = "en") -> str:
    """The text the cashier sees when the till is offline."""
    allowed = [_LABELS[f.name][lang] for f in fields(rules) if getattr(rules, f.name)]
    blocked = [_LABELS[f.name][lang] for f in fields(rules) if not getattr(rules, f.name)]
    if lang == "zh":
        head, need = "离线时可以：", "需要连接服务器："
    else:
        head, need = "While offline you can:", "Needs the server:"
    lines = [
        head,
        *(f"  • {a}" for a in allowed),
        need,
        *(f"  • {b}" for b in (*blocked, *_NEEDS_SERVER[lang])),
    ]
    return "\n".join(lines)
