"""Quoting and completing sales on a real store: one transaction, stored whole or not at all.

Products (from the shared `products` fixture): milk 12.90 (member 11.90, dairy), yogurt 6.50
(dairy), rice 49.90 (member 45.90, grain), red wine 128.00 (wine). Defaults: 1 point per
yuan paid at basic tier, 100 points = 1 yuan, welcome coupon 10 yuan off 50 yuan.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from app.domain.ids import new_id
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale, quote_cart
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.members import identify
from app.services.points import AdjustPoints, adjust_points
from app.services.shifts import open_shift
from tests.conftest import FrozenClock
from tests.integration.conftest import MILK, RICE, WINE, YOGURT, points_sum, register, sell, uuid_hex

pytestmark = pytest.mark.usefixtures("products")


def _counts(raw: sqlite3.Connection) -> dict[str, int]:
    tables = (
        "sales",
        "sale_lines",
        "payments",
        "coupon_redemptions",
        "ledger_entries",
        "audit_log",
        "outbox",
    )
    out = {t: int(raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}
    out["counters"] = int(raw.execute("SELECT COALESCE(SUM(value), 0) FROM counters").fetchone()[0])
    return out


def _assert_sale_whole(raw: sqlite3.Connection, sale_id: Any) -> sqlite3.Row:
    """Every part of a stored sale is there and adds up to the sale's own totals."""
    sid = uuid_hex(sale_id)
    sale = raw.execute("SELECT * FROM sales WHERE id = ?", (sid,)).fetchone()
    assert sale is not None
    lines = raw.execute("SELECT * FROM sale_lines WHERE sale_id = ?", (sid,)).fetchall()
    assert lines
    assert sum(ln["net"] for ln in lines) == sale["total_due"]
    assert sum(ln["list_total"] for ln in lines) == sale["subtotal"]
    assert sum(ln["list_total"] - ln["line_total"] for ln in lines) == sale["member_savings"]
    assert sum(ln["coupon_discount"] for ln in lines) == sale["coupon_discount"]
    assert sum(ln["points_earned"] for ln in lines) == sale["points_earned"]
    assert sum(ln["points_redeemed"] for ln in lines) == sale["points_redeemed"]
    paid = raw.execute("SELECT COALESCE(SUM(amount), 0) FROM payments WHERE sale_id = ?", (sid,)).fetchone()[
        0
    ]
    assert paid == sale["paid"]
    assert sale["paid"] - sale["total_due"] == sale["change_due"]
    coupon = raw.execute(
        "SELECT COALESCE(SUM(discount), 0) FROM coupon_redemptions WHERE sale_id = ?", (sid,)
    ).fetchone()[0]
    assert coupon == sale["coupon_discount"]
    if sale["member_id"] is not None:
        earned = raw.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE sale_id = ? AND kind = 'earn'", (sid,)
        ).fetchone()[0]
        redeemed = raw.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE sale_id = ? AND kind = 'redeem'",
            (sid,),
        ).fetchone()[0]
        assert earned == sale["points_earned"]
        assert redeemed == -sale["points_redeemed"]
    audits = raw.execute(
        "SELECT * FROM audit_log WHERE action = 'sale.complete' AND subject = ?", (str(sale_id),)
    ).fetchall()
    assert len(audits) == 1
    events = [
        json.loads(r["payload"])
        for r in raw.execute("SELECT payload FROM outbox WHERE type = 'sale.completed'")
    ]
    mine = [e for e in events if e["sale_id"] == str(sale_id)]
    assert len(mine) == 1
    assert mine[0]["total_due"] == sale["total_due"]
    assert mine[0]["points_earned"] == sale["points_earned"]
    assert [ln["net"] for ln in mine[0]["lines"]] == [
        ln["net"] for ln in sorted(lines, key=lambda r: r["line_no"])
    ]
    return sale


# ------------------------------------------------------------------------------ quote


def test_quote_uses_member_prices_only_for_a_member(till: TillContext, staff: dict[str, Any]) -> None:
    reg = register(till, staff)
    cart = Cart(lines=(CartLine(MILK, 2), CartLine(YOGURT, 1)))
    anon = quote_cart(till, cart).quote
    assert (anon.subtotal, anon.member_savings, anon.total_due, anon.points_earned) == (3230, 0, 3230, 0)
    member = quote_cart(till, Cart(lines=cart.lines, member_id=reg.member.id)).quote
    # 2 x 11.90 + 6.50 = 30.30; 30 points at basic tier, rounded down.
    assert (member.subtotal, member.member_savings, member.total_due, member.points_earned) == (
        3230,
        200,
        3030,
        30,
    )


def test_quote_changes_nothing(till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection) -> None:
    reg = register(till, staff)
    before = _counts(raw)
    priced = quote_cart(
        till,
        Cart(lines=(CartLine(MILK, 5),), member_id=reg.member.id, coupon_codes=(reg.welcome_coupon or "",)),
    )
    assert priced.quote.coupon_discount == 1000
    assert _counts(raw) == before
    coupon = raw.execute("SELECT status FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["status"] == "issued"


def test_quote_refuses_unknown_and_other_members_coupons(till: TillContext, staff: dict[str, Any]) -> None:
    a = register(till, staff, "13800138000")
    b = register(till, staff, "13900139000")
    priced = quote_cart(
        till,
        Cart(
            lines=(CartLine(MILK, 5),),
            member_id=a.member.id,
            coupon_codes=(b.welcome_coupon or "", "CNOSUCHONE"),
        ),
    )
    assert dict(priced.refused_coupons) == {b.welcome_coupon: "other_member", "CNOSUCHONE": "unknown"}
    assert priced.quote.coupon_discount == 0


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ((), Invalid),
        ((CartLine("0000000000000", 1),), NotFound),
        ((CartLine(MILK, 0),), Invalid),
        ((CartLine(MILK, 1, price_override=-1),), Invalid),
    ],
)
def test_quote_rejects_bad_carts(till: TillContext, lines: tuple[CartLine, ...], error: type) -> None:
    with pytest.raises(error):
        quote_cart(till, Cart(lines=lines))


# ------------------------------------------------------------------------------ complete


def test_anonymous_cash_sale_is_stored_whole(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    shift = open_shift(till, staff["cashier"].id, 10_000)
    done = sell(till, staff, ((MILK, 2), (YOGURT, 1)), tenders=(Tender("cash", 5000),), shift_id=shift)
    assert (done.total_due, done.paid, done.change_due, done.points_earned) == (3230, 5000, 1770, 0)
    assert done.receipt_no == f"{till.store_id}-{till.terminal_id}-000001"
    assert not done.duplicate
    sale = _assert_sale_whole(raw, done.sale_id)
    assert sale["member_id"] is None
    assert sale["shift_id"] == uuid_hex(shift)
    assert sale["cashier_id"] == uuid_hex(staff["cashier"].id)
    assert raw.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0] == 0
    assert done.feedback_token == sale["feedback_token"]
    assert done.feedback_url == ""  # never enrolled: no feedback QR that could not work


def test_member_sale_with_welcome_coupon(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff)
    # 5 milk at member price = 59.50, over the 50.00 threshold: 10.00 off -> 49.50, 49 points.
    done = sell(
        till,
        staff,
        ((MILK, 5),),
        member_id=reg.member.id,
        coupons=(reg.welcome_coupon or "",),
        tenders=(Tender("cash", 10_000),),
    )
    assert (done.total_due, done.change_due, done.points_earned) == (4950, 5050, 49)
    sale = _assert_sale_whole(raw, done.sale_id)
    assert sale["coupon_discount"] == 1000
    coupon = raw.execute("SELECT * FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["status"] == "redeemed"
    assert coupon["redeemed_sale_id"] == uuid_hex(done.sale_id)
    view = identify(till, "13800138000")
    assert view.points_balance == 49
    assert view.coupons == ()  # the used coupon is no longer offered
    member = raw.execute("SELECT * FROM members").fetchone()
    assert member["last_purchase_at"] is not None


def test_a_used_coupon_is_not_applied_again(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff)
    code = reg.welcome_coupon or ""
    sell(till, staff, ((MILK, 5),), member_id=reg.member.id, coupons=(code,))
    priced = quote_cart(till, Cart((CartLine(MILK, 5),), reg.member.id, (code,)))
    assert dict(priced.refused_coupons) == {code: "already_used"}
    second = sell(till, staff, ((MILK, 5),), member_id=reg.member.id, coupons=(code,))
    assert second.total_due == 5950
    assert raw.execute("SELECT COUNT(*) FROM coupon_redemptions").fetchone()[0] == 1


def test_points_redemption_writes_redeem_and_earn_entries(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff)
    adjust_points(
        till,
        AdjustPoints(
            reg.member.id, 1000, "opening balance", staff["cashier"].id, staff["supervisor"].id, "5678"
        ),
    )
    # 2 rice at member price = 91.80; 1000 points = 10.00 off -> 81.80 paid, 81 points earned
    # on the money actually paid (not on the part paid with points).
    done = sell(
        till,
        staff,
        ((RICE, 2),),
        member_id=reg.member.id,
        redeem_points=1000,
        tenders=(Tender("card", 8180),),
    )
    assert (done.total_due, done.points_redeemed, done.points_earned, done.change_due) == (8180, 1000, 81, 0)
    sale = _assert_sale_whole(raw, done.sale_id)
    assert sale["points_value"] == 1000
    assert points_sum(raw, reg.member.id) == 1000 - 1000 + 81
    assert identify(till, reg.member.card_no).points_balance == 81


def test_sales_move_the_member_up_a_tier(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff)
    # 16 bottles of wine = 2,048.00, over the 2,000.00 silver threshold; earned at basic (1.0).
    first = sell(till, staff, ((WINE, 16),), member_id=reg.member.id)
    assert first.points_earned == 2048
    assert raw.execute("SELECT tier FROM members").fetchone()[0] == "silver"
    assert identify(till, "13800138000").tier == "silver"
    # The next sale earns at silver's 1.2: 128 x 1.2 = 153.6 -> 153.
    second = sell(till, staff, ((WINE, 1),), member_id=reg.member.id)
    assert second.points_earned == 153


def test_receipt_numbers_and_outbox_sequence_count_up(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    receipts = [sell(till, staff).receipt_no for _ in range(3)]
    assert [r.rsplit("-", 1)[1] for r in receipts] == ["000001", "000002", "000003"]
    seqs = [r[0] for r in raw.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 3


def test_retried_sale_is_stored_once(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff)
    sale_id = new_id()
    first = sell(
        till,
        staff,
        ((MILK, 5),),
        member_id=reg.member.id,
        coupons=(reg.welcome_coupon or "",),
        sale_id=sale_id,
    )
    before = _counts(raw)
    again = sell(
        till,
        staff,
        ((MILK, 5),),
        member_id=reg.member.id,
        coupons=(reg.welcome_coupon or "",),
        sale_id=sale_id,
    )
    assert again.duplicate
    assert (again.receipt_no, again.total_due, again.points_earned) == (
        first.receipt_no,
        first.total_due,
        first.points_earned,
    )
    assert _counts(raw) == before
    _assert_sale_whole(raw, sale_id)
    # Even a retry carrying a different cart returns the stored sale and changes nothing.
    other = sell(till, staff, ((WINE, 3),), sale_id=sale_id)
    assert other.duplicate and other.total_due == first.total_due
    assert _counts(raw) == before


def test_a_failure_late_in_the_transaction_leaves_nothing_behind(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff)
    before = _counts(raw)
    # The outbox insert is the last write of a sale: make the database refuse it.
    raw.execute(
        "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"
    )
    raw.commit()
    sale_id = new_id()
    with pytest.raises(IntegrityError, match="outbox refused"):
        sell(
            till,
            staff,
            ((MILK, 5),),
            member_id=reg.member.id,
            coupons=(reg.welcome_coupon or "",),
            sale_id=sale_id,
        )
    assert _counts(raw) == before
    coupon = raw.execute("SELECT status FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["status"] == "issued"
    assert raw.execute("SELECT last_purchase_at FROM members").fetchone()[0] is None

    raw.execute("DROP TRIGGER no_outbox")
    raw.commit()
    done = sell(
        till,
        staff,
        ((MILK, 5),),
        member_id=reg.member.id,
        coupons=(reg.welcome_coupon or "",),
        sale_id=sale_id,
    )
    assert done.receipt_no.endswith("-000001")  # the failed attempt used no number
    _assert_sale_whole(raw, sale_id)


@pytest.mark.parametrize(
    ("tenders", "code"),
    [
        ((Tender("cash", 3229),), "underpaid"),
        ((Tender("card", 4000),), "change_without_cash"),
        ((Tender("card", 3000), Tender("cash", 100)), "underpaid"),
        ((Tender("cheque", 5000),), "bad_tender"),
        ((Tender("cash", 0), Tender("card", 3230)), "bad_tender"),
    ],
)
def test_bad_payments_store_nothing(
    till: TillContext,
    staff: dict[str, Any],
    raw: sqlite3.Connection,
    tenders: tuple[Tender, ...],
    code: str,
) -> None:
    before = _counts(raw)
    with pytest.raises(Invalid) as exc:
        sell(till, staff, ((MILK, 2), (YOGURT, 1)), tenders=tenders)  # total 32.30
    assert exc.value.code == code
    assert _counts(raw) == before


def test_mixed_tenders_give_change_in_cash(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    done = sell(till, staff, ((MILK, 2), (YOGURT, 1)), tenders=(Tender("card", 3000), Tender("cash", 500)))
    assert done.change_due == 270
    _assert_sale_whole(raw, done.sale_id)


def test_a_changed_total_is_refused(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    before = _counts(raw)
    cmd = CompleteSale(
        new_id(),
        staff["cashier"].id,
        Cart((CartLine(MILK, 2),)),
        (Tender("cash", 5000),),
        expected_total=2000,
    )
    with pytest.raises(Refused) as exc:
        complete_sale(till, cmd)
    assert exc.value.code == "total_changed"
    assert _counts(raw) == before
    ok = CompleteSale(
        new_id(),
        staff["cashier"].id,
        Cart((CartLine(MILK, 2),)),
        (Tender("cash", 5000),),
        expected_total=2580,
    )
    assert complete_sale(till, ok).total_due == 2580


def test_price_override_needs_a_supervisor(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    cart = Cart((CartLine(WINE, 1, price_override=9900), CartLine(MILK, 1)))
    cashier, supervisor = staff["cashier"], staff["supervisor"]
    before = _counts(raw)
    with pytest.raises(Refused) as exc:
        complete_sale(till, CompleteSale(new_id(), cashier.id, cart, (Tender("cash", 20_000),)))
    assert exc.value.code == "approval_required"
    with pytest.raises(Refused):
        complete_sale(
            till,
            CompleteSale(
                new_id(),
                cashier.id,
                cart,
                (Tender("cash", 20_000),),
                approver_id=supervisor.id,
                approver_pin="0000",
            ),
        )
    assert {k: v for k, v in _counts(raw).items() if k != "counters"} == {
        k: v for k, v in before.items() if k != "counters"
    }

    done = complete_sale(
        till,
        CompleteSale(
            new_id(),
            cashier.id,
            cart,
            (Tender("cash", 20_000),),
            approver_id=supervisor.id,
            approver_pin="5678",
        ),
    )
    assert done.total_due == 9900 + 1290
    _assert_sale_whole(raw, done.sale_id)
    line = raw.execute("SELECT * FROM sale_lines WHERE sku = ?", (WINE,)).fetchone()
    assert line["unit_price"] == 9900
    audit = raw.execute("SELECT * FROM audit_log WHERE action = 'sale.complete'").fetchone()
    assert audit["actor_id"] == uuid_hex(cashier.id)
    assert audit["approver_id"] == uuid_hex(supervisor.id)
    assert json.loads(audit["details"])["price_override"] is True


def test_a_sale_without_override_records_no_approver(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    sell(till, staff)
    audit = raw.execute("SELECT * FROM audit_log WHERE action = 'sale.complete'").fetchone()
    assert audit["approver_id"] is None
    assert json.loads(audit["details"])["price_override"] is False


def test_expiries_written_by_a_sale_reach_the_outbox(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection, clock: FrozenClock
) -> None:
    """A sale writes the member's due expiry entries into the ledger; like the daily expiry
    job, it must tell the server about them, or the server's ledger misses them."""
    from datetime import UTC, datetime

    from app.services.points import expire_due

    reg = register(till, staff)
    adjust_points(
        till,
        AdjustPoints(reg.member.id, 500, "goodwill", staff["cashier"].id, staff["supervisor"].id, "5678"),
    )
    clock.at = datetime(2028, 1, 2, tzinfo=UTC)  # the 500 expired at the end of 2027
    sell(till, staff, ((MILK, 1),), member_id=reg.member.id)
    expired = raw.execute("SELECT id, points FROM ledger_entries WHERE kind = 'expire'").fetchall()
    assert [r["points"] for r in expired] == [-500]
    events = [
        json.loads(r[0]) for r in raw.execute("SELECT payload FROM outbox WHERE type = 'points.expired'")
    ]
    assert [(e["points"], e["member_id"]) for e in events] == [(-500, str(reg.member.id))]
    assert uuid_hex(events[0]["entry_id"]) == expired[0]["id"]
    assert expire_due(till) == 0  # already written; the job adds nothing
