"""The offline rules: what the till may do while the server cannot be reached, and the cap on
redeeming points then. Shown to the cashier (`describe`), set in `sync.toml` `[offline]`.

Redeeming offline is allowed only for members cached at this till, and only up to the last
balance the server confirmed minus what this till has redeemed since (its unsent
redemptions). Points earned offline become redeemable once the server has them. Coupons may
be redeemed offline only when the till holds them (issued to this store or to its cached
members); another till could redeem any other coupon at the same moment.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select

from app.domain import points as ledger
from app.domain.ids import MemberId
from app.services.context import TillContext
from app.services.members import effective_entries, ledger_entries, resolve_member
from app.store import orm
from sync.settings import read_section

Lang = Literal["en", "zh"]


@dataclass(frozen=True)
class OfflineRules:
    sales: bool = True
    earn_points: bool = True
    register_members: bool = True
    refunds: bool = True
    redeem_points_cached: bool = True
    coupons_held_here: bool = True
    points_adjustments: bool = True

    @classmethod
    def load(cls, home: Path) -> OfflineRules:
        return replace(cls(), **read_section(home, "offline", {f.name: bool for f in fields(cls)}))

    def allows(self, action: str) -> bool:
        """`action` is one of the field names; anything else needs the server."""
        return bool(getattr(self, action, False)) if action in _NAMES else False


_NAMES = {f.name for f in fields(OfflineRules)}

_LABELS: dict[str, dict[Lang, str]] = {
    "sales": {"en": "Sales and receipts", "zh": "收银与打印小票"},
    "earn_points": {"en": "Earning points", "zh": "会员积分累计"},
    "register_members": {"en": "Registering new members (with welcome coupon)",
                         "zh": "新会员注册（含新人券）"},
    "refunds": {"en": "Refunds of sales made at this till", "zh": "本机销售的退货"},
    "redeem_points_cached": {
        "en": "Redeeming points for members known at this till, up to the last balance the "
              "server confirmed minus what this till has redeemed since",
        "zh": "本机已有会员的积分抵现，上限为服务器最近确认的余额减去本机此后已用积分"},
    "coupons_held_here": {"en": "Coupons issued to this store or to members known here",
                          "zh": "发给本店或本机已有会员的优惠券"},
    "points_adjustments": {"en": "Manual points adjustments (supervisor)",
                           "zh": "人工积分调整（需主管）"},
}

_NEEDS_SERVER: dict[Lang, tuple[str, ...]] = {
    "en": ("Finding a member this till has not seen (by phone or code)",
           "Redeeming points above the offline limit, or for members not known here",
           "Coupons this till does not hold (issued to another store or member)",
           "Enrolling the till"),
    "zh": ("查找本机没有的会员（手机号或会员码）",
           "超出离线上限的积分抵现，或非本机会员的积分抵现",
           "本机没有的优惠券（发给其他门店或会员的）",
           "收银机登记到服务器"),
}


def describe(rules: OfflineRules, lang: Lang = "en") -> str:
    """The text the cashier sees when the till is offline."""
    allowed = [_LABELS[f.name][lang] for f in fields(rules) if getattr(rules, f.name)]
    blocked = [_LABELS[f.name][lang] for f in fields(rules) if not getattr(rules, f.name)]
    if lang == "zh":
        head, need = "离线时可以：", "需要连接服务器："
    else:
        head, need = "While offline you can:", "Needs the server:"
    lines = [head, *(f"  • {a}" for a in allowed), need,
             *(f"  • {b}" for b in (*blocked, *_NEEDS_SERVER[lang]))]
    return "\n".join(lines)


@dataclass(frozen=True)
class RedeemCap:
    last_known_balance: int  # the balance as far as the server has confirmed it
    redeemed_since: int  # points this till redeemed in sales the server has not had yet
    cap: int  # points that may be redeemed offline now (whole redeem steps)


def _unsent_refs(ctx: TillContext, member_ids: list[str]) -> tuple[set[uuid.UUID], set[uuid.UUID],
                                                                     set[uuid.UUID]]:
    """Sale, refund and ledger-entry ids named by this member's unsent outbox events."""
    sales: set[uuid.UUID] = set()
    refunds: set[uuid.UUID] = set()
    entries: set[uuid.UUID] = set()
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(orm.OutboxEvent.payload).where(
                orm.OutboxEvent.sent_at.is_(None),
                func.json_extract(orm.OutboxEvent.payload, "$.member_id").in_(member_ids),
            )
        ).scalars()
        for payload in rows:
            for key, into in (("sale_id", sales), ("refund_id", refunds), ("entry_id", entries)):
                value = payload.get(key) if isinstance(payload, dict) else None
                if value:
                    with contextlib.suppress(ValueError):
                        into.add(uuid.UUID(str(value)))
    return sales, refunds, entries


def offline_redeem_cap(ctx: TillContext, member_id: MemberId) -> RedeemCap:
    """How many points a cached member may redeem while the server cannot be reached."""
    now = ctx.now()
    step = ctx.config.loyalty.redeem_step
    with ctx.uow(write=False) as uow:
        s = uow.session
        row = resolve_member(s, member_id)
        if row is None:
            return RedeemCap(0, 0, 0)
        mid = MemberId(row.id)
        ids = [str(mid), *(str(a) for a in s.execute(
            select(orm.MemberAlias.alias_id).where(orm.MemberAlias.member_id == mid)).scalars())]
        entries = ledger_entries(s, mid)
    sales, refunds, entry_ids = _unsent_refs(ctx, ids)

    def unsent(e: ledger.LedgerEntry) -> bool:
        return e.id in entry_ids or (e.sale_id in sales) or (e.refund_id in refunds)

    confirmed = [e for e in entries if not unsent(e)]
    last_known = ledger.balance(effective_entries(confirmed, mid, now))
    redeemed = -sum(e.points for e in entries if unsent(e) and e.kind == ledger.EntryKind.REDEEM)
    current = ledger.balance(effective_entries(entries, mid, now))
    cap = max(0, min(last_known - redeemed, current))
    return RedeemCap(last_known, redeemed, cap - cap % step)


def coupon_usable_offline(ctx: TillContext, code: str) -> bool:
    """True when the till holds this coupon unredeemed (issued to this store or to one of its
    cached members); any other coupon needs the server to rule out a second redemption."""
    with ctx.uow(write=False) as uow:
        status = uow.session.execute(
            select(orm.Coupon.status).where(orm.Coupon.code == code.strip())
        ).scalar_one_or_none()
    return status == "issued"
