"""Properties of price() over generated baskets (hypothesis)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.allocation import allocate, allocate_ratio
from app.pricing.engine import price
from app.pricing.jsonio import quote_to_json, run_quote
from app.pricing.model import (
    Basket,
    BasketLine,
    CouponSpec,
    MemberContext,
    Program,
    Promotion,
    Quote,
)
from tests.unit.pricing.builders import AT

SETTINGS = settings(max_examples=150, deadline=None)

CATS = ["dairy", "bakery", "水果", "drinks"]
SKUS = ["a", "b", "c", "6901234567892", "苹果"]
DAY = timedelta(days=1)

multipliers = st.sampled_from(["0.5", "1", "1.2", "1.5", "2", "3", "2.25"]).map(Fraction)
times = st.one_of(st.none(), st.sampled_from([AT - DAY, AT, AT + DAY]))
scopes = st.tuples(
    st.lists(st.sampled_from(CATS), max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(SKUS), max_size=2, unique=True).map(tuple),
)

lines_st = st.builds(
    BasketLine,
    sku=st.sampled_from(SKUS),
    category=st.sampled_from(CATS),
    unit_price=st.integers(0, 30000),
    qty=st.integers(1, 6),
    member_price=st.one_of(st.none(), st.integers(0, 30000)),
)

programs = st.builds(
    Program,
    earn_points_per_yuan=st.sampled_from([1, 2, Fraction(1, 2), Fraction(3, 2)]),
    points_per_yuan_redeemed=st.sampled_from([100, 200, 50, 30, 1000]),
    redeem_step=st.sampled_from([1, 50, 100]),
    redeem_max_share=st.sampled_from([Fraction(1, 2), Fraction(0), Fraction(1), Fraction(3, 10)]),
)

members = st.one_of(
    st.none(),
    st.builds(
        MemberContext,
        tier=st.sampled_from(["basic", "silver", "gold", "black"]),
        points_balance=st.integers(0, 50000),
        birthday=st.one_of(st.none(), st.sampled_from([date(1990, 11, 3), date(1985, 4, 1)])),
    ),
)


@st.composite
def promotions_st(draw: st.DrawFn) -> Promotion:
    cats, skus = draw(scopes)
    kind = draw(st.sampled_from(["points_multiplier", "points_multiplier", "birthday_multiplier"]))
    return Promotion(
        id=draw(st.text("PQ0123", min_size=1, max_size=3)),
        kind=kind,
        multiplier=draw(multipliers),
        categories=cats,
        skus=skus,
        starts=draw(times),
        ends=draw(times),
    )


@st.composite
def coupons_st(draw: st.DrawFn) -> CouponSpec:
    cats, skus = draw(scopes)
    kind = draw(st.sampled_from(["amount_off", "percent_off", "free_gift", "points_multiplier"]))
    return CouponSpec(
        code=draw(st.sampled_from(["C1", "C2", "C3", "C4", "满100减20"])),
        kind=kind,
        amount=draw(st.integers(0, 20000)) if kind == "amount_off" else None,
        percent=draw(st.sampled_from([Fraction(10), Fraction(25, 2), Fraction(100), Fraction(33)]))
        if kind == "percent_off"
        else None,
        cap=draw(st.one_of(st.none(), st.integers(0, 3000))),
        threshold=draw(st.sampled_from([0, 0, 1000, 10000])),
        categories=cats,
        skus=skus,
        stackable=draw(st.booleans()),
        member_only=draw(st.booleans()),
        valid_from=draw(times),
        valid_to=draw(times),
        gift_sku=draw(st.sampled_from(SKUS)) if kind == "free_gift" else None,
        multiplier=draw(multipliers) if kind == "points_multiplier" else None,
    )


baskets = st.builds(
    Basket,
    at=st.just(AT),
    program=programs,
    member=members,
    lines=st.lists(lines_st, max_size=10).map(tuple),
    promotions=st.lists(promotions_st(), max_size=4).map(tuple),
    coupons=st.lists(coupons_st(), max_size=4).map(tuple),
    redeem_points=st.one_of(st.just(0), st.integers(0, 60000), st.integers(0, 300).map(lambda k: k * 100)),
)


@SETTINGS
@given(baskets)
def test_allocations_sum_to_each_discount(b: Basket) -> None:
    q = price(b)
    per_line = [0] * len(b.lines)
    for c in q.applied_coupons:
        assert len(c.allocations) == len(b.lines)
        assert all(a >= 0 for a in c.allocations)
        assert sum(c.allocations) == c.discount
        for i, a in enumerate(c.allocations):
            per_line[i] += a
    assert per_line == [ln.coupon_discount for ln in q.lines]
    assert sum(c.discount for c in q.applied_coupons) == q.coupon_discount


@SETTINGS
@given(baskets)
def test_totals_invariants_and_nothing_negative(b: Basket) -> None:
    q = price(b)
    assert q.subtotal - q.member_savings - q.coupon_discount - q.points_value == q.total_due
    assert q.subtotal == sum(ln.list_total for ln in q.lines)
    assert q.member_savings == sum(ln.list_total - ln.line_total for ln in q.lines)
    assert q.coupon_discount == sum(ln.coupon_discount for ln in q.lines)
    assert q.points_value == sum(ln.points_discount for ln in q.lines)
    assert q.total_due == sum(ln.net for ln in q.lines)
    assert q.points_earned == sum(ln.points_earned for ln in q.lines)
    assert q.points_redeemed == sum(ln.points_redeemed for ln in q.lines)
    for ln in q.lines:
        assert ln.net == ln.line_total - ln.coupon_discount - ln.points_discount
        assert (
            min(
                ln.net,
                ln.line_total,
                ln.coupon_discount,
                ln.points_discount,
                ln.points_earned,
                ln.points_redeemed,
            )
            >= 0
        )
        assert ln.line_total <= ln.list_total
    for total in (
        q.subtotal,
        q.member_savings,
        q.coupon_discount,
        q.points_redeemed,
        q.points_value,
        q.total_due,
        q.points_earned,
    ):
        assert total >= 0


@SETTINGS
@given(baskets)
def test_redemption_respects_step_balance_and_share(b: Basket) -> None:
    q = price(b)
    if q.points_rejected is not None or b.redeem_points == 0:
        assert (q.points_redeemed, q.points_value, q.points_capped) == (0, 0, False)
        return
    assert b.member is not None
    p = b.program
    assert q.points_redeemed % p.redeem_step == 0
    assert q.points_redeemed <= min(b.redeem_points, b.member.points_balance)
    assert q.points_value == q.points_redeemed * 100 // p.points_per_yuan_redeemed
    after_coupons = q.subtotal - q.member_savings - q.coupon_discount
    # the exact worth of the points never exceeds the share of the net after coupons
    assert Fraction(q.points_redeemed * 100, p.points_per_yuan_redeemed) <= after_coupons * p.redeem_max_share
    assert q.points_capped == (q.points_redeemed < b.redeem_points)
    if q.points_capped:
        # one more step would have been over the limit
        more = q.points_redeemed + p.redeem_step
        assert Fraction(more * 100, p.points_per_yuan_redeemed) > after_coupons * p.redeem_max_share


def _reference_multiplier(b: Basket, q: Quote, i: int) -> Fraction:
    """Highest active promotion / applied points-multiplier coupon for line i, or 1."""
    ln = b.lines[i]
    assert b.member is not None
    best: Fraction | None = None

    def matches(cats: tuple[str, ...], skus: tuple[str, ...]) -> bool:
        return (not cats and not skus) or ln.category in cats or ln.sku in skus

    for p in b.promotions:
        if p.kind == "birthday_multiplier":
            active = b.member.birthday is not None and b.member.birthday.month == b.at.month
        else:
            active = (
                (p.starts is None or p.starts <= b.at)
                and (p.ends is None or b.at < p.ends)
                and matches(p.categories, p.skus)
            )
        if active and (best is None or p.multiplier > best):
            best = p.multiplier
    # Which coupon instance was applied: codes repeat, so the applied one is the occurrence
    # that follows all of its code's non-duplicate rejections (later ones are duplicates).
    applied_codes = {c.code for c in q.applied_coupons}
    skip = {
        code: sum(1 for r in q.rejected_coupons if r.code == code and r.reason != "duplicate")
        for code in applied_codes
    }
    seen: dict[str, int] = {}
    for c in b.coupons:
        occurrence = seen.get(c.code, 0)
        seen[c.code] = occurrence + 1
        was_applied = c.code in applied_codes and occurrence == skip[c.code]
        if (
            c.kind == "points_multiplier"
            and was_applied
            and c.multiplier is not None
            and matches(c.categories, c.skus)
            and (best is None or c.multiplier > best)
        ):
            best = c.multiplier
    return Fraction(1) if best is None else best


@SETTINGS
@given(baskets)
def test_points_are_earned_on_money_paid_only(b: Basket) -> None:
    q = price(b)
    if b.member is None:
        assert q.points_earned == 0
        return
    base = Fraction(b.program.earn_points_per_yuan) * b.program.tier_multipliers[b.member.tier]
    exact = []
    for i, ln in enumerate(q.lines):
        paid = ln.line_total - ln.coupon_discount - ln.points_discount  # not the points part
        exact.append(Fraction(paid, 100) * base * _reference_multiplier(b, q, i))
    assert q.points_earned == int(sum(exact, Fraction(0)))
    for e, got in zip(exact, (ln.points_earned for ln in q.lines), strict=True):
        assert int(e) <= got <= int(e) + 1


@SETTINGS
@given(baskets)
def test_deterministic(b: Basket) -> None:
    rebuilt = Basket(
        at=b.at,
        program=b.program,
        member=b.member,
        lines=tuple(b.lines),
        promotions=tuple(b.promotions),
        coupons=tuple(b.coupons),
        redeem_points=b.redeem_points,
    )
    assert price(b) == price(b) == price(rebuilt)


def _basket_json(b: Basket) -> dict[str, Any]:
    dec = _exact_decimal

    def t(x: Any) -> Any:
        return None if x is None else x.isoformat()

    return {
        "at": b.at.isoformat(),
        "program": {
            "earn_points_per_yuan": dec(Fraction(b.program.earn_points_per_yuan)),
            "tier_multipliers": {k: dec(v) for k, v in b.program.tier_multipliers.items()},
            "points_per_yuan_redeemed": b.program.points_per_yuan_redeemed,
            "redeem_step": b.program.redeem_step,
            "redeem_max_share": dec(b.program.redeem_max_share),
        },
        "member": None
        if b.member is None
        else {
            "tier": b.member.tier,
            "points_balance": b.member.points_balance,
            "birthday": t(b.member.birthday),
        },
        "lines": [
            {
                "sku": ln.sku,
                "category": ln.category,
                "unit_price": ln.unit_price,
                "qty": ln.qty,
                "member_price": ln.member_price,
            }
            for ln in b.lines
        ],
        "promotions": [
            {
                "id": p.id,
                "kind": p.kind,
                "multiplier": dec(p.multiplier),
                "categories": list(p.categories),
                "skus": list(p.skus),
                "starts": t(p.starts),
                "ends": t(p.ends),
            }
            for p in b.promotions
        ],
        "coupons": [
            {
                "code": c.code,
                "kind": c.kind,
                "amount": c.amount,
                "percent": None if c.percent is None else dec(c.percent),
                "cap": c.cap,
                "threshold": c.threshold,
                "categories": list(c.categories),
                "skus": list(c.skus),
                "stackable": c.stackable,
                "member_only": c.member_only,
                "valid_from": t(c.valid_from),
                "valid_to": t(c.valid_to),
                "gift_sku": c.gift_sku,
                "multiplier": None if c.multiplier is None else dec(c.multiplier),
            }
            for c in b.coupons
        ],
        "redeem_points": b.redeem_points,
    }


def _exact_decimal(f: Fraction) -> str:
    """A Fraction with a terminating decimal expansion, as a decimal string."""
    if f.denominator == 1:
        return str(f.numerator)
    for places in range(1, 12):
        scaled = f * 10**places
        if scaled.denominator == 1:
            digits = str(scaled.numerator).rjust(places + 1, "0")
            return f"{digits[:-places]}.{digits[-places:]}"
    raise ValueError(f"{f} has no short decimal expansion")


@settings(max_examples=100, deadline=None)
@given(baskets)
def test_json_round_trip_prices_the_same(b: Basket) -> None:
    code, out = run_quote(json.dumps(_basket_json(b), ensure_ascii=False))
    assert code == 0, out
    assert out == quote_to_json(price(b))


def _naive_allocate(total: int, weights: list[int]) -> list[int]:
    """Largest remainder spelled out with Fractions: the reference for the integer helper."""
    exact = [Fraction(total * w, sum(weights)) for w in weights]
    parts = [int(e) for e in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.integers(0, 10**6), max_size=20))
def test_allocate_agrees_with_a_naive_fraction_reference(total: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        return
    parts = allocate(total, weights)
    assert parts == _naive_allocate(total, weights)
    assert sum(parts) == total


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**6), max_size=20), st.integers(1, 10**4))
def test_allocate_ratio_floors_once_and_spreads_by_remainder(nums: list[int], den: int) -> None:
    exact = [Fraction(n, den) for n in nums]
    total, parts = allocate_ratio(nums, den)
    assert total == int(sum(exact, Fraction(0)))
    assert sum(parts) == total
    assert all(int(e) <= p <= int(e) + 1 for e, p in zip(exact, parts, strict=True))
