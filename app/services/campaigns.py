"""Coupon issuers (DOMAIN.md, "Issued by"): birthday month, wake-up for dormant members,
cross-sell triggers, high frequency, and service compensation.

`run_campaigns` is a daily job (`till coupons issue`); each issuer is idempotent, keyed by
the coupon's `issued_reason`, so running it twice a day issues nothing twice. Every coupon
issued writes an outbox event so the server learns of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.domain.clock import local_time
from app.domain.ids import MemberId
from app.services.context import TillContext
from app.services.members import issue_coupon
from app.services.outbox import record_event
from app.store import orm


@dataclass(frozen=True, slots=True)
class CrossSell:
    """Bought something in `bought` → a coupon on `offer` (e.g. steak → wine)."""

    name: str
    bought: tuple[str, ...]  # categories
    offer: tuple[str, ...]  # categories the coupon applies to
    percent: str = "10"
    cap: int = 3000


@dataclass(frozen=True, slots=True)
class CampaignRules:
    birthday_amount: int = 2000
    birthday_threshold: int = 10000
    dormant_days: int = 30
    wakeup_amount: int = 1000
    wakeup_threshold: int = 5000
    frequent_visits: int = 3
    frequent_window_days: int = 7
    frequent_multiplier: str = "2"
    valid_days: int = 14
    cross_sell: tuple[CrossSell, ...] = field(
        default_factory=lambda: (CrossSell("steak → wine", ("meat",), ("wine",)),)
    )


@dataclass(frozen=True, slots=True)
class CampaignRun:
    birthday: int
    wakeup: int
    cross_sell: int
    frequent: int

    @property
    def total(self) -> int:
        return self.birthday + self.wakeup + self.cross_sell + self.frequent


def _issued(s: Session, member_id: MemberId, reason: str) -> bool:
    return (
        s.execute(
            select(orm.Coupon.id)
            .where(orm.Coupon.member_id == member_id, orm.Coupon.issued_reason == reason)
            .limit(1)
        ).first()
        is not None
    )


def _give(
    ctx: TillContext,
    s: Session,
    member_id: MemberId,
    reason: str,
    now: datetime,
    rules: CampaignRules,
    **kw: object,
) -> None:
    coupon = issue_coupon(
        s,
        member_id=member_id,
        valid_from=now,
        valid_to=now + timedelta(days=rules.valid_days),
        reason=reason,
        at=now,
        **kw,  # type: ignore[arg-type]
    )
    s.flush()
    record_event(
        s,
        ctx.terminal_id,
        "coupon.issued",
        {
            "coupon_id": str(coupon.id),
            "code": coupon.code,
            "member_id": str(member_id),
            "kind": coupon.kind,
            "reason": reason,
            "amount": coupon.amount,
            "percent": coupon.percent,
            "cap": coupon.cap,
            "threshold": coupon.threshold,
            "multiplier": coupon.multiplier,
            "categories": coupon.categories,
            "valid_from": coupon.valid_from.isoformat(),
            "valid_to": coupon.valid_to.isoformat(),
        },
        now,
    )


def run_campaigns(ctx: TillContext, rules: CampaignRules | None = None) -> CampaignRun:
    """Issue today's coupons for the members this till knows (registered here or seen here)."""
    rules = rules or CampaignRules()
    now = ctx.now()
    local = local_time(now, ctx.tz)
    counts = {"birthday": 0, "wakeup": 0, "cross_sell": 0, "frequent": 0}
    with ctx.uow() as uow:
        s = uow.session
        # Birthday month: once per member per year.
        reason = f"birthday:{local.year}"
        rows = s.execute(
            select(orm.Member.id, orm.Member.birthday).where(
                orm.Member.birthday.is_not(None), orm.Member.merged_into.is_(None)
            )
        ).all()
        for mid, birthday in rows:
            born_this_month = birthday is not None and birthday.month == local.month
            if born_this_month and not _issued(s, MemberId(mid), reason):
                _give(
                    ctx,
                    s,
                    MemberId(mid),
                    reason,
                    now,
                    rules,
                    kind="amount_off",
                    name="Birthday",
                    amount=rules.birthday_amount,
                    threshold=rules.birthday_threshold,
                )
                counts["birthday"] += 1
        # Wake-up: no purchase for `dormant_days`; at most one wake-up coupon per dormant spell.
        cutoff = now - timedelta(days=rules.dormant_days)
        dormant = s.execute(
            select(orm.Member.id, orm.Member.last_purchase_at).where(
                orm.Member.merged_into.is_(None),
                or_(
                    orm.Member.last_purchase_at < cutoff,
                    and_(orm.Member.last_purchase_at.is_(None), orm.Member.registered_at < cutoff),
                ),
            )
        ).all()
        for mid, last in dormant:
            spell = f"wakeup:{(last or cutoff).date().isoformat()}" if last else "wakeup:never"
            if not _issued(s, MemberId(mid), spell):
                _give(
                    ctx,
                    s,
                    MemberId(mid),
                    spell,
                    now,
                    rules,
                    kind="amount_off",
                    name="We miss you",
                    amount=rules.wakeup_amount,
                    threshold=rules.wakeup_threshold,
                )
                counts["wakeup"] += 1
        # Cross-sell: bought in one category in the last day → coupon on another.
        since = now - timedelta(days=1)
        for rule in rules.cross_sell:
            buyers = s.execute(
                select(orm.Sale.member_id, orm.Sale.id)
                .join(orm.SaleLine, orm.SaleLine.sale_id == orm.Sale.id)
                .where(
                    orm.Sale.at >= since,
                    orm.Sale.member_id.is_not(None),
                    orm.SaleLine.category.in_(rule.bought),
                )
                .distinct()
            ).all()
            for buyer, sale_id in buyers:
                reason = f"cross:{rule.name}:{sale_id}"
                if buyer is not None and not _issued(s, MemberId(buyer), reason):
                    _give(
                        ctx,
                        s,
                        MemberId(buyer),
                        reason,
                        now,
                        rules,
                        kind="percent_off",
                        name=rule.name,
                        percent=rule.percent,
                        cap=rule.cap,
                        categories=rule.offer,
                    )
                    counts["cross_sell"] += 1
        # High frequency: `frequent_visits` sales within the window → double points coupon.
        window = now - timedelta(days=rules.frequent_window_days)
        frequent = (
            s.execute(
                select(orm.Sale.member_id)
                .where(orm.Sale.at >= window, orm.Sale.member_id.is_not(None))
                .group_by(orm.Sale.member_id)
                .having(func.count() >= rules.frequent_visits)
            )
            .scalars()
            .all()
        )
        week = f"frequent:{local.isocalendar().year}-W{local.isocalendar().week:02d}"
        for regular in frequent:
            if regular is not None and not _issued(s, MemberId(regular), week):
                _give(
                    ctx,
                    s,
                    MemberId(regular),
                    week,
                    now,
                    rules,
                    kind="points_multiplier",
                    name="Double points",
                    multiplier=rules.frequent_multiplier,
                )
                counts["frequent"] += 1
        uow.commit()
    return CampaignRun(**counts)


def compensate(
    ctx: TillContext, member_id: MemberId, ticket_id: str, *, amount: int = 0, points: int = 0
) -> None:
    """Service compensation after a complaint (a feedback ticket closed on the server, or a
    store manager at the till): a coupon and/or points, once per ticket."""
    from app.domain import points as ledger
    from app.store.convert import ledger_row

    now = ctx.now()
    reason = f"compensation:{ticket_id}"
    with ctx.uow() as uow:
        s = uow.session
        coupon_done = s.execute(select(exists().where(orm.Coupon.issued_reason == reason))).scalar()
        points_done = s.execute(select(exists().where(orm.LedgerEntry.note == reason))).scalar()
        if coupon_done or points_done:
            return
        if amount:
            _give(
                ctx,
                s,
                member_id,
                reason,
                now,
                CampaignRules(valid_days=30),
                kind="amount_off",
                name="Sorry",
                amount=amount,
            )
        if points:
            entry = ledger.compensate(
                member_id, points, now, note=reason, expires_at=ctx.program_at(now).expires_at(now, ctx.tz)
            )
            s.add(ledger_row(entry))
            record_event(
                s,
                ctx.terminal_id,
                "points.compensated",
                {
                    "entry_id": str(entry.id),
                    "member_id": str(member_id),
                    "points": points,
                    "ticket_id": ticket_id,
                    "at": now.isoformat(),
                },
                now,
            )
        uow.commit()
