"""Property-based tests of the services on real stores (a fresh copy of a migrated store for
every example): a full refund, however it is split, nets points and money to zero; a sale
retried with the same id is stored once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import DB_NAME
from app.domain.ids import RefundId, SaleId, new_id
from app.domain.staff import Role
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.context import TillContext, open_till
from app.services.members import RegisterMember, register_member
from app.services.points import AdjustPoints, adjust_points
from app.services.refunds import RefundSale, refund_sale
from app.services.staff import add_staff
from app.store import orm
from tests.conftest import FAST_HASHER, FrozenClock

PRODUCTS = [
    ("6901234567892", "dairy", 1290, 1190),
    ("6902345678901", "dairy", 650, None),
    ("6903456789012", "grain", 4990, 4590),
    ("6904567890123", "wine", 12800, None),
    ("6905678901234", "snack", 99, 89),
]
START = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A migrated till home with staff, products and one member (with a welcome coupon)."""
    home = tmp_path_factory.mktemp("template") / "home"
    ctx = open_till(home, clock=FrozenClock(START), hasher=FAST_HASHER)
    try:
        cashier = add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")
        sup = add_staff(ctx, "2001", "Wang Wei", Role.SUPERVISOR, "5678")
        with ctx.uow() as uow:
            for sku, cat, price, member_price in PRODUCTS:
                uow.session.add(
                    orm.Product(
                        id=new_id(),
                        sku=sku,
                        name_zh=sku,
                        name_en=sku,
                        category=cat,
                        unit_price=price,
                        member_price=member_price,
                        active=True,
                    )
                )
            uow.commit()
        reg = register_member(
            ctx, RegisterMember(phone="13800138000", consent_given=True, staff_id=cashier.id)
        )
    finally:
        ctx.close()
    return {
        "home": home,
        "cashier": cashier.id,
        "supervisor": sup.id,
        "member": reg.member.id,
        "coupon": reg.welcome_coupon,
    }


@contextmanager
def fresh_till(template: dict[str, Any]) -> Iterator[tuple[TillContext, sqlite3.Connection]]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(template["home"], home)
        ctx = open_till(home, clock=FrozenClock(START), hasher=FAST_HASHER)
        raw = sqlite3.connect(home / DB_NAME)
        raw.row_factory = sqlite3.Row
        try:
            yield ctx, raw
        finally:
            raw.close()
            ctx.close()


def _hex(u: Any) -> str:
    return str(u).replace("-", "")


def _balance(raw: sqlite3.Connection, member_id: Any) -> int:
    return int(
        raw.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE member_id = ?", (_hex(member_id),)
        ).fetchone()[0]
    )


lines_st = st.lists(
    st.tuples(st.sampled_from([p[0] for p in PRODUCTS]), st.integers(1, 5)),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)


@SETTINGS
@given(
    lines=lines_st,
    opening_points=st.sampled_from([0, 150, 1000, 5000]),
    redeem=st.sampled_from([0, 100, 500, 2000]),
    use_coupon=st.booleans(),
    data=st.data(),
)
def test_split_refunds_ending_full_net_points_and_money_to_zero(
    template: dict[str, Any],
    lines: list[tuple[str, int]],
    opening_points: int,
    redeem: int,
    use_coupon: bool,
    data: st.DataObject,
) -> None:
    with fresh_till(template) as (ctx, raw):
        member = template["member"]
        if opening_points:
            adjust_points(
                ctx,
                AdjustPoints(
                    member, opening_points, "opening", template["cashier"], template["supervisor"], "5678"
                ),
            )
        before = _balance(raw, member)
        cart = Cart(
            tuple(CartLine(sku, qty) for sku, qty in lines),
            member,
            (template["coupon"],) if use_coupon else (),
            redeem,
        )
        sale = complete_sale(
            ctx, CompleteSale(SaleId(new_id()), template["cashier"], cart, (Tender("cash", 1_000_000),))
        )
        assert _balance(raw, member) == before - sale.points_redeemed + sale.points_earned

        remaining = {no: qty for no, (_, qty) in enumerate(lines, start=1)}
        refunds = []
        while any(remaining.values()):
            request = {}
            for no, left in remaining.items():
                if left:
                    request[no] = data.draw(st.integers(0, left), label=f"line {no}")
            if not any(request.values()):
                no = data.draw(st.sampled_from([n for n, left in remaining.items() if left]))
                request[no] = 1
            refunds.append(
                refund_sale(
                    ctx,
                    RefundSale(
                        RefundId(new_id()),
                        sale.receipt_no,
                        request,
                        template["cashier"],
                        template["supervisor"],
                        "5678",
                    ),
                )
            )
            for no, qty in request.items():
                remaining[no] -= qty

        assert [r.full for r in refunds] == [False] * (len(refunds) - 1) + [True]
        assert sum(r.money for r in refunds) == sale.total_due
        assert sum(r.points_reversed for r in refunds) == sale.points_earned
        assert sum(r.points_given_back for r in refunds) == sale.points_redeemed
        sale_points = raw.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE sale_id = ?", (_hex(sale.sale_id),)
        ).fetchone()[0]
        assert sale_points == 0
        assert _balance(raw, member) == before
        # Each line's refunds add up to exactly what the line cost in money.
        for ln in raw.execute(
            "SELECT line_no, net FROM sale_lines WHERE sale_id = ?", (_hex(sale.sale_id),)
        ).fetchall():
            back = raw.execute(
                "SELECT COALESCE(SUM(rl.money), 0) FROM refund_lines rl JOIN refunds r "
                "ON r.id = rl.refund_id WHERE r.sale_id = ? AND rl.line_no = ?",
                (_hex(sale.sale_id), ln["line_no"]),
            ).fetchone()[0]
            assert back == ln["net"]
        # The coupon, if the sale used it, is back (the refund is within its validity).
        coupon = raw.execute("SELECT status FROM coupons WHERE code = ?", (template["coupon"],)).fetchone()
        assert coupon["status"] == "issued"
        assert refunds[-1].coupons_returned == ((template["coupon"],) if sale_used_coupon(raw, sale) else ())


def sale_used_coupon(raw: sqlite3.Connection, sale: Any) -> bool:
    return bool(
        raw.execute(
            "SELECT COUNT(*) FROM coupon_redemptions WHERE sale_id = ?", (_hex(sale.sale_id),)
        ).fetchone()[0]
    )


@SETTINGS
@given(
    first=lines_st,
    retries=st.lists(st.tuples(lines_st, st.booleans()), min_size=1, max_size=4),
    with_member=st.booleans(),
)
def test_a_sale_retried_with_the_same_id_is_stored_once(
    template: dict[str, Any],
    first: list[tuple[str, int]],
    retries: list[tuple[list[tuple[str, int]], bool]],
    with_member: bool,
) -> None:
    with fresh_till(template) as (ctx, raw):
        member = template["member"] if with_member else None
        sale_id = SaleId(new_id())

        def attempt(lines: list[tuple[str, int]], sid: SaleId) -> Any:
            cart = Cart(tuple(CartLine(sku, qty) for sku, qty in lines), member)
            return complete_sale(
                ctx, CompleteSale(sid, template["cashier"], cart, (Tender("cash", 1_000_000),))
            )

        done = attempt(first, sale_id)
        ledger_rows = raw.execute(
            "SELECT COUNT(*) FROM ledger_entries WHERE sale_id = ?", (_hex(sale_id),)
        ).fetchone()[0]
        others = 0
        for lines, sell_another_first in retries:
            if sell_another_first:
                attempt(lines, SaleId(new_id()))
                others += 1
            # A retry, even one carrying a different cart, returns what was stored.
            again = attempt(lines, sale_id)
            assert again.duplicate
            assert (again.receipt_no, again.total_due, again.paid, again.points_earned) == (
                done.receipt_no,
                done.total_due,
                done.paid,
                done.points_earned,
            )

        hexid = _hex(sale_id)
        assert raw.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 1 + others
        assert raw.execute("SELECT COUNT(*) FROM sales WHERE id = ?", (hexid,)).fetchone()[0] == 1
        assert (
            raw.execute(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'sale.complete' AND subject = ?",
                (str(sale_id),),
            ).fetchone()[0]
            == 1
        )
        events = [
            json.loads(r[0]) for r in raw.execute("SELECT payload FROM outbox WHERE type = 'sale.completed'")
        ]
        assert sum(e["sale_id"] == str(sale_id) for e in events) == 1
        assert len(events) == 1 + others
        assert (
            raw.execute("SELECT COUNT(*) FROM ledger_entries WHERE sale_id = ?", (hexid,)).fetchone()[0]
            == ledger_rows
        )
        assert raw.execute("SELECT COUNT(*) FROM payments WHERE sale_id = ?", (hexid,)).fetchone()[0] == 1
        receipts = raw.execute("SELECT value FROM counters WHERE name = 'receipt:T01'").fetchone()[0]
        assert receipts == 1 + others
        # An earn entry when the member earned points; nothing redeemed, nothing else.
        assert ledger_rows == (1 if member is not None and done.points_earned else 0)
