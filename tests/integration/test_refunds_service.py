"""Refunds on a real store: partial and full, points reversed and given back in proportion,
coupons back only on a full refund within their validity, a supervisor's approval."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from app.domain.ids import RefundId, new_id
from app.services.checkout import SaleDone
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.members import identify
from app.services.points import AdjustPoints, adjust_points
from app.services.receipts import receipt_for
from app.services.refunds import RefundDone, RefundSale, refund_sale
from app.services.staff import PinRejected
from tests.conftest import FrozenClock
from tests.integration.conftest import MILK, RICE, points_sum, register, sell, uuid_hex

pytestmark = pytest.mark.usefixtures("products")

OPENING_POINTS = 2000


def _member_sale(till: TillContext, staff: dict[str, Any]) -> tuple[Any, SaleDone]:
    """A member with 2000 points buys 3 milk and 2 rice with the welcome coupon and 1000 points."""
    reg = register(till, staff)
    adjust_points(
        till,
        AdjustPoints(
            reg.member.id, OPENING_POINTS, "opening", staff["cashier"].id, staff["supervisor"].id, "5678"
        ),
    )
    done = sell(
        till,
        staff,
        ((MILK, 3), (RICE, 2)),
        member_id=reg.member.id,
        coupons=(reg.welcome_coupon or "",),
        redeem_points=1000,
    )
    assert done.points_redeemed == 1000 and done.points_earned > 0
    return reg, done


def _refund(
    till: TillContext,
    staff: dict[str, Any],
    ref: str,
    lines: dict[int, int],
    approver: str | None = "supervisor",
    pin: str | None = "5678",
    refund_id: Any = None,
) -> RefundDone:
    return refund_sale(
        till,
        RefundSale(
            refund_id=refund_id or RefundId(new_id()),
            sale_ref=ref,
            lines=lines,
            cashier_id=staff["cashier"].id,
            approver_id=staff[approver].id if approver else None,
            approver_pin=pin,
            reason="customer changed mind",
        ),
    )


def _lines(raw: sqlite3.Connection, sale_id: Any) -> dict[int, sqlite3.Row]:
    return {
        r["line_no"]: r
        for r in raw.execute("SELECT * FROM sale_lines WHERE sale_id = ?", (uuid_hex(sale_id),))
    }


def _sale_points(raw: sqlite3.Connection, sale_id: Any) -> int:
    return int(
        raw.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE sale_id = ?", (uuid_hex(sale_id),)
        ).fetchone()[0]
    )


def test_partial_refund_takes_back_its_share(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg, sale = _member_sale(till, staff)
    milk = _lines(raw, sale.sale_id)[1]
    assert milk["sku"] == MILK and milk["qty"] == 3
    r = _refund(till, staff, sale.receipt_no, {1: 1})
    # One of three units: floor(total * 1 / 3) of the line's money, points earned and redeemed.
    assert r.money == milk["net"] // 3
    assert r.points_reversed == milk["points_earned"] // 3
    assert r.points_given_back == milk["points_redeemed"] // 3
    assert not r.full and r.coupons_returned == ()
    ledger = raw.execute(
        "SELECT kind, points FROM ledger_entries WHERE refund_id = ?", (uuid_hex(r.refund_id),)
    ).fetchall()
    assert sum(p for _, p in ledger) == r.points_given_back - r.points_reversed
    assert all(k == "reverse" for k, _ in ledger)
    expected = OPENING_POINTS - 1000 + sale.points_earned - r.points_reversed + r.points_given_back
    assert points_sum(raw, reg.member.id) == expected
    coupon = raw.execute("SELECT status FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["status"] == "redeemed"  # a partial refund never brings the coupon back


def test_partial_refunds_then_the_rest_net_to_zero(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg, sale = _member_sale(till, staff)
    done = [
        _refund(till, staff, sale.receipt_no, {1: 1}),
        _refund(till, staff, str(sale.sale_id), {2: 1}),
        _refund(till, staff, sale.receipt_no, {1: 1, 2: 1}),
        _refund(till, staff, sale.receipt_no, {1: 1}),
    ]
    assert [r.full for r in done] == [False, False, False, True]
    assert sum(r.money for r in done) == sale.total_due
    assert sum(r.points_reversed for r in done) == sale.points_earned
    assert sum(r.points_given_back for r in done) == sale.points_redeemed
    assert _sale_points(raw, sale.sale_id) == 0
    assert points_sum(raw, reg.member.id) == OPENING_POINTS
    assert identify(till, reg.member.card_no).points_balance == OPENING_POINTS
    # The coupon comes back with the refund that makes it full.
    assert done[-1].coupons_returned == (reg.welcome_coupon,)
    coupon = raw.execute("SELECT * FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["status"] == "issued" and coupon["redeemed_sale_id"] is None
    assert raw.execute("SELECT returned FROM coupon_redemptions").fetchone()[0] == 1
    assert [c.code for c in identify(till, reg.member.card_no).coupons] == [reg.welcome_coupon]
    # Nothing is left to refund.
    with pytest.raises(Invalid) as exc:
        _refund(till, staff, sale.receipt_no, {1: 1})
    assert exc.value.code == "refund_qty_exceeds_remaining"


def test_full_refund_in_one_go(till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection) -> None:
    reg, sale = _member_sale(till, staff)
    r = _refund(till, staff, sale.receipt_no, {1: 3, 2: 2})
    assert r.full
    assert (r.money, r.points_reversed, r.points_given_back) == (
        sale.total_due,
        sale.points_earned,
        sale.points_redeemed,
    )
    assert _sale_points(raw, sale.sale_id) == 0
    assert points_sum(raw, reg.member.id) == OPENING_POINTS


def test_a_coupon_does_not_come_back_after_its_validity(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection, clock: FrozenClock
) -> None:
    reg, sale = _member_sale(till, staff)
    clock.advance(days=till.program_at(clock.at).welcome_coupon.valid_days + 1)
    r = _refund(till, staff, sale.receipt_no, {1: 3, 2: 2})
    assert r.full and r.coupons_returned == ()
    coupon = raw.execute("SELECT status FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["status"] == "redeemed"
    assert _sale_points(raw, sale.sale_id) == 0  # the points still net to zero


def test_refund_records_both_staff_ids_audit_and_event(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _, sale = _member_sale(till, staff)
    r = _refund(till, staff, sale.receipt_no, {2: 1})
    row = raw.execute("SELECT * FROM refunds WHERE id = ?", (uuid_hex(r.refund_id),)).fetchone()
    assert row["cashier_id"] == uuid_hex(staff["cashier"].id)
    assert row["approver_id"] == uuid_hex(staff["supervisor"].id)
    assert row["money"] == r.money
    lines = raw.execute("SELECT * FROM refund_lines WHERE refund_id = ?", (uuid_hex(r.refund_id),)).fetchall()
    assert [(ln["line_no"], ln["qty"], ln["money"]) for ln in lines] == [(2, 1, r.money)]

    audit = raw.execute("SELECT * FROM audit_log WHERE action = 'sale.refund'").fetchall()
    assert len(audit) == 1
    assert audit[0]["subject"] == str(r.refund_id)
    assert audit[0]["actor_id"] == uuid_hex(staff["cashier"].id)
    assert audit[0]["approver_id"] == uuid_hex(staff["supervisor"].id)

    events = [
        json.loads(p[0]) for p in raw.execute("SELECT payload FROM outbox WHERE type = 'refund.completed'")
    ]
    assert len(events) == 1
    assert events[0]["refund_id"] == str(r.refund_id)
    assert events[0]["sale_id"] == str(sale.sale_id)
    assert events[0]["approver_id"] == str(staff["supervisor"].id)
    assert events[0]["money"] == r.money


def test_a_manager_may_approve(till: TillContext, staff: dict[str, Any]) -> None:
    _, sale = _member_sale(till, staff)
    assert _refund(till, staff, sale.receipt_no, {1: 1}, approver="manager", pin="9999").money > 0


@pytest.mark.parametrize(
    ("approver", "pin", "code"),
    [
        (None, None, "approval_required"),
        ("supervisor", None, "approval_required"),
        ("cashier", "1234", "self_approval"),
        ("supervisor", "0000", "wrong_pin"),
    ],
)
def test_refund_without_valid_approval_stores_nothing(
    till: TillContext,
    staff: dict[str, Any],
    raw: sqlite3.Connection,
    approver: str | None,
    pin: str | None,
    code: str,
) -> None:
    _, sale = _member_sale(till, staff)
    ledger = raw.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0]
    events = raw.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    with pytest.raises(Refused) as exc:
        _refund(till, staff, sale.receipt_no, {1: 1}, approver=approver, pin=pin)
    assert exc.value.code == code
    assert raw.execute("SELECT COUNT(*) FROM refunds").fetchone()[0] == 0
    assert raw.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0] == ledger
    assert raw.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == events


def test_a_wrong_pin_is_a_pin_rejection(till: TillContext, staff: dict[str, Any]) -> None:
    _, sale = _member_sale(till, staff)
    with pytest.raises(PinRejected):
        _refund(till, staff, sale.receipt_no, {1: 1}, pin="0000")


def test_refund_retried_with_the_same_id_is_stored_once(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg, sale = _member_sale(till, staff)
    rid = RefundId(new_id())
    first = _refund(till, staff, sale.receipt_no, {1: 3, 2: 2}, refund_id=rid)
    balance = points_sum(raw, reg.member.id)
    again = _refund(till, staff, sale.receipt_no, {1: 3, 2: 2}, refund_id=rid)
    assert again.duplicate
    assert (again.money, again.full, again.coupons_returned) == (first.money, True, first.coupons_returned)
    assert raw.execute("SELECT COUNT(*) FROM refunds").fetchone()[0] == 1
    assert raw.execute("SELECT COUNT(*) FROM outbox WHERE type = 'refund.completed'").fetchone()[0] == 1
    assert points_sum(raw, reg.member.id) == balance


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ({}, "refund_empty"),
        ({1: 0}, "refund_empty"),
        ({9: 1}, "refund_unknown_line"),
        ({1: 4}, "refund_qty_exceeds_remaining"),
        ({1: -1}, "refund_bad_qty"),
    ],
)
def test_bad_refund_requests(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection, lines: dict[int, int], code: str
) -> None:
    _, sale = _member_sale(till, staff)
    with pytest.raises(Invalid) as exc:
        _refund(till, staff, sale.receipt_no, lines)
    assert exc.value.code == code
    assert raw.execute("SELECT COUNT(*) FROM refunds").fetchone()[0] == 0


def test_unknown_sale(till: TillContext, staff: dict[str, Any]) -> None:
    assert till.terminal_id == "T01"
    with pytest.raises(NotFound) as found:
        _refund(till, staff, "S001-T01-999999", {1: 1})
    assert found.value.code == "no_sale"
    with pytest.raises(NotFound) as found:
        _refund(till, staff, str(new_id()), {1: 1})
    assert found.value.code == "no_sale"


def test_a_receipt_of_another_till_says_which_till_holds_the_sale(
    till: TillContext, staff: dict[str, Any]
) -> None:
    with pytest.raises(NotFound) as found:
        _refund(till, staff, " S001-T02-000042 ", {1: 1})
    assert found.value.code == "sale_other_till" and "till T02" in found.value.message
    with pytest.raises(NotFound) as found:
        receipt_for(till, "S001-T02-000042")
    assert found.value.code == "sale_other_till"


def test_anonymous_sale_refund_touches_no_ledger(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    sale = sell(till, staff, ((MILK, 2),))
    r = _refund(till, staff, sale.receipt_no, {1: 2})
    assert r.full and r.money == sale.total_due == 2580
    assert (r.points_reversed, r.points_given_back) == (0, 0)
    assert raw.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0] == 0


def test_a_scanned_receipt_qr_finds_its_sale_and_a_forged_one_is_refused(till, staff, products) -> None:  # type: ignore[no-untyped-def]
    from app.domain.codes import SigningKey, issue_feedback_token
    from app.domain.ids import new_id
    from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
    from app.services.errors import Refused
    from app.services.refunds import sale_ref_from_text

    done = complete_sale(
        till,
        CompleteSale(
            new_id(), staff["cashier"].id, Cart((CartLine("6902345678901", 1),)), (Tender("cash", 1000),)
        ),
    )
    scanned = f"https://hq.example.com/f/{done.feedback_token}"  # the receipt's QR
    assert sale_ref_from_text(till, scanned) == str(done.sale_id)
    assert sale_ref_from_text(till, f"  {done.receipt_no} ") == done.receipt_no
    stranger = SigningKey.generate(till.signer.key_id)  # same key id, different key: a forgery
    forged = issue_feedback_token("S001", "T01", done.sale_id, done.receipt_no, stranger, till.now())
    with pytest.raises(Refused):
        sale_ref_from_text(till, "http://x/f/" + forged)
