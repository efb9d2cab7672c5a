"""What a demo seed made (`SeedSummary`), counted back from the store."""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from app.domain.ids import MemberId
from app.domain.members import mask_phone
from app.services.context import TillContext
from app.services.errors import Refused
from app.store import orm
from till.demo.catalogue import catalogue
from till.demo.people import DEMO_STAFF, KNOWN_MEMBERS
from till.demo.plan import PlannedMember


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What was made. `describe()` prints no member's phone or name (known demo members are
    shown masked)."""

    products: int
    categories: int
    promotions: int
    staff: tuple[tuple[str, str, str, str], ...]  # login, role, name, pin
    members: int
    members_by_tier: dict[str, int]
    coupons_by_kind: dict[str, int]
    bearer_coupons: int
    sales: int
    member_sales: int
    refunds: int
    points_adjustments: int
    points_earned: int
    points_redeemed: int
    points_expired: int
    audit_entries: int
    outbox_events: int
    known_members: tuple[tuple[str, str], ...]  # masked phone, tier
    seconds: float
    seed: int

    def describe(self) -> str:
        tiers = ", ".join(
            f"{t} {self.members_by_tier.get(t, 0)}" for t in ("basic", "silver", "gold", "black")
        )
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.coupons_by_kind.items()))
        lines = [
            f"demo store seeded in {self.seconds:.1f} s (seed {self.seed})",
            f"  products:   {self.products} in {self.categories} categories, {self.promotions} promotions",
            f"  members:    {self.members} ({tiers})",
            f"  coupons:    {kinds}; {self.bearer_coupons} bearer",
            f"  sales:      {self.sales} ({self.member_sales} to members), "
            f"{self.refunds} refunds, {self.points_adjustments} points adjustments",
            f"  points:     {self.points_earned} earned, {self.points_redeemed} redeemed, "
            f"{self.points_expired} expired",
            f"  audit log:  {self.audit_entries} entries; outbox: {self.outbox_events} events",
            "  staff (login / PIN):",
        ]
        lines += [f"    {login}  {pin}  {role:<10} {name}" for login, role, name, pin in self.staff]
        lines.append("  demo members to try (full numbers in till/demo/people.py):")
        lines += [f"    {masked}  {tier}" for masked, tier in self.known_members]
        return "\n".join(lines)


class StoreNotEmpty(Refused):
    code = "store_not_empty"


def store_is_empty(ctx: TillContext) -> bool:
    """True when the store has no products (a fresh till)."""
    with ctx.uow(write=False) as uow:
        return uow.session.execute(select(orm.Product.id).limit(1)).first() is None


@dataclass(slots=True)
class Results:
    """What the timeline's run did (counted as it went)."""

    sales: int = 0
    member_sales: int = 0
    refunds: int = 0
    adjustments: int = 0


def summarize(
    ctx: TillContext,
    products: int,
    people: list[PlannedMember],
    res: Results,
    expired: int,
    seed: int,
    seconds: float,
) -> SeedSummary:
    from app.services.members import member_view

    now = ctx.now()
    with ctx.uow(write=False) as uow:
        s = uow.session
        kinds = dict(s.execute(select(orm.Coupon.kind, func.count()).group_by(orm.Coupon.kind)).all())
        bearer = s.execute(
            select(func.count()).select_from(orm.Coupon).where(orm.Coupon.member_id.is_(None))
        ).scalar_one()
        earned, redeemed = s.execute(
            select(
                func.coalesce(func.sum(orm.Sale.points_earned), 0),
                func.coalesce(func.sum(orm.Sale.points_redeemed), 0),
            )
        ).one()
        audit = s.execute(select(func.count()).select_from(orm.AuditRow)).scalar_one()
        outbox = s.execute(select(func.count()).select_from(orm.OutboxEvent)).scalar_one()
        promos = s.execute(select(func.count()).select_from(orm.Promotion)).scalar_one()
        buyers = [
            MemberId(r)
            for r in s.execute(
                select(orm.Sale.member_id)
                .where(orm.Sale.member_id.is_not(None), orm.Sale.at >= now - timedelta(days=366))
                .distinct()
            ).scalars()
            if r is not None
        ]
    tiers: Tally[str] = Tally()
    for mid in buyers:
        tiers[member_view(ctx, mid).tier] += 1
    tiers["basic"] += len(people) - sum(tiers.values())
    known_phones = {p for p, _ in KNOWN_MEMBERS}
    known = sorted(
        (mask_phone(m.phone), member_view(ctx, m.id).tier) for m in people if m.phone in known_phones
    )
    staff = tuple((login, str(role), name, pin) for login, name, role, pin in DEMO_STAFF)
    return SeedSummary(
        products=products,
        categories=len(catalogue().categories),
        promotions=int(promos),
        staff=staff,
        members=len(people),
        members_by_tier=dict(tiers),
        coupons_by_kind=kinds,
        bearer_coupons=int(bearer),
        sales=res.sales,
        member_sales=res.member_sales,
        refunds=res.refunds,
        points_adjustments=res.adjustments,
        points_earned=int(earned),
        points_redeemed=int(redeemed),
        points_expired=expired,
        audit_entries=int(audit),
        outbox_events=int(outbox),
        known_members=tuple(known),
        seconds=seconds,
        seed=seed,
    )
