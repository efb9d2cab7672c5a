"""The pricing rules one by one, each with figures worked out by hand in the comments."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from app.pricing.engine import price
from app.pricing.model import Program, Quote
from tests.unit.pricing.builders import (
    AT,
    CST,
    basket,
    birthday_promo,
    coupon,
    line,
    member,
    promo,
)


def nets(q: Quote) -> list[int]:
    return [ln.net for ln in q.lines]


def reasons(q: Quote) -> dict[str, str]:
    return {r.code: r.reason for r in q.rejected_coupons}


def check_invariants(q: Quote) -> None:
    assert q.subtotal - q.member_savings - q.coupon_discount - q.points_value == q.total_due
    assert q.subtotal == sum(ln.list_total for ln in q.lines)
    assert q.member_savings == sum(ln.list_total - ln.line_total for ln in q.lines)
    assert q.coupon_discount == sum(ln.coupon_discount for ln in q.lines)
    assert q.points_value == sum(ln.points_discount for ln in q.lines)
    assert q.total_due == sum(ln.net for ln in q.lines)
    assert q.points_earned == sum(ln.points_earned for ln in q.lines)
    assert q.points_redeemed == sum(ln.points_redeemed for ln in q.lines)
    assert all(ln.net >= 0 for ln in q.lines)


# ------------------------------------------------------------------ 1. member price


def test_member_price_only_with_a_member() -> None:
    # 2 x 1290 = 2580 list. Anonymous: no member price, line_total 2580, savings 0.
    milk = line("milk", 1290, qty=2, category="dairy", member_price=1190)
    q = price(basket(milk))
    assert (q.subtotal, q.member_savings, q.total_due) == (2580, 0, 2580)
    assert q.lines[0].line_total == 2580
    # Member: 2 x min(1290, 1190) = 2380, savings 2580 - 2380 = 200.
    q = price(basket(milk, member=member()))
    assert (q.subtotal, q.member_savings, q.total_due) == (2580, 200, 2380)
    assert (q.lines[0].list_total, q.lines[0].line_total) == (2580, 2380)
    check_invariants(q)


def test_member_price_above_list_price_is_ignored() -> None:
    # min(1290, 1500) = 1290: a "member price" can never raise the price.
    q = price(basket(line("a", 1290, member_price=1500), member=member()))
    assert (q.lines[0].line_total, q.member_savings) == (1290, 0)


# ------------------------------------------------------------------ 2. coupons


def test_amount_off_allocated_in_proportion_to_net() -> None:
    # 2000 off over nets 6000, 3000, 1000 (sum 10000): exactly 1200, 600, 200.
    q = price(
        basket(
            line("a", 6000),
            line("b", 3000),
            line("c", 1000),
            coupons=(coupon("C20", amount=2000, threshold=10000),),
        )
    )
    assert [ln.coupon_discount for ln in q.lines] == [1200, 600, 200]
    assert nets(q) == [4800, 2400, 800]
    assert q.applied_coupons[0].allocations == (1200, 600, 200)
    assert (q.coupon_discount, q.total_due) == (2000, 8000)
    check_invariants(q)


def test_amount_off_never_exceeds_the_eligible_net() -> None:
    # amount 2000 > eligible net 1500: discount min(2000, 1500) = 1500, that line goes to 0,
    # the out-of-scope line keeps its 700.
    q = price(
        basket(
            line("a", 1500, category="dairy"),
            line("b", 700),
            coupons=(coupon("BIG", amount=2000, categories=("dairy",)),),
        )
    )
    assert q.applied_coupons[0].discount == 1500
    assert nets(q) == [0, 700]
    check_invariants(q)


def test_allocation_remainder_goes_to_the_largest_remainder() -> None:
    # 100 over nets 100, 200: exact 33.33 and 66.67 -> floors 33, 66, one fen left ->
    # the larger remainder (.67, second line): 33, 67.
    q = price(basket(line("a", 100), line("b", 200), coupons=(coupon("C", amount=100),)))
    assert [ln.coupon_discount for ln in q.lines] == [33, 67]


def test_allocation_ties_go_to_the_earlier_line() -> None:
    # 1 fen over two nets of 500: exact .5 each, floors 0, 0, tie -> the first line.
    q = price(basket(line("a", 500), line("b", 500), coupons=(coupon("C", amount=1),)))
    assert [ln.coupon_discount for ln in q.lines] == [1, 0]
    # 5 fen over three nets of 100: 1.667 each, floors 1, 1, 1, two left -> lines 0 and 1.
    q = price(basket(line("a", 100), line("b", 100), line("c", 100), coupons=(coupon("C", amount=5),)))
    assert [ln.coupon_discount for ln in q.lines] == [2, 2, 1]


def test_percent_off_rounds_half_up() -> None:
    # 10% of 1235 = 123.5 -> 124 (half up); 10% of 1234 = 123.4 -> 123.
    q = price(basket(line("a", 1235), coupons=(coupon("P", "percent_off", percent="10"),)))
    assert q.coupon_discount == 124
    q = price(basket(line("a", 1234), coupons=(coupon("P", "percent_off", percent="10"),)))
    assert q.coupon_discount == 123
    # 12.5% of 1004 = 125.5 -> 126; 12.5% of 1003 = 125.375 -> 125.
    q = price(basket(line("a", 1004), coupons=(coupon("P", "percent_off", percent="12.5"),)))
    assert q.coupon_discount == 126
    q = price(basket(line("a", 1003), coupons=(coupon("P", "percent_off", percent="12.5"),)))
    assert q.coupon_discount == 125


def test_percent_off_cap_applies_after_rounding() -> None:
    # 10% of 30000 = 3000, capped at 1500.
    q = price(basket(line("a", 30000), coupons=(coupon("P", "percent_off", percent="10", cap=1500),)))
    assert q.coupon_discount == 1500
    # 10% of 14995 = 1499.5 -> 1500 half up, exactly the cap.
    q = price(basket(line("a", 14995), coupons=(coupon("P", "percent_off", percent="10", cap=1500),)))
    assert q.coupon_discount == 1500


def test_percent_off_is_computed_on_the_eligible_lines_only() -> None:
    # dairy nets 2380 + 1000 = 3380 eligible, bread 500 out of scope.
    # 10% of 3380 = 338, split 2380:1000 -> 238, 100.
    q = price(
        basket(
            line("milk", 1190, qty=2, category="dairy"),
            line("bread", 500, category="bakery"),
            line("yog", 1000, category="dairy"),
            coupons=(coupon("D10", "percent_off", percent="10", categories=("dairy",)),),
        )
    )
    assert [ln.coupon_discount for ln in q.lines] == [238, 0, 100]


def test_sku_scope_matches_by_sku() -> None:
    q = price(basket(line("a", 1000), line("b", 1000), coupons=(coupon("S", amount=300, skus=("b",)),)))
    assert [ln.coupon_discount for ln in q.lines] == [0, 300]


def test_second_coupon_works_on_the_net_left_by_the_first() -> None:
    # 10000 -> 10% = 1000 -> net 9000 -> then 10% of 9000 = 900 (not 1000).
    q = price(
        basket(
            line("a", 10000),
            coupons=(
                coupon("P1", "percent_off", percent="10", stackable=True),
                coupon("P2", "percent_off", percent="10", stackable=True),
            ),
        )
    )
    assert [c.discount for c in q.applied_coupons] == [1000, 900]
    assert q.total_due == 8100


def test_threshold_is_checked_on_the_current_net_of_the_eligible_lines() -> None:
    # The sale is 13000 but dairy is only 5000 < 6000.
    q = price(
        basket(
            line("milk", 5000, category="dairy"),
            line("tv", 8000),
            coupons=(coupon("D", amount=500, threshold=6000, categories=("dairy",)),),
        )
    )
    assert reasons(q) == {"D": "below_threshold"}
    # An earlier coupon can push the net under a later coupon's threshold:
    # 10000 - 10% = 9000 < threshold 10000.
    q = price(
        basket(
            line("a", 10000),
            coupons=(
                coupon("P", "percent_off", percent="10", stackable=True),
                coupon("A", amount=2000, threshold=10000, stackable=True),
            ),
        )
    )
    assert reasons(q) == {"A": "below_threshold"}
    # Exactly at the threshold is enough.
    q = price(basket(line("a", 10000), coupons=(coupon("A", amount=2000, threshold=10000),)))
    assert q.coupon_discount == 2000


def test_validity_window_is_inclusive() -> None:
    day = timedelta(days=1)
    cases = [
        (AT + day, None, "not_yet_valid"),
        (None, AT - day, "expired"),
        (AT, AT, None),  # at == valid_from == valid_to: valid
    ]
    for valid_from, valid_to, reason in cases:
        q = price(
            basket(
                line("a", 1000), coupons=(coupon("C", amount=100, valid_from=valid_from, valid_to=valid_to),)
            )
        )
        assert reasons(q).get("C") == reason


def test_member_only_needs_a_member() -> None:
    c = coupon("M", amount=100, member_only=True)
    assert reasons(price(basket(line("a", 1000), coupons=(c,)))) == {"M": "member_only"}
    assert price(basket(line("a", 1000), coupons=(c,), member=member())).coupon_discount == 100


def test_not_stackable_after_a_non_stackable_coupon() -> None:
    # The applied coupon is not stackable: even a stackable one is refused after it.
    q = price(
        basket(
            line("a", 10000),
            coupons=(coupon("FIRST", amount=1000), coupon("SECOND", amount=500, stackable=True)),
        )
    )
    assert [c.code for c in q.applied_coupons] == ["FIRST"]
    assert reasons(q) == {"SECOND": "not_stackable"}


def test_not_stackable_when_the_new_coupon_is_not_stackable() -> None:
    # A stackable coupon is applied; a non-stackable one cannot join it.
    q = price(
        basket(
            line("a", 10000),
            coupons=(coupon("FIRST", amount=1000, stackable=True), coupon("SECOND", amount=500)),
        )
    )
    assert reasons(q) == {"SECOND": "not_stackable"}
    # Two stackable coupons both apply: 1000 + 500.
    q = price(
        basket(
            line("a", 10000),
            coupons=(
                coupon("FIRST", amount=1000, stackable=True),
                coupon("SECOND", amount=500, stackable=True),
            ),
        )
    )
    assert q.coupon_discount == 1500 and not q.rejected_coupons


def test_a_rejected_coupon_does_not_block_the_next() -> None:
    # The first is rejected (below threshold), so the non-stackable second is the first applied.
    q = price(
        basket(
            line("a", 1000),
            coupons=(coupon("BIG", amount=2000, threshold=10000), coupon("SMALL", amount=100)),
        )
    )
    assert reasons(q) == {"BIG": "below_threshold"}
    assert [c.code for c in q.applied_coupons] == ["SMALL"]


def test_no_eligible_lines() -> None:
    q = price(
        basket(line("a", 1000, category="dairy"), coupons=(coupon("MEAT", amount=100, categories=("meat",)),))
    )
    assert reasons(q) == {"MEAT": "no_eligible_lines"}


def test_a_line_already_at_zero_is_not_eligible() -> None:
    # The first coupon takes the dairy line to 0; a second dairy coupon finds nothing left.
    q = price(
        basket(
            line("milk", 500, category="dairy"),
            line("b", 500),
            coupons=(
                coupon("A", amount=500, categories=("dairy",), stackable=True),
                coupon("B", amount=100, categories=("dairy",), stackable=True),
            ),
        )
    )
    assert reasons(q) == {"B": "no_eligible_lines"}


@pytest.mark.parametrize(
    ("spec", "member_present", "applied_first", "expected"),
    [
        # expired beats member_only (anonymous, member-only, expired)
        ({"valid_to": AT - timedelta(days=1), "member_only": True}, False, False, "expired"),
        # not_yet_valid beats member_only
        ({"valid_from": AT + timedelta(days=1), "member_only": True}, False, False, "not_yet_valid"),
        # member_only beats not_stackable (a coupon already applied, this one not stackable)
        ({"member_only": True}, False, True, "member_only"),
        # not_stackable beats no_eligible_lines
        ({"categories": ("meat",)}, True, True, "not_stackable"),
        # no_eligible_lines beats below_threshold
        ({"categories": ("meat",), "threshold": 99999}, True, False, "no_eligible_lines"),
        # below_threshold last
        ({"threshold": 99999}, True, False, "below_threshold"),
    ],
)
def test_rejection_reasons_are_checked_in_order(
    spec: dict[str, object], member_present: bool, applied_first: bool, expected: str
) -> None:
    first = (coupon("FIRST", amount=1, stackable=True),) if applied_first else ()
    tested = coupon("T", amount=100, **spec)  # type: ignore[arg-type]
    q = price(basket(line("a", 1000), member=member() if member_present else None, coupons=(*first, tested)))
    assert reasons(q) == {"T": expected}


def test_the_same_code_twice_is_a_duplicate() -> None:
    c = coupon("ONCE", amount=100, stackable=True)
    q = price(basket(line("a", 1000), coupons=(c, c)))
    assert q.coupon_discount == 100
    assert reasons(q) == {"ONCE": "duplicate"}


def test_free_gift_makes_one_unit_free() -> None:
    # 3 x 500 = 1500; one unit free: discount 1500 / 3 = 500, net 1000.
    q = price(
        basket(
            line("cola", 500, qty=3),
            line("chips", 800),
            coupons=(coupon("GIFT", "free_gift", gift_sku="cola"),),
        )
    )
    assert q.applied_coupons[0].discount == 500
    assert q.applied_coupons[0].allocations == (500, 0)
    assert nets(q) == [1000, 800]
    check_invariants(q)


def test_free_gift_uses_the_current_net_per_unit() -> None:
    # 3 x 333 = 999; 10% off first: 99.9 -> 100 -> net 899; a unit is 899 / 3 = 299.67 -> 300.
    q = price(
        basket(
            line("cola", 333, qty=3),
            coupons=(
                coupon("P", "percent_off", percent="10", stackable=True),
                coupon("GIFT", "free_gift", gift_sku="cola", stackable=True),
            ),
        )
    )
    assert [c.discount for c in q.applied_coupons] == [100, 300]
    assert nets(q) == [599]


def test_free_gift_without_the_sku_is_rejected() -> None:
    q = price(basket(line("chips", 800), coupons=(coupon("GIFT", "free_gift", gift_sku="cola"),)))
    assert reasons(q) == {"GIFT": "no_eligible_lines"}


def test_free_gift_threshold_is_on_its_scope() -> None:
    # "spend 50 yuan on snacks, get a cola": snacks 4000 < 5000.
    g = coupon("GIFT", "free_gift", gift_sku="cola", threshold=5000, categories=("snacks",))
    q = price(
        basket(line("cola", 300, category="drinks"), line("chips", 4000, category="snacks"), coupons=(g,))
    )
    assert reasons(q) == {"GIFT": "below_threshold"}
    q = price(
        basket(line("cola", 300, category="drinks"), line("chips", 6000, category="snacks"), coupons=(g,))
    )
    assert q.coupon_discount == 300 and nets(q) == [0, 6000]


# ------------------------------------------------------------------ 3. points redemption


def test_redeem_without_member() -> None:
    q = price(basket(line("a", 10000), redeem_points=1000))
    assert (q.points_redeemed, q.points_value, q.points_rejected) == (0, 0, "no_member")
    assert q.total_due == 10000


def test_redeem_bad_step_before_insufficient() -> None:
    # 150 is not a multiple of 100 (and more than the balance of 100): bad_step comes first.
    q = price(basket(line("a", 10000), member=member(balance=100), redeem_points=150))
    assert (q.points_redeemed, q.points_rejected) == (0, "bad_step")


def test_redeem_insufficient_points() -> None:
    q = price(basket(line("a", 10000), member=member(balance=100), redeem_points=200))
    assert (q.points_redeemed, q.points_value, q.points_rejected) == (0, 0, "insufficient_points")
    assert q.total_due == 10000


def test_redeem_zero_is_neither_redeemed_nor_rejected() -> None:
    q = price(basket(line("a", 10000), redeem_points=0))
    assert (q.points_redeemed, q.points_rejected, q.points_capped) == (0, None, False)


def test_redeem_within_limit() -> None:
    # 1000 points = 1000 fen; limit 50% of 10000 = 5000: not capped.
    # Allocated over nets 6000, 4000: 600, 400. Points per line follow: 600, 400.
    q = price(basket(line("a", 6000), line("b", 4000), member=member(balance=1000), redeem_points=1000))
    assert (q.points_redeemed, q.points_value, q.points_capped) == (1000, 1000, False)
    assert [ln.points_discount for ln in q.lines] == [600, 400]
    assert [ln.points_redeemed for ln in q.lines] == [600, 400]
    assert q.total_due == 9000
    check_invariants(q)


def test_redeem_capped_to_share_of_net_after_coupons() -> None:
    # 2000 - coupon 500 = 1500 net; 50% = 750 fen. Request 1000 points (1000 fen) is too much:
    # lowered to the largest multiple of 100 points within 750 fen = 700 points = 700 fen.
    q = price(
        basket(
            line("a", 2000),
            member=member(balance=5000),
            coupons=(coupon("C", amount=500),),
            redeem_points=1000,
        )
    )
    assert (q.points_redeemed, q.points_value, q.points_capped) == (700, 700, True)
    assert q.points_rejected is None
    assert q.total_due == 800
    check_invariants(q)


def test_redeem_exactly_at_the_limit_is_not_capped() -> None:
    # net 2000, 50% = 1000 fen = 1000 points: allowed in full.
    q = price(basket(line("a", 2000), member=member(), redeem_points=1000))
    assert (q.points_redeemed, q.points_capped) == (1000, False)


def test_redeem_capped_to_zero() -> None:
    # net 150, limit 75 fen < one step (100 points = 100 fen): nothing redeemed, capped.
    q = price(basket(line("a", 150), member=member(), redeem_points=100))
    assert (q.points_redeemed, q.points_value, q.points_capped) == (0, 0, True)


def test_redeem_with_other_program_values() -> None:
    # 200 points per yuan -> a point is 0.5 fen; step 50; share 0.3.
    # Request 1000 points = 500 fen; limit 30% of 1000 = 300 fen -> capped.
    # Largest multiple of 50 points worth <= 300 fen: 600 points = 300 fen.
    prog = Program(points_per_yuan_redeemed=200, redeem_step=50, redeem_max_share=Fraction(3, 10))
    q = price(basket(line("a", 1000), member=member(), program=prog, redeem_points=1000))
    assert (q.points_redeemed, q.points_value, q.points_capped) == (600, 300, True)
    # 150 points = 75 fen, within the limit.
    q = price(basket(line("a", 1000), member=member(), program=prog, redeem_points=150))
    assert (q.points_redeemed, q.points_value, q.points_capped) == (150, 75, False)


def test_points_value_floors_when_not_integral() -> None:
    # 200 points per yuan, step 1: 3 points = 1.5 fen -> 1 fen.
    prog = Program(points_per_yuan_redeemed=200, redeem_step=1)
    q = price(basket(line("a", 1000), member=member(), program=prog, redeem_points=3))
    assert (q.points_redeemed, q.points_value) == (3, 1)
    check_invariants(q)


# ------------------------------------------------------------------ 4. earning


@pytest.mark.parametrize(
    ("tier", "expected"),
    # net 1234 fen = 12.34 yuan x tier: basic 12.34 -> 12, silver 14.808 -> 14,
    # gold 18.51 -> 18, black 24.68 -> 24.
    [("basic", 12), ("silver", 14), ("gold", 18), ("black", 24)],
)
def test_earning_by_tier(tier: str, expected: int) -> None:
    q = price(basket(line("a", 1234), member=member(tier)))
    assert q.points_earned == expected


def test_anonymous_earns_nothing() -> None:
    q = price(basket(line("a", 100000)))
    assert q.points_earned == 0 and all(ln.points_earned == 0 for ln in q.lines)


def test_earning_is_on_money_paid_not_on_points() -> None:
    # 10000 - 1000 fen paid with points = 9000 fen paid: basic earns 90, not 100.
    q = price(basket(line("a", 10000), member=member(), redeem_points=1000))
    assert q.points_earned == 90


def test_earning_floors_once_over_the_sale() -> None:
    # Three lines of 150 fen, basic: 1.5 points each, 4.5 in all -> 4 (flooring each line
    # would give 3). Per line: floors 1, 1, 1, one left, equal remainders -> the first line.
    q = price(basket(line("a", 150), line("b", 150), line("c", 150), member=member()))
    assert q.points_earned == 4
    assert [ln.points_earned for ln in q.lines] == [2, 1, 1]


def test_earning_per_line_by_largest_remainder() -> None:
    # silver 1.2: 199 fen -> 2.388, 250 -> 3.0, 180 -> 2.16; sum 7.548 -> 7.
    # floors 2, 3, 2 = 7: nothing left over.
    q = price(basket(line("a", 199), line("b", 250), line("c", 180), member=member("silver")))
    assert (q.points_earned, [ln.points_earned for ln in q.lines]) == (7, [2, 3, 2])
    # basic: 190 -> 1.9, 110 -> 1.1, 100 -> 1.0; sum 4.0 -> 4; floors 1, 1, 1, one left ->
    # largest remainder .9: the first line.
    q = price(basket(line("a", 190), line("b", 110), line("c", 100), member=member()))
    assert [ln.points_earned for ln in q.lines] == [2, 1, 1]


def test_promotion_multiplier_matching_category() -> None:
    # dairy 1000 fen x 2 = 20 points; bakery 1000 x 1 = 10 points. Gold 1.5: 30 + 15 = 45.
    q = price(
        basket(
            line("milk", 1000, category="dairy"),
            line("bun", 1000, category="bakery"),
            member=member("gold"),
            promotions=(promo("P", "2", categories=("dairy",)),),
        )
    )
    assert [ln.points_earned for ln in q.lines] == [30, 15]


def test_highest_matching_promotion_wins_not_the_product() -> None:
    # Category x2 and sku x3 both match milk: x3 (not x6). 1000 fen basic -> 30.
    q = price(
        basket(
            line("milk", 1000, category="dairy"),
            member=member(),
            promotions=(promo("C", "2", categories=("dairy",)), promo("S", "3", skus=("milk",))),
        )
    )
    assert q.points_earned == 30


def test_promotion_with_no_scope_applies_to_every_line() -> None:
    q = price(basket(line("a", 1000), line("b", 500), member=member(), promotions=(promo("ALL", "1.5"),)))
    # 10 x 1.5 = 15, 5 x 1.5 = 7.5; 22.5 -> 22; per line 15 + 7 (floors sum to 22).
    assert (q.points_earned, [ln.points_earned for ln in q.lines]) == (22, [15, 7])


def test_promotion_window_is_starts_inclusive_ends_exclusive() -> None:
    base = {"categories": ("dairy",)}
    milk = line("milk", 1000, category="dairy")
    day = timedelta(days=1)
    cases = [
        (promo("P", "2", starts=AT, **base), 20),  # type: ignore[arg-type]
        (promo("P", "2", ends=AT, **base), 10),  # type: ignore[arg-type]
        (promo("P", "2", starts=AT - day, ends=AT + day, **base), 20),  # type: ignore[arg-type]
        (promo("P", "2", starts=AT + day, **base), 10),  # type: ignore[arg-type]
    ]
    for p, expected in cases:
        assert price(basket(milk, member=member(), promotions=(p,))).points_earned == expected


def test_promotion_times_compare_across_offsets() -> None:
    # AT is 02:30 UTC; a promotion ending 02:00 UTC has ended.
    from datetime import UTC, datetime

    ended = promo("P", "2", ends=datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
    q = price(basket(line("a", 1000), member=member(), promotions=(ended,)))
    assert q.points_earned == 10


def test_birthday_multiplier_in_birthday_month() -> None:
    # Birthday in November, sale in November: x3 on every line. 1000 fen basic -> 30.
    q = price(
        basket(line("a", 1000), member=member(birthday=date(1990, 11, 3)), promotions=(birthday_promo("3"),))
    )
    assert q.points_earned == 30
    # October birthday: x1 -> 10. No birthday known: x1 -> 10.
    q = price(
        basket(line("a", 1000), member=member(birthday=date(1990, 10, 3)), promotions=(birthday_promo("3"),))
    )
    assert q.points_earned == 10
    q = price(basket(line("a", 1000), member=member(), promotions=(birthday_promo("3"),)))
    assert q.points_earned == 10


def test_birthday_and_category_promotions_take_the_highest() -> None:
    # Birthday x3 on every line, dairy x2: dairy gets max(3, 2) = 3, everything 3.
    # Gold 1.5: 10 yuan x 1.5 x 3 = 45 per line.
    q = price(
        basket(
            line("milk", 1000, category="dairy"),
            line("b", 1000),
            member=member("gold", birthday=date(2000, 11, 30)),
            promotions=(promo("D", "2", categories=("dairy",)), birthday_promo("3")),
        )
    )
    assert [ln.points_earned for ln in q.lines] == [45, 45]


def test_points_multiplier_coupon() -> None:
    # A "double points on dairy" coupon: applied with discount 0, dairy line earns x2.
    # dairy 1000 fen basic -> 20; bakery 1000 -> 10.
    pm = coupon("DBL", "points_multiplier", multiplier="2", categories=("dairy",))
    q = price(
        basket(
            line("milk", 1000, category="dairy"),
            line("bun", 1000, category="bakery"),
            member=member(),
            coupons=(pm,),
        )
    )
    assert [(c.code, c.discount) for c in q.applied_coupons] == [("DBL", 0)]
    assert [ln.points_earned for ln in q.lines] == [20, 10]
    assert q.total_due == 2000
    # It is a coupon for stacking purposes: a non-stackable coupon after it is refused.
    q = price(
        basket(line("milk", 1000, category="dairy"), member=member(), coupons=(pm, coupon("A", amount=100)))
    )
    assert reasons(q) == {"A": "not_stackable"}
    # Without a member there is nothing to multiply.
    q = price(basket(line("milk", 1000, category="dairy"), coupons=(pm,)))
    assert reasons(q) == {"DBL": "member_only"}


def test_points_multiplier_coupon_and_promotion_take_the_highest() -> None:
    # promotion x3 on dairy, coupon x2 on dairy: x3. 1000 fen basic -> 30.
    q = price(
        basket(
            line("milk", 1000, category="dairy"),
            member=member(),
            promotions=(promo("P", "3", categories=("dairy",)),),
            coupons=(coupon("DBL", "points_multiplier", multiplier="2"),),
        )
    )
    assert q.points_earned == 30


def test_earn_rate_is_configurable() -> None:
    # 2 points per yuan, black 2.0: 1000 fen -> 10 x 2 x 2 = 40.
    prog = Program(earn_points_per_yuan=2)
    q = price(basket(line("a", 1000), member=member("black"), program=prog))
    assert q.points_earned == 40


def test_unknown_tier_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="tier"):
        price(basket(line("a", 1000), member=member("platinum")))


# ------------------------------------------------------------------ the contract's example


def test_contract_example_worked_by_hand() -> None:
    # Gold member, 2 x milk 1290 (member 1190): line_total 2380, savings 200.
    # WELCOME20: threshold 10000 > 2380 -> below_threshold.
    # DAIRY10: 10% of 2380 = 238 (cap 1500), member present -> net 2142.
    # Redeem 1000 points = 1000 fen <= 50% of 2142 = 1071: not capped. net 1142.
    # Earn: 11.42 yuan x 1 x gold 1.5 x max(P1 dairy 2, birthday Nov 3) = 51.39 -> 51.
    milk = line("6901234567892", 1290, qty=2, category="dairy", member_price=1190)
    q = price(
        basket(
            milk,
            member=member("gold", balance=12000, birthday=date(1990, 11, 3)),
            promotions=(
                promo(
                    "P1",
                    "2",
                    categories=("dairy",),
                    starts=AT.replace(day=1, hour=0, minute=0),
                    ends=AT.replace(month=12, day=1, hour=0, minute=0),
                ),
                birthday_promo("3"),
            ),
            coupons=(
                coupon(
                    "WELCOME20",
                    amount=2000,
                    threshold=10000,
                    valid_from=AT.replace(day=1),
                    valid_to=AT.replace(month=12, day=31),
                ),
                coupon(
                    "DAIRY10",
                    "percent_off",
                    percent="10",
                    cap=1500,
                    categories=("dairy",),
                    stackable=True,
                    member_only=True,
                ),
            ),
            redeem_points=1000,
        )
    )
    assert AT.tzinfo is CST
    ln = q.lines[0]
    assert (
        ln.list_total,
        ln.line_total,
        ln.coupon_discount,
        ln.points_discount,
        ln.net,
        ln.points_earned,
    ) == (2580, 2380, 238, 1000, 1142, 51)
    assert (q.subtotal, q.member_savings, q.coupon_discount) == (2580, 200, 238)
    assert reasons(q) == {"WELCOME20": "below_threshold"}
    assert (q.points_redeemed, q.points_value, q.points_capped, q.points_rejected) == (
        1000,
        1000,
        False,
        None,
    )
    assert (q.total_due, q.points_earned) == (1142, 51)
    check_invariants(q)


def test_empty_basket_prices_to_zero() -> None:
    q = price(basket(member=member(), coupons=(coupon("C", amount=100),), redeem_points=100))
    assert (q.subtotal, q.total_due, q.points_earned, q.points_redeemed) == (0, 0, 0, 0)
    assert reasons(q) == {"C": "no_eligible_lines"}
    assert q.points_capped
