"""Points for gifts (积分兑换) at the till: HQ's catalogue as pulled (`gift` changes), a gift
handed to the identified member for points (a `redeem` ledger entry naming the gift, this
store's stock down by one, a `gift.redeemed` event), and its reversal when the gift comes back
(a positive `reverse` entry, the stock back up, `gift.reversed`). Offline the till redeems up
to the balance it holds (the `redeem_points_cached` rule); the server checks it again
(`server/push/handlers/gifts.py`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.ids import MemberId, StaffId, new_id
from app.domain.staff import Action
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.members import effective_entries, ledger_entries, resolve_member
from app.services.outbox import record_event
from app.services.staff import require_approval
from app.store import orm
from app.store.convert import ledger_row


@dataclass(frozen=True, slots=True)
class GiftView:
    id: str
    name_zh: str
    name_en: str
    points: int
    stock: int

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True, slots=True)
class RedemptionView:
    id: uuid.UUID
    gift_id: str
    gift_name_zh: str
    gift_name_en: str
    points: int
    at: datetime
    reversed: bool


@dataclass(frozen=True, slots=True)
class RedeemGift:
    member_id: MemberId
    gift_id: str
    staff_id: StaffId


@dataclass(frozen=True, slots=True)
class ReverseGift:
    """A gift given back: its points return to the member, so, as with a refund, a
    supervisor other than the cashier approves it with their PIN."""

    redemption_id: uuid.UUID
    staff_id: StaffId
    approver_id: StaffId | None = None
    approver_pin: str | None = None


def list_gifts(ctx: TillContext) -> tuple[GiftView, ...]:
    """The active gifts of HQ's catalogue, cheapest first (out of stock ones too: the dialog
    shows them greyed)."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(orm.Gift).where(orm.Gift.active.is_(True)).order_by(orm.Gift.points, orm.Gift.id)
        ).scalars()
        return tuple(GiftView(g.id, g.name_zh, g.name_en, g.points, g.stock) for g in rows)


def member_redemptions(ctx: TillContext, member_id: MemberId, limit: int = 20) -> tuple[RedemptionView, ...]:
    """The gifts this till handed the member, newest first."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        member = resolve_member(s, member_id)
        if member is None:
            return ()
        rows = s.execute(
            select(orm.GiftRedemption, orm.Gift.name_zh, orm.Gift.name_en)
            .outerjoin(orm.Gift, orm.Gift.id == orm.GiftRedemption.gift_id)
            .where(orm.GiftRedemption.member_id == member.id)
            .order_by(orm.GiftRedemption.at.desc(), orm.GiftRedemption.id.desc())
            .limit(limit)
        ).all()
        return tuple(
            RedemptionView(
                r.id, r.gift_id, zh or r.gift_id, en or r.gift_id, r.points, r.at, r.reversed_at is not None
            )
            for r, zh, en in rows
        )


def _balance(s: Session, member_id: MemberId, now: datetime) -> int:
    return ledger.balance(effective_entries(ledger_entries(s, member_id), member_id, now))


def redeem_gift(ctx: TillContext, cmd: RedeemGift) -> tuple[uuid.UUID, int]:
    """Hand `cmd.gift_id` to the member for its points; returns (redemption id, new balance).
    Refused when the gift is unknown or inactive, out of stock here, or the member cannot
    afford it with the points this till knows of."""
    ctx.require_allowed_offline("redeem_points_cached")
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        member = resolve_member(s, cmd.member_id)
        if member is None:
            raise NotFound("No such member.", code="no_member")
        member_id = MemberId(member.id)
        gift = s.get(orm.Gift, cmd.gift_id)
        if gift is None or not gift.active:
            raise NotFound("No such gift.", code="no_gift")
        if gift.stock <= 0:
            raise Refused("This gift is out of stock in this store.", code="gift_out_of_stock")
        entries = effective_entries(ledger_entries(s, member_id), member_id, now)
        try:
            entry = ledger.redeem(
                member_id, gift.points, now, entries=entries, note=f"gift:{gift.id} {gift.name_zh}"[:200]
            )
        except ledger.RedeemError as exc:
            raise Refused(
                f"Not enough points: the gift needs {gift.points:,}, the member has {exc.available:,}.",
                code="not_enough_points",
            ) from exc
        redemption_id = new_id()
        s.add(ledger_row(entry))
        s.add(
            orm.GiftRedemption(
                id=redemption_id,
                gift_id=gift.id,
                member_id=member_id,
                points=gift.points,
                entry_id=entry.id,
                at=now,
                staff_id=cmd.staff_id,
                reversed_at=None,
                reversal_entry_id=None,
            )
        )
        gift.stock -= 1
        details = {"gift_id": gift.id, "points": gift.points, "entry_id": str(entry.id)}
        append_audit(s, ctx, cmd.staff_id, None, "gift.redeem", str(member_id), details, now)
        record_event(
            s,
            ctx.terminal_id,
            "gift.redeemed",
            {
                "redemption_id": str(redemption_id),
                "entry_id": str(entry.id),
                "member_id": str(member_id),
                "gift_id": gift.id,
                "gift_name": gift.name_zh,
                "points": gift.points,
                "at": now.isoformat(),
                "staff_id": str(cmd.staff_id),
            },
            now,
        )
        s.flush()
        balance = _balance(s, member_id, now)
        uow.commit()
        return redemption_id, balance


def reverse_gift(ctx: TillContext, cmd: ReverseGift) -> int:
    """The gift came back: its points return as a new lot and the stock goes up by one; returns
    the new balance. A redemption is reversed once, with a supervisor's approval (Refused
    ``approval_required`` without one; a wrong PIN counts towards the lock-out)."""
    approver = require_approval(ctx, cmd.staff_id, cmd.approver_id, cmd.approver_pin, Action.REFUND)
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        red = s.get(orm.GiftRedemption, cmd.redemption_id)
        if red is None:
            raise NotFound("No such gift redemption at this till.", code="no_redemption")
        if red.reversed_at is not None:
            raise Invalid("This gift redemption was reversed already.", code="already_reversed")
        member_id = MemberId(red.member_id)
        program = ctx.program_at(now)
        entry = ledger.give_back(
            member_id,
            red.points,
            now,
            note=f"gift returned:{red.gift_id}"[:200],
            expires_at=program.expires_at(now, ctx.tz),
        )
        s.add(ledger_row(entry))
        red.reversed_at, red.reversal_entry_id = now, entry.id
        gift = s.get(orm.Gift, red.gift_id)
        if gift is not None:
            gift.stock += 1
        details = {"gift_id": red.gift_id, "points": red.points, "entry_id": str(entry.id)}
        append_audit(s, ctx, cmd.staff_id, approver, "gift.reverse", str(member_id), details, now)
        record_event(
            s,
            ctx.terminal_id,
            "gift.reversed",
            {
                "redemption_id": str(red.id),
                "entry_id": str(entry.id),
                "member_id": str(member_id),
                "gift_id": red.gift_id,
                "points": red.points,
                "at": now.isoformat(),
                "staff_id": str(cmd.staff_id),
                "approver_id": str(approver),
            },
            now,
        )
        s.flush()
        balance = _balance(s, member_id, now)
        uow.commit()
        return balance
