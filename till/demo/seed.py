"""`seed_demo`: plans the whole demo store, then writes it in time order with the clock moved
back to each moment (see `till.demo` for what goes through which path)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from app.domain.ids import RefundId, SaleId, StaffId, new_id
from app.domain.staff import Role
from app.program_file import PROGRAM_NAME, write_program_file
from app.services.checkout import Tender
from app.services.context import TillContext
from app.store import orm
from till.demo.activity import plan_activity
from till.demo.catalogue import promotions
from till.demo.people import DEMO_STAFF
from till.demo.plan import CouponPlan, PlannedAdjust, PlannedMember, PlannedSale, Planner
from till.demo.register import issue_coupons, register_batch
from till.demo.summary import Results, SeedSummary, StoreNotEmpty, store_is_empty, summarize

DEFAULT_SEED = 20261123

# A timeline entry: (when, order, n, kind, payload). Kinds run in this order at equal times.
_ORDER = {"register": 0, "coupons": 1, "adjust": 2, "sale": 3, "refund": 4}
Entry = tuple[datetime, int, int, str, Any]


def _at(ctx: TillContext, at_ref: list[datetime]) -> TillContext:
    """The same till (store, connection, caches) at a clock that reads `at_ref[0]`."""

    def moved() -> datetime:
        return at_ref[0]

    return replace(ctx, clock=moved)


def seed_demo(
    ctx: TillContext, members: int = 2000, sales: int = 400, seed: int = DEFAULT_SEED
) -> SeedSummary:
    """Fill an empty store with a realistic demo store. Refuses (StoreNotEmpty) when the store
    already has products."""
    if members < 0 or sales < 0:
        raise ValueError("members and sales cannot be negative")
    if not store_is_empty(ctx):
        raise StoreNotEmpty(
            "The store already has products; the demo seeds only an empty store "
            "(use a new --home, or --if-empty to skip quietly)."
        )
    started = time.perf_counter()
    now = ctx.now()
    if not (ctx.home / PROGRAM_NAME).exists():  # the demo store's program: its home file
        write_program_file(ctx.home, ctx.home_program)
    planner = Planner(
        random.Random(seed), now, ctx.tz, ctx.config.store.store_no, ctx.program_at(now).welcome_coupon.issued
    )
    at_ref = [now - timedelta(days=731)]
    back = _at(ctx, at_ref)  # writes each planned moment at its own time
    products = _write_catalogue(back, planner, now)
    staff = _write_staff(back)
    people = planner.members(members)
    plan_sales, coupon_plans, adjusts = plan_activity(planner, people, sales)
    results = _Runner(back, at_ref, staff).run(_timeline(people, plan_sales, coupon_plans, adjusts))
    from app.services.points import expire_due

    expired = expire_due(ctx)
    return summarize(ctx, products, people, results, expired, seed, time.perf_counter() - started)


def _write_catalogue(ctx: TillContext, planner: Planner, now: datetime) -> int:
    with ctx.uow() as uow:
        s = uow.session
        s.execute(
            insert(orm.Product),
            [
                {
                    "id": new_id(),
                    "sku": p.sku,
                    "name_zh": p.name_zh,
                    "name_en": p.name_en,
                    "category": p.category,
                    "unit_price": p.unit_price,
                    "member_price": p.member_price,
                    "active": True,
                }
                for p in planner.products
            ],
        )
        s.execute(
            insert(orm.Promotion),
            [{"id": str(new_id()), **promo} for promo in promotions(now, planner.products)],
        )
        uow.commit()
    return len(planner.products)


def _write_staff(ctx: TillContext) -> dict[str, StaffId]:
    from app.services.staff import add_staff

    ids: dict[str, StaffId] = {}
    with ctx.uow(write=False) as uow:
        for row in uow.session.execute(select(orm.Staff)).scalars():
            ids[row.login] = StaffId(row.id)
    manager: StaffId | None = None
    for login, name, role, pin in reversed(DEMO_STAFF):  # the manager adds the others
        if login not in ids:
            ids[login] = add_staff(ctx, login, name, role, pin, actor_id=manager).id
        if role is Role.MANAGER:
            manager = ids[login]
    return ids


def _timeline(
    people: list[PlannedMember],
    sales: list[PlannedSale],
    coupons: list[CouponPlan],
    adjusts: list[PlannedAdjust],
) -> list[Entry]:
    dated: list[tuple[datetime, str, Any]] = [(m.registered_at, "register", m) for m in people]
    dated += [(c.at, "coupons", c) for c in coupons]
    dated += [(a.at, "adjust", a) for a in adjusts]
    dated += [(s.at, "sale", s) for s in sales]
    entries = [(at, _ORDER[kind], n, kind, item) for n, (at, kind, item) in enumerate(dated)]
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    return entries


class _Runner:
    """Writes the timeline through the real use cases, the clock set to each moment; members
    are registered in bulk between the other entries, refunds when they fall due."""

    def __init__(self, ctx: TillContext, at_ref: list[datetime], staff: dict[str, StaffId]) -> None:
        self.ctx = ctx
        self.at_ref = at_ref
        self.staff = staff
        self.res = Results()
        self.pending: list[PlannedMember] = []
        self.refunds: list[tuple[datetime, int, PlannedSale, SaleId, int]] = []  # at, lines, sale, id, n

    def run(self, timeline: list[Entry]) -> Results:
        for at, _, _, kind, payload in timeline:
            if kind == "register":
                self.pending.append(payload)
                continue
            self._flush()
            self._due_refunds(at)
            self.at_ref[0] = at
            if kind == "coupons":
                issue_coupons(self.ctx, payload)
            elif kind == "adjust":
                self._adjust(payload)
            else:
                self._sale(at, payload)
        self._flush()
        self._due_refunds(datetime.max.replace(tzinfo=UTC))
        return self.res

    def _flush(self) -> None:
        if self.pending:
            register_batch(self.ctx, self.pending, self.staff)
            self.pending.clear()

    def _due_refunds(self, until: datetime) -> None:
        from app.services.refunds import RefundSale, refund_sale

        self.refunds.sort(key=lambda r: r[0])
        while self.refunds and self.refunds[0][0] <= until:
            at, n_lines, sale, sale_id, i = self.refunds.pop(0)
            self.at_ref[0] = at
            approver, pin = (self.staff["3001"], "9999") if i % 4 == 3 else (self.staff["2001"], "5678")
            lines = {k: q for k, (_, q) in enumerate(sale.lines, start=1)}
            if not sale.full_refund:
                lines = {n_lines: lines[n_lines]}
            refund_sale(
                self.ctx,
                RefundSale(
                    refund_id=RefundId(new_id()),
                    sale_ref=str(sale_id),
                    lines=lines,
                    cashier_id=self.staff[sale.cashier],
                    approver_id=approver,
                    approver_pin=pin,
                    reason="顾客退货 customer return",
                ),
            )
            self.res.refunds += 1

    def _adjust(self, adj: PlannedAdjust) -> None:
        from app.services.points import AdjustPoints, adjust_points

        adjust_points(
            self.ctx,
            AdjustPoints(adj.member.id, adj.points, adj.note, self.staff["1001"], self.staff["2001"], "5678"),
        )
        self.res.adjustments += 1

    def _sale(self, at: datetime, sale: PlannedSale) -> None:
        from app.services.checkout import Cart, CartLine, CompleteSale, complete_sale, quote_cart
        from app.services.members import member_view

        ctx = self.ctx
        member_id = sale.member.id if sale.member else None
        redeem = 0
        if sale.redeem and member_id is not None:
            balance = member_view(ctx, member_id).points_balance
            step = ctx.program_at(ctx.now()).redemption.step
            redeem = min(balance // step, sale.redeem) * step
        cart = Cart(
            lines=tuple(CartLine(sku, q) for sku, q in _merged(sale.lines)),
            member_id=member_id,
            coupon_codes=sale.coupons,
            redeem_points=redeem,
        )
        total = quote_cart(ctx, cart).quote.total_due
        tenders = (_tender(sale.tender, total, sale.reference),) if total > 0 else ()
        sale_id = SaleId(new_id())
        complete_sale(
            ctx,
            CompleteSale(
                sale_id=sale_id,
                cashier_id=self.staff[sale.cashier],
                cart=cart,
                tenders=tenders,
                expected_total=total,
            ),
        )
        self.res.sales += 1
        self.res.member_sales += member_id is not None
        if sale.refund is not None:
            sale.lines = _merged(sale.lines)
            self.refunds.append((at + sale.refund, len(sale.lines), sale, sale_id, len(self.refunds)))


def _merged(lines: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for sku, q in lines:
        out[sku] = out.get(sku, 0) + q
    return list(out.items())


def _tender(kind: str, total: int, reference: str) -> Tender:
    if kind == "cash":
        paid = -(-total // 1000) * 1000  # rounded up to the next ¥10
        if paid - total < 100 and total > 2000:
            paid += 5000 if total > 5000 else 0
        return Tender("cash", paid)
    return Tender(kind, total, ("WX" if kind == "mobile" else "UP") + reference)
