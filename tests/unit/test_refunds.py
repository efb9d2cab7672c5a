from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.clock import DEFAULT_TZ
from app.domain.ids import MemberId, RefundId, SaleId, new_id
from app.domain.points import LedgerEntry, balance, earn, give_back, redeem, reverse
from app.domain.refunds import (
    RefundError,
    RefundPlan,
    SoldLine,
    amount_for,
    coupon_returns,
    plan_refund,
)

AT = datetime(2026, 11, 22, 10, 30, tzinfo=DEFAULT_TZ)

SALE = (
    SoldLine(1, qty=3, net_fen=1000, points_earned=10, points_redeemed=100,
             points_discount_fen=100, coupon_discount_fen=200),
    SoldLine(2, qty=1, net_fen=599, points_earned=5, points_redeemed=0),
    SoldLine(3, qty=2, net_fen=0, points_earned=0, points_redeemed=700, points_discount_fen=700),
)  # fmt: skip


def test_amount_for_is_floor_of_the_share() -> None:
    assert [amount_for(1000, q, 3) for q in range(4)] == [0, 333, 666, 1000]


def test_partial_refunds_of_one_line_sum_to_the_line() -> None:
    first = plan_refund(SALE, {}, {1: 1})
    assert first.lines[0].money_fen == 333
    assert (first.points_reversed, first.points_given_back) == (3, 33)
    assert not first.full
    second = plan_refund(SALE, {1: 1}, {1: 1})
    assert second.money_fen == 333
    assert (second.points_reversed, second.points_given_back) == (3, 33)
    third = plan_refund(SALE, {1: 2}, {1: 1})
    assert third.money_fen == 334
    assert (third.points_reversed, third.points_given_back) == (4, 34)
    assert first.money_fen + second.money_fen + third.money_fen == 1000


def test_full_refund_in_one_go() -> None:
    plan = plan_refund(SALE, {}, {1: 3, 2: 1, 3: 2})
    assert plan.full
    assert plan.money_fen == 1599
    assert plan.points_reversed == 15
    assert plan.points_given_back == 800
    assert [line.line_no for line in plan.lines] == [1, 2, 3]


def test_full_flag_counts_earlier_refunds() -> None:
    plan = plan_refund(SALE, {1: 3, 3: 2}, {2: 1})
    assert plan.full
    assert plan.money_fen == 599
    assert not plan_refund(SALE, {1: 3}, {2: 1}).full


def test_zero_quantity_lines_are_ignored() -> None:
    plan = plan_refund(SALE, {}, {1: 0, 2: 1})
    assert [line.line_no for line in plan.lines] == [2]


def test_a_line_paid_entirely_with_points_refunds_no_money_but_gives_points_back() -> None:
    plan = plan_refund(SALE, {}, {3: 1})
    assert plan.money_fen == 0
    assert plan.points_given_back == 350


@pytest.mark.parametrize(
    ("already", "requested", "reason"),
    [
        ({}, {}, "empty"),
        ({}, {1: 0}, "empty"),
        ({}, {9: 1}, "unknown_line"),
        ({9: 1}, {1: 1}, "unknown_line"),
        ({}, {1: 4}, "qty_exceeds_remaining"),
        ({1: 2}, {1: 2}, "qty_exceeds_remaining"),
        ({2: 1}, {2: 1}, "qty_exceeds_remaining"),
        ({}, {1: -1}, "bad_qty"),
        ({1: 4}, {2: 1}, "over_refunded"),
    ],
)
def test_refund_errors(already: dict[int, int], requested: dict[int, int], reason: str) -> None:
    with pytest.raises(RefundError) as err:
        plan_refund(SALE, already, requested)
    assert err.value.reason == reason
    assert str(err.value)


def test_bad_sales_are_refused() -> None:
    with pytest.raises(RefundError) as err:
        plan_refund((SoldLine(1, 1, 100), SoldLine(1, 1, 100)), {}, {1: 1})
    assert err.value.reason == "bad_sale"
    with pytest.raises(RefundError):
        SoldLine(1, qty=0, net_fen=0)
    with pytest.raises(RefundError):
        SoldLine(1, qty=1, net_fen=-5)


def test_coupon_comes_back_only_on_a_full_refund_within_validity() -> None:
    valid_to = AT + timedelta(days=3)
    assert coupon_returns(True, AT, valid_to)
    assert coupon_returns(True, valid_to, valid_to)
    assert not coupon_returns(True, valid_to + timedelta(seconds=1), valid_to)
    assert not coupon_returns(False, AT, valid_to)
    with pytest.raises(ValueError):
        coupon_returns(True, datetime(2026, 11, 22), valid_to)


# ---------------------------------------------------------------------- properties

sold_line = st.builds(
    SoldLine,
    line_no=st.just(0),
    qty=st.integers(min_value=1, max_value=12),
    net_fen=st.integers(min_value=0, max_value=10**7),
    points_earned=st.integers(min_value=0, max_value=10**5),
    points_redeemed=st.integers(min_value=0, max_value=10**5),
)


@st.composite
def sale_and_refunds(draw: st.DrawFn) -> tuple[list[SoldLine], list[dict[int, int]]]:
    """A sale and a random sequence of partial refunds that together return everything."""
    raw = draw(st.lists(sold_line, min_size=1, max_size=6))
    sale = [SoldLine(i + 1, s.qty, s.net_fen, s.points_earned, s.points_redeemed) for i, s in enumerate(raw)]
    units = [line.line_no for line in sale for _ in range(line.qty)]
    order = draw(st.permutations(units))
    refunds: list[dict[int, int]] = []
    i = 0
    while i < len(order):
        size = draw(st.integers(min_value=1, max_value=len(order) - i))
        chunk: dict[int, int] = {}
        for line_no in order[i : i + size]:
            chunk[line_no] = chunk.get(line_no, 0) + 1
        refunds.append(chunk)
        i += size
    return sale, refunds


def run(sale: list[SoldLine], refunds: list[dict[int, int]]) -> list[RefundPlan]:
    done: dict[int, int] = {}
    plans = []
    for req in refunds:
        plans.append(plan_refund(sale, dict(done), req))
        for line_no, qty in req.items():
            done[line_no] = done.get(line_no, 0) + qty
    return plans


@settings(max_examples=200, deadline=None)
@given(sale_and_refunds())
def test_any_split_of_refunds_nets_exactly_to_the_sale(
    case: tuple[list[SoldLine], list[dict[int, int]]],
) -> None:
    sale, refunds = case
    plans = run(sale, refunds)
    assert [p.full for p in plans] == [False] * (len(plans) - 1) + [True]
    assert sum(p.money_fen for p in plans) == sum(line.net_fen for line in sale)
    assert sum(p.points_reversed for p in plans) == sum(line.points_earned for line in sale)
    assert sum(p.points_given_back for p in plans) == sum(line.points_redeemed for line in sale)
    for plan in plans:
        assert plan.money_fen == sum(r.money_fen for r in plan.lines)
        assert all(r.money_fen >= 0 and r.points_reversed >= 0 for r in plan.lines)
        assert all(r.points_given_back >= 0 for r in plan.lines)
    # Per line too: what each line paid and earned comes back exactly.
    for line in sale:
        rows = [r for p in plans for r in p.lines if r.line_no == line.line_no]
        assert sum(r.qty for r in rows) == line.qty
        assert sum(r.money_fen for r in rows) == line.net_fen
        assert sum(r.points_reversed for r in rows) == line.points_earned
        assert sum(r.points_given_back for r in rows) == line.points_redeemed


@settings(max_examples=100, deadline=None)
@given(sale_and_refunds())
def test_a_fully_refunded_sale_nets_the_ledger_to_zero(
    case: tuple[list[SoldLine], list[dict[int, int]]],
) -> None:
    sale, refunds = case
    member, sale_id = MemberId(new_id()), SaleId(new_id())
    earned = sum(line.points_earned for line in sale)
    redeemed = sum(line.points_redeemed for line in sale)
    opening = earn(member, redeemed + 1, AT - timedelta(days=10))
    ledger: list[LedgerEntry] = [opening]
    if redeemed:
        ledger.append(redeem(member, redeemed, AT, entries=ledger, sale_id=sale_id))
    if earned:
        ledger.append(earn(member, earned, AT, sale_id=sale_id))
    for n, plan in enumerate(run(sale, refunds), start=1):
        at = AT + timedelta(days=n)
        refund_id = RefundId(new_id())
        if plan.points_given_back:
            ledger.append(give_back(member, plan.points_given_back, at, sale_id=sale_id, refund_id=refund_id))
        if plan.points_reversed:
            ledger.append(reverse(member, plan.points_reversed, at, sale_id=sale_id, refund_id=refund_id))
    assert sum(e.points for e in ledger if e.sale_id == sale_id) == 0
    assert balance(ledger) == opening.points
