"""Pricing a cart as the checkout shows it (`quote_cart`), with the one pricing engine
(`app.pricing`): the cart's lines as the engine takes them (weighed goods, manual changes),
what it needs of the member (tier, balance, birthday, the offline cap) and of the coupons
(refused before pricing: unknown, used, someone else's). `app.services.checkout` completes
the sale with the same `price_cart`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.clock import local_time
from app.domain.ids import MemberId
from app.domain.program import DEFAULT_PROGRAM, LoyaltyProgram
from app.pricing.engine import price
from app.pricing.manual import ApprovedChange, changed_unit_price
from app.pricing.manual import refusal as manual_refusal
from app.pricing.model import (
    Basket,
    BasketLine,
    CouponSpec,
    MemberContext,
    Quote,
    birthday_promotion,
    pricing_program,
)
from app.pricing.weighed import member_price_for_label, price_for_weight, weight_for_price
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound
from app.services.members import effective_entries, ledger_entries, resolve_member, rolling_spend
from app.services.offline import RedeemCap, redeem_cap
from app.store import orm
from app.store.convert import coupon_spec, promotion


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    qty: int
    price_override: int | None = None  # fen per unit; needs a supervisor's approval
    # Weighed goods (a scale label, app/domain/scan.py): the product's unit price is per kg;
    # the line (qty 1) costs `grams` of it, or the `scale_price` the label carries.
    grams: int | None = None
    scale_price: int | None = None
    manual: ApprovedChange | None = None  # a discount or price a supervisor approved

    @property
    def weighed(self) -> bool:
        return self.grams is not None or self.scale_price is not None


@dataclass(frozen=True, slots=True)
class LineDetail:
    """What the screen and the receipt show of a line beyond the quote: a weighed item's
    weight and price per kg, and a manual change with the line total before it."""

    grams: int | None = None
    per_kg: int | None = None
    manual: ApprovedChange | None = None
    list_unit: int = 0  # the product's list unit price (of the weighed amount, when weighed)
    manual_discount: int = 0  # what `manual` took off the line (negative: it raised the price)


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[CartLine, ...]
    member_id: MemberId | None = None
    coupon_codes: tuple[str, ...] = ()
    redeem_points: int = 0
    # The verified member code that identified the member (MemberView.code), sent with the
    # sale: the server lets this store receive a member only once it was identified here.
    member_code: str | None = None


@dataclass(frozen=True, slots=True)
class Priced:
    """A quote, plus coupons refused before pricing (unknown, used, someone else's)."""

    quote: Quote
    names: tuple[str, ...]
    categories: tuple[str, ...]
    refused_coupons: tuple[tuple[str, str], ...] = ()
    member_id: MemberId | None = None
    # What pricing read about the member, so completing the sale need not read it again.
    ledger: tuple[ledger.LedgerEntry, ...] = ()
    spend: int = 0
    # Offline (the server unreachable): the most points this member may redeem now, and why;
    # None when online or with no member. Points earned are 0 when `no_points_offline`.
    redeem_cap: RedeemCap | None = None
    no_points_offline: bool = False
    # The program version the sale is priced with (the one in force at the pricing time).
    program: LoyaltyProgram = DEFAULT_PROGRAM
    details: tuple[LineDetail, ...] = ()  # per line, in the cart's order


def quote_cart(ctx: TillContext, cart: Cart, at: datetime | None = None) -> Priced:
    """Price a cart as the checkout would; changes nothing."""
    with ctx.uow(write=False) as uow:
        return price_cart(ctx, uow.session, cart, at or ctx.now())


# Built once: the checkout runs these on every quote (values go in as bound parameters).
PRODUCTS_BY_SKU = select(
    orm.Product.sku,
    orm.Product.category,
    orm.Product.unit_price,
    orm.Product.member_price,
    orm.Product.name_zh,
    orm.Product.name_en,
    orm.Product.active,
).where(orm.Product.sku.in_(bindparam("skus", expanding=True)))
_COUPONS_BY_CODE = select(orm.Coupon).where(orm.Coupon.code.in_(bindparam("codes", expanding=True)))
_PROMOTIONS = select(orm.Promotion)


def _basket_lines(
    ctx: TillContext, s: Session, cart: Cart
) -> tuple[list[BasketLine], list[str], list[LineDetail]]:
    """The cart's lines as the engine prices them, their names in the till's language and
    what else the screen shows of them (weights, manual changes)."""
    if not cart.lines:
        raise Invalid("The cart is empty.", code="empty_cart")
    skus = {line.sku for line in cart.lines}
    products = {p.sku: p for p in s.execute(PRODUCTS_BY_SKU, {"skus": list(skus)})}
    lines: list[BasketLine] = []
    names: list[str] = []
    details: list[LineDetail] = []
    zh = ctx.config.terminal.language == "zh_CN"
    for line in cart.lines:
        product = products.get(line.sku)
        if product is None or not product.active:
            raise NotFound(f"Unknown barcode {line.sku}.", code="unknown_sku")
        if line.qty <= 0:
            raise Invalid("Quantity must be at least 1.", code="bad_qty")
        priced_line, detail = basket_line(line, product, member=cart.member_id is not None)
        lines.append(priced_line)
        details.append(detail)
        names.append(product.name_zh if zh else product.name_en)
    return lines, names, details


def basket_line(line: CartLine, product: Any, member: bool) -> tuple[BasketLine, LineDetail]:
    """One cart line priced as the engine takes it: weighed (qty 1, the weighed amount's
    price), then a manual change (app/pricing/manual.py) or the older price override."""
    unit, member_price, grams = product.unit_price, product.member_price, line.grams
    if line.weighed:
        if line.qty != 1:
            raise Invalid("A weighed item is sold as one line of its weight.", code="bad_qty")
        if line.grams is not None:
            unit = price_for_weight(product.unit_price, line.grams)
            member_price = None if member_price is None else price_for_weight(member_price, line.grams)
        else:
            unit = line.scale_price or 0
            member_price = member_price_for_label(unit, product.unit_price, member_price)
            grams = weight_for_price(product.unit_price, unit)
    per_kg = product.unit_price if line.weighed else None
    if line.manual is not None:
        bad = manual_refusal(line.manual.change)
        if bad is not None:
            raise Invalid("That manual price change is not valid.", code=bad)
        before = min(unit, member_price) if member and member_price is not None else unit
        after = changed_unit_price(before, line.manual.change)
        detail = LineDetail(grams, per_kg, line.manual, unit, (before - after) * line.qty)
        return BasketLine(product.sku, product.category, after, line.qty), detail
    detail = LineDetail(grams, per_kg, None, unit, 0)
    if line.price_override is None:
        return BasketLine(product.sku, product.category, unit, line.qty, member_price), detail
    if line.price_override < 0:
        raise Invalid("A price cannot be negative.", code="bad_price")
    return BasketLine(product.sku, product.category, line.price_override, line.qty), detail


@dataclass(frozen=True, slots=True)
class _MemberRead:
    member_id: MemberId | None = None
    context: MemberContext | None = None
    ledger: tuple[ledger.LedgerEntry, ...] = ()
    spend: int = 0
    cap: RedeemCap | None = None


def _member_read(
    ctx: TillContext, s: Session, cart: Cart, at: datetime, program: LoyaltyProgram, offline: bool
) -> _MemberRead:
    """What pricing needs of the cart's member (none for an anonymous sale)."""
    if cart.member_id is None:
        return _MemberRead()
    member = resolve_member(s, cart.member_id)
    if member is None:
        raise NotFound("No such member.", code="no_member")
    member_id = MemberId(member.id)
    raw_entries = ledger_entries(s, member_id)
    spend = rolling_spend(s, member_id, at)
    balance = ledger.balance(effective_entries(raw_entries, member_id, at))
    cap = None
    if offline:  # the engine holds a redemption to this (DOMAIN.md, offline first)
        cap = redeem_cap(ctx, s, member_id, raw_entries, at)
        balance = min(balance, cap.cap)
    tier = program.tier_for_spend(spend)
    return _MemberRead(
        member_id, MemberContext(str(tier), balance, member.birthday), tuple(raw_entries), spend, cap
    )


def _coupon_specs(
    ctx: TillContext, s: Session, cart: Cart, member_id: MemberId | None, offline: bool
) -> tuple[list[CouponSpec], list[tuple[str, str]]]:
    """The cart's coupons the engine may consider, and those refused before pricing."""
    refused: list[tuple[str, str]] = []
    specs: list[CouponSpec] = []
    if not cart.coupon_codes:
        return specs, refused
    rows = {c.code: c for c in s.execute(_COUPONS_BY_CODE, {"codes": list(cart.coupon_codes)}).scalars()}
    for code in cart.coupon_codes:
        row = rows.get(code)
        if offline and not ctx.offline_rules.coupons_held_here:
            refused.append((code, "offline"))
        elif row is None:
            refused.append((code, "unknown"))
        elif row.status != "issued":
            refused.append((code, "already_used"))
        elif row.member_id is not None and row.member_id != member_id:
            refused.append((code, "other_member"))
        else:
            specs.append(coupon_spec(row))
    return specs, refused


def price_cart(ctx: TillContext, s: Session, cart: Cart, at: datetime) -> Priced:
    """Price `cart` at `at` with the program version in force then. The engine sees `at` as
    the store's wall-clock time, so the birthday month is the store's month."""
    lines, names, details = _basket_lines(ctx, s, cart)
    program = ctx.program_at(at)
    offline = ctx.offline()
    member = _member_read(ctx, s, cart, at, program, offline)
    specs, refused = _coupon_specs(ctx, s, cart, member.member_id, offline)
    promotions = [promotion(p) for p in s.execute(_PROMOTIONS).scalars()]
    birthday = birthday_promotion(program)
    if birthday is not None:
        promotions.append(birthday)
    quote = price(
        Basket(
            at=local_time(at, ctx.tz),
            program=pricing_program(program),
            member=member.context,
            lines=tuple(lines),
            promotions=tuple(promotions),
            coupons=tuple(specs),
            redeem_points=cart.redeem_points,
        )
    )
    no_points = offline and not ctx.offline_rules.earn_points and member.member_id is not None
    if no_points:
        quote = replace(
            quote, points_earned=0, lines=tuple(replace(line, points_earned=0) for line in quote.lines)
        )
    return Priced(
        quote,
        tuple(names),
        tuple(b.category for b in lines),
        tuple(refused),
        member.member_id,
        member.ledger,
        member.spend,
        member.cap,
        no_points,
        program,
        tuple(details),
    )
