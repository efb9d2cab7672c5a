"""The server's own figure for a sale's points: the lines it received, priced again with the
same engine as the till (`app.pricing.engine.price`) and the program in force at the sale's
time, with the member's tier then, the promotions the server knows and the coupons it holds.

The till's money is what happened (a sale is never refused for its arithmetic): each line is
priced at the till's line price (a price override or a weighed item is the till's to record),
while the product's category comes from HQ's catalogue when the server knows the sku. The
points cannot exceed what the money the sale took in earns: when the lines add up to more than
the sale's total, the figure is scaled down to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from app.domain.clock import local_time
from app.domain.events import MAX_FEN, SaleCompletedP
from app.domain.program import LoyaltyProgram
from app.pricing.engine import price
from app.pricing.model import (
    Basket,
    BasketLine,
    CouponSpec,
    MemberContext,
    Promotion,
    birthday_promotion,
    pricing_program,
)
from app.pricing.rows import promotion
from server.models import Member, Product
from server.models import Promotion as PromotionRow
from server.push.context import Batch, balance


class _Line(BaseModel):
    """A received sale line, read leniently: what pricing needs of it."""

    model_config = ConfigDict(extra="ignore")
    sku: str = Field(max_length=64)
    qty: int = Field(ge=1, le=100_000)
    list_total: int = Field(ge=0, le=MAX_FEN)
    line_total: int = Field(ge=0, le=MAX_FEN)


@dataclass(frozen=True, slots=True)
class Figure:
    claimed: int
    computed: int

    @property
    def posted(self) -> int:
        """What the server posts: its own figure, or the till's when the till gave less (its
        offline rules may have switched earning off)."""
        return min(self.claimed, self.computed)


def program_at(b: Batch, p: SaleCompletedP) -> LoyaltyProgram:
    """The program version the sale names when HQ published it, else the one in force at the
    sale's time (server/program.py): what the till priced it with."""
    return b.programs.for_sale(p.program_version, p.at)


def promotions(b: Batch) -> tuple[Promotion, ...]:
    if b.promotions is None:
        b.promotions = tuple(promotion(r) for r in b.s.execute(select(PromotionRow)).scalars())
    return b.promotions


def categories(b: Batch, skus: set[str]) -> dict[str, str]:
    missing = [s for s in skus if s not in b.categories]
    if missing:
        b.categories.update(dict.fromkeys(missing, ""))
        q = select(Product.sku, Product.category).where(Product.sku.in_(missing))
        for sku, category in b.s.execute(q):
            b.categories[sku] = category
    return b.categories


def basket_lines(b: Batch, raw: list[dict[str, Any]]) -> tuple[BasketLine, ...]:
    lines = []
    for item in raw:
        try:
            ln = _Line.model_validate(item)
        except ValidationError:
            continue  # a line the server cannot read earns nothing here
        lines.append(ln)
    cats = categories(b, {ln.sku for ln in lines})
    out = []
    for ln in lines:
        unit, qty, member = ln.list_total, 1, ln.line_total
        if ln.list_total % ln.qty == 0 and ln.line_total % ln.qty == 0:
            unit, qty, member = ln.list_total // ln.qty, ln.qty, ln.line_total // ln.qty
        out.append(BasketLine(ln.sku, cats.get(ln.sku, ""), unit, qty, member if member < unit else None))
    return tuple(out)


def points_figure(
    b: Batch, p: SaleCompletedP, member: Member, coupons: list[CouponSpec], spend_before: int
) -> Figure:
    """The till's claimed points and the server's own for this sale: the member's tier then
    (their 12-month spend before it, by the program's table), the store's calendar."""
    loyalty = program_at(b, p)
    program = pricing_program(loyalty)
    tier = str(loyalty.tier_for_spend(spend_before))
    ctx = MemberContext(tier, max(balance(b, member.id), p.points_redeemed), member.birthday)
    birthday = birthday_promotion(loyalty)
    promos = promotions(b) if birthday is None else (*promotions(b), birthday)
    basket = Basket(
        at=local_time(p.at, b.tz),
        program=program,
        member=ctx,
        lines=basket_lines(b, p.lines),
        promotions=promos,
        coupons=tuple(coupons),
        redeem_points=p.points_redeemed,
    )
    quote = price(basket)
    computed = quote.points_earned
    if quote.total_due > p.total_due:
        computed = computed * p.total_due // quote.total_due
    return Figure(claimed=p.points_earned, computed=computed)


def mismatch_details(p: SaleCompletedP, member_id: uuid.UUID, fig: Figure) -> dict[str, Any]:
    return {
        "member_id": str(member_id),
        "claimed": fig.claimed,
        "computed": fig.computed,
        "posted": fig.posted,
        "total_due": p.total_due,
    }
