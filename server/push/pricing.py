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

from app.domain.clock import DEFAULT_TZ
from app.domain.events import MAX_FEN, SaleCompletedP
from app.pricing.engine import price
from app.pricing.model import Basket, BasketLine, CouponSpec, MemberContext, Program, Promotion
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


def program_at(b: Batch, p: SaleCompletedP) -> Program:
    """The pricing program in force at the sale's time."""
    return Program.default()


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
        out.append(BasketLine(ln.sku, cats.get(ln.sku, ""), unit, qty,
                              member if member < unit else None))
    return tuple(out)


def points_figure(b: Batch, p: SaleCompletedP, member: Member, coupons: list[CouponSpec]) -> Figure:
    """The till's claimed points and the server's own for this sale."""
    program = program_at(b, p)
    tier = member.tier if member.tier in program.tier_multipliers else "basic"
    ctx = MemberContext(tier, max(balance(b, member.id), p.points_redeemed), member.birthday)
    basket = Basket(at=p.at.astimezone(DEFAULT_TZ), program=program, member=ctx,
                    lines=basket_lines(b, p.lines), promotions=promotions(b), coupons=tuple(coupons),
                    redeem_points=p.points_redeemed)
    quote = price(basket)
    computed = quote.points_earned
    if quote.total_due > p.total_due:
        computed = computed * p.total_due // quote.total_due
    return Figure(claimed=p.points_earned, computed=computed)


def mismatch_details(p: SaleCompletedP, member_id: uuid.UUID, fig: Figure) -> dict[str, Any]:
    return {"member_id": str(member_id), "claimed": fig.claimed, "computed": fig.computed,
            "posted": fig.posted, "total_due": p.total_due}
