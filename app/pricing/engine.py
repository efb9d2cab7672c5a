"""The pricing engine: one pure function from a `Basket` to a `Quote`.

Rules, in order (the quote contract, docs: /work/shared/contracts/quote.md):
member price -> coupons in the order given -> points redemption -> points earning.
Money stays integer fen; only the earning step uses exact fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from math import lcm

from app.domain.allocation import allocate, allocate_ratio
from app.pricing.model import (
    POINTS_BAD_STEP,
    POINTS_INSUFFICIENT,
    POINTS_NO_MEMBER,
    REJECT_BELOW_THRESHOLD,
    REJECT_DUPLICATE,
    REJECT_EXPIRED,
    REJECT_MEMBER_ONLY,
    REJECT_NO_ELIGIBLE_LINES,
    REJECT_NOT_STACKABLE,
    REJECT_NOT_YET_VALID,
    AppliedCoupon,
    Basket,
    BasketLine,
    CouponSpec,
    MemberContext,
    Program,
    Promotion,
    Quote,
    QuoteLine,
    RejectedCoupon,
)

_ONE = Fraction(1)


def price(basket: Basket) -> Quote:
    """Price `basket`. Pure: no I/O, no clock, the same basket always gives the same quote.

    Raises ValueError only for a basket that `jsonio.parse_basket` would have refused (a
    member whose tier the program does not know).
    """
    lines = basket.lines
    member = basket.member
    program = basket.program

    # 1. Member price.
    list_totals = [ln.unit_price * ln.qty for ln in lines]
    if member is None:
        line_totals = list_totals
    else:
        line_totals = [
            (ln.unit_price if ln.member_price is None else min(ln.unit_price, ln.member_price)) * ln.qty
            for ln in lines
        ]
    net = list(line_totals)

    # 2. Coupons.
    coupon_disc = [0] * len(lines)
    coupon_mult: list[Fraction | None] = [None] * len(lines)
    applied, rejected = _apply_coupons(basket, net, coupon_disc, coupon_mult)

    # 3. Points redemption.
    points, value, capped, points_rejected = _redemption(basket, sum(net))
    points_disc = allocate(value, net) if value else [0] * len(lines)
    if points:
        weights = points_disc if value else net
        points_per_line = allocate(points, weights)
    else:
        points_per_line = [0] * len(lines)
    for i, part in enumerate(points_disc):
        net[i] -= part

    # 4. Earning.
    if member is None:
        earned_total, earned = 0, [0] * len(lines)
    else:
        earned_total, earned = _earn(basket.at, program, member, lines, net, coupon_mult, basket.promotions)

    quote_lines = tuple(
        QuoteLine(
            sku=ln.sku,
            qty=ln.qty,
            list_total=list_totals[i],
            line_total=line_totals[i],
            coupon_discount=coupon_disc[i],
            points_discount=points_disc[i],
            net=net[i],
            points_earned=earned[i],
            points_redeemed=points_per_line[i],
        )
        for i, ln in enumerate(lines)
    )
    subtotal = sum(list_totals)
    return Quote(
        lines=quote_lines,
        subtotal=subtotal,
        member_savings=subtotal - sum(line_totals),
        coupon_discount=sum(coupon_disc),
        applied_coupons=tuple(applied),
        rejected_coupons=tuple(rejected),
        points_redeemed=points,
        points_value=value,
        points_capped=capped,
        points_rejected=points_rejected,
        total_due=sum(net),
        points_earned=earned_total,
    )


# --------------------------------------------------------------------------- coupons


def _matcher(categories: Sequence[str], skus: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    return (frozenset(categories), frozenset(skus))


def _matches(line: BasketLine, cats: frozenset[str], skus: frozenset[str]) -> bool:
    if not cats and not skus:
        return True
    return line.category in cats or line.sku in skus


def _half_up_percent(amount: int, percent: Fraction) -> int:
    """amount x percent / 100, rounded half up to an integer (amount >= 0, percent >= 0)."""
    num = amount * percent.numerator
    den = 100 * percent.denominator
    return (2 * num + den) // (2 * den)


def _apply_coupons(
    basket: Basket,
    net: list[int],
    coupon_disc: list[int],
    coupon_mult: list[Fraction | None],
) -> tuple[list[AppliedCoupon], list[RejectedCoupon]]:
    """Apply the coupons in order, lowering `net` and filling `coupon_disc`/`coupon_mult`."""
    at = basket.at
    lines = basket.lines
    applied: list[AppliedCoupon] = []
    rejected: list[RejectedCoupon] = []
    applied_codes: set[str] = set()
    blocking_applied = False  # an applied coupon is not stackable

    for coupon in basket.coupons:
        reason = _gate(coupon, at, basket.member, applied_codes, applied, blocking_applied)
        if reason is not None:
            rejected.append(RejectedCoupon(coupon.code, reason))
            continue
        cats, skus = _matcher(coupon.categories, coupon.skus)
        scope = [i for i, ln in enumerate(lines) if net[i] > 0 and _matches(ln, cats, skus)]
        targets = scope
        if coupon.kind == "free_gift":
            targets = [i for i, ln in enumerate(lines) if ln.sku == coupon.gift_sku and net[i] > 0][:1]
        if not scope or not targets:
            rejected.append(RejectedCoupon(coupon.code, REJECT_NO_ELIGIBLE_LINES))
            continue
        scope_net = sum(net[i] for i in scope)
        if scope_net < coupon.threshold:
            rejected.append(RejectedCoupon(coupon.code, REJECT_BELOW_THRESHOLD))
            continue

        discount = _discount(coupon, scope_net, net, lines, targets)
        allocations = [0] * len(lines)
        if discount:
            parts = allocate(discount, [net[i] for i in targets])
            for i, part in zip(targets, parts, strict=True):
                allocations[i] = part
                net[i] -= part
                coupon_disc[i] += part
        if coupon.kind == "points_multiplier" and coupon.multiplier is not None:
            for i in targets:
                current = coupon_mult[i]
                if current is None or coupon.multiplier > current:
                    coupon_mult[i] = coupon.multiplier
        applied.append(AppliedCoupon(coupon.code, discount, tuple(allocations)))
        applied_codes.add(coupon.code)
        blocking_applied = blocking_applied or not coupon.stackable
    return applied, rejected


def _gate(
    coupon: CouponSpec,
    at: datetime,
    member: MemberContext | None,
    applied_codes: set[str],
    applied: list[AppliedCoupon],
    blocking_applied: bool,
) -> str | None:
    """The first rejection reason that does not depend on the lines, or None."""
    if coupon.code in applied_codes:
        return REJECT_DUPLICATE
    if coupon.valid_from is not None and at < coupon.valid_from:
        return REJECT_NOT_YET_VALID
    if coupon.valid_to is not None and at > coupon.valid_to:
        return REJECT_EXPIRED
    # A points multiplier is worth nothing without a member, so it is member-only by nature.
    if member is None and (coupon.member_only or coupon.kind == "points_multiplier"):
        return REJECT_MEMBER_ONLY
    if applied and (blocking_applied or not coupon.stackable):
        return REJECT_NOT_STACKABLE
    return None


def _discount(
    coupon: CouponSpec,
    scope_net: int,
    net: list[int],
    lines: Sequence[BasketLine],
    targets: list[int],
) -> int:
    if coupon.kind == "amount_off":
        return min(coupon.amount or 0, scope_net)
    if coupon.kind == "percent_off":
        d = _half_up_percent(scope_net, coupon.percent or Fraction(0))
        if coupon.cap is not None:
            d = min(d, coupon.cap)
        return min(d, scope_net)
    if coupon.kind == "free_gift":
        i = targets[0]
        qty = lines[i].qty
        # one unit's share of the line's current net, rounded half up
        return min(net[i], (2 * net[i] + qty) // (2 * qty))
    return 0  # points_multiplier: no money off


# --------------------------------------------------------------------------- points


def _redemption(basket: Basket, net_after_coupons: int) -> tuple[int, int, bool, str | None]:
    """(points redeemed, their value in fen, capped?, rejection reason)."""
    requested = basket.redeem_points
    if requested <= 0:
        return 0, 0, False, None
    member = basket.member
    if member is None:
        return 0, 0, False, POINTS_NO_MEMBER
    program = basket.program
    step = program.redeem_step
    if requested % step:
        return 0, 0, False, POINTS_BAD_STEP
    if requested > member.points_balance:
        return 0, 0, False, POINTS_INSUFFICIENT
    ppy = program.points_per_yuan_redeemed
    share = program.redeem_max_share
    # points * 100 / ppy <= net * share, compared exactly in integers
    limit = net_after_coupons * share.numerator * ppy
    unit = 100 * share.denominator
    points, capped = requested, False
    if requested * unit > limit:
        points = (limit // (step * unit)) * step
        capped = True
    return points, points * 100 // ppy, capped, None


# --------------------------------------------------------------------------- earning


def _active_promotions(
    at: datetime, member: MemberContext, promotions: Sequence[Promotion]
) -> tuple[Fraction | None, dict[str, Fraction], dict[str, Fraction]]:
    """Best multiplier for every line, by category and by sku, over the active promotions."""
    every: Fraction | None = None
    by_cat: dict[str, Fraction] = {}
    by_sku: dict[str, Fraction] = {}
    birthday_month = member.birthday.month if member.birthday is not None else None
    for p in promotions:
        m = p.multiplier
        if p.kind == "birthday_multiplier":
            if birthday_month != at.month:
                continue
            if every is None or m > every:
                every = m
            continue
        if (p.starts is not None and at < p.starts) or (p.ends is not None and at >= p.ends):
            continue
        if not p.categories and not p.skus:
            if every is None or m > every:
                every = m
            continue
        for c in p.categories:
            if c not in by_cat or m > by_cat[c]:
                by_cat[c] = m
        for s in p.skus:
            if s not in by_sku or m > by_sku[s]:
                by_sku[s] = m
    return every, by_cat, by_sku


def _earn(
    at: datetime,
    program: Program,
    member: MemberContext,
    lines: Sequence[BasketLine],
    net: list[int],
    coupon_mult: list[Fraction | None],
    promotions: Sequence[Promotion],
) -> tuple[int, list[int]]:
    try:
        tier = program.tier_multipliers[member.tier]
    except KeyError:
        raise ValueError(f"unknown tier {member.tier!r}") from None
    base = Fraction(program.earn_points_per_yuan) * tier / 100
    every, by_cat, by_sku = _active_promotions(at, member, promotions)
    # Each line earns net x rate, with one rate per distinct multiplier; over the common
    # denominator of the rates every exact amount is an integer numerator.
    best_per_line: list[Fraction | None] = []
    for i, ln in enumerate(lines):
        best = every
        for m in (by_cat.get(ln.category), by_sku.get(ln.sku), coupon_mult[i]):
            if m is not None and (best is None or m > best):
                best = m
        best_per_line.append(best)
    rates = {m: base * (_ONE if m is None else m) for m in set(best_per_line)}
    denominator = lcm(*(r.denominator for r in rates.values()))
    scaled = {m: r.numerator * (denominator // r.denominator) for m, r in rates.items()}
    return allocate_ratio([net[i] * scaled[m] for i, m in enumerate(best_per_line)], denominator)
