"""Shifts with X/Z reports, and the hash-chained audit log, on a real store."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
from typing import Any

import pytest

from app.domain.audit import GENESIS
from app.domain.ids import RefundId, ShiftId, new_id
from app.services.audit import verify_audit
from app.services.checkout import Tender
from app.services.context import TillContext
from app.services.errors import NotFound, Refused
from app.services.receipts import receipt_for
from app.services.refunds import RefundSale, refund_sale
from app.services.shifts import close_shift, current_shift, open_shift, x_report
from tests.integration.conftest import MILK, YOGURT, register, sell, uuid_hex

pytestmark = pytest.mark.usefixtures("products")


def _busy_shift(till: TillContext, staff: dict[str, Any]) -> ShiftId:
    """Float 100.00; a cash sale of 32.30 paid with 50.00; a member card sale of 49.50 (welcome
    coupon, 49 points); 1 of 2 milk (12.90) refunded in cash; one sale outside the shift."""
    shift = open_shift(till, staff["cashier"].id, 10_000)
    reg = register(till, staff)
    cash_sale = sell(till, staff, ((MILK, 2), (YOGURT, 1)), tenders=(Tender("cash", 5000),), shift_id=shift)
    sell(
        till,
        staff,
        ((MILK, 5),),
        member_id=reg.member.id,
        coupons=(reg.welcome_coupon or "",),
        tenders=(Tender("card", 4950),),
        shift_id=shift,
    )
    sell(till, staff, ((MILK, 1),), tenders=(Tender("cash", 1290),), shift_id=None)
    refund_sale(
        till,
        RefundSale(
            RefundId(new_id()),
            cash_sale.receipt_no,
            {1: 1},
            staff["cashier"].id,
            staff["supervisor"].id,
            "5678",
            shift_id=shift,
        ),
    )
    return shift


# ------------------------------------------------------------------------------ shifts


def test_x_report_adds_up_the_shift(till: TillContext, staff: dict[str, Any]) -> None:
    shift = _busy_shift(till, staff)
    x = x_report(till, shift)
    assert x.kind == "X" and x.z_no is None and x.closed_at is None
    assert (x.sales, x.gross) == (2, 3230 + 4950)
    # What each tender kept: ¥50 cash handed over for ¥32.30, ¥17.70 given back.
    assert x.by_tender == {"cash": 5000 - 1770, "card": 4950}
    assert sum(x.by_tender.values()) == x.gross
    assert (x.refunds, x.refunded) == (1, 1290)
    assert (x.points_earned, x.points_redeemed, x.coupon_discount, x.member_sales) == (49, 0, 1000, 1)
    # Float + cash taken - change given - cash refunded.
    assert x.expected_cash == 10_000 + 5000 - 1770 - 1290
    assert x.counted_cash is None and x.over_short is None
    assert current_shift(till) == shift


def test_close_shift_gives_the_z_report_once(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    shift = _busy_shift(till, staff)
    z = close_shift(till, shift, staff["cashier"].id, counted_cash=11_900)
    assert z.kind == "Z" and z.z_no == 1 and z.closed_at is not None
    assert z.expected_cash == 11_940 and z.over_short == -40
    assert current_shift(till) is None
    events = [json.loads(r[0]) for r in raw.execute("SELECT payload FROM outbox WHERE type = 'shift.closed'")]
    assert len(events) == 1
    assert events[0]["shift_id"] == str(shift)
    assert (events[0]["z_no"], events[0]["gross"], events[0]["counted_cash"]) == (1, 8180, 11_900)
    assert raw.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'shift.close'").fetchone()[0] == 1

    again = close_shift(till, shift, staff["cashier"].id, counted_cash=0)
    assert (again.z_no, again.counted_cash) == (1, 11_900)
    assert raw.execute("SELECT COUNT(*) FROM outbox WHERE type = 'shift.closed'").fetchone()[0] == 1
    assert x_report(till, shift).counted_cash == 11_900  # a report of a closed shift still works

    second = open_shift(till, staff["cashier"].id, 0)
    assert second != shift
    assert close_shift(till, second, staff["cashier"].id, 0).z_no == 2


def test_one_open_shift_per_till(till: TillContext, staff: dict[str, Any]) -> None:
    open_shift(till, staff["cashier"].id, 0)
    with pytest.raises(Refused) as exc:
        open_shift(till, staff["supervisor"].id, 0)
    assert exc.value.code == "shift_open"


def test_shift_errors(till: TillContext, staff: dict[str, Any]) -> None:
    with pytest.raises(Refused):
        open_shift(till, staff["cashier"].id, -1)
    assert current_shift(till) is None
    with pytest.raises(NotFound):
        x_report(till, ShiftId(new_id()))
    with pytest.raises(NotFound):
        close_shift(till, ShiftId(new_id()), staff["cashier"].id, 0)


def test_receipt_of_a_stored_sale(till: TillContext, staff: dict[str, Any]) -> None:
    done = sell(till, staff, ((MILK, 2), (YOGURT, 1)), tenders=(Tender("cash", 5000),))
    for ref in (done.receipt_no, str(done.sale_id), "last"):
        r = receipt_for(till, ref)
        assert r.receipt_no == done.receipt_no
        assert [ln.sku for ln in r.lines] == [MILK, YOGURT]
        assert (r.totals.total_due, r.totals.change_due) == (3230, 1770)
        assert r.feedback_url == done.feedback_url


# ------------------------------------------------------------------------------ audit log


def test_every_entry_carries_the_hash_of_the_one_before(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _busy_shift(till, staff)
    rows = raw.execute("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq").fetchall()
    assert len(rows) >= 8
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    report = verify_audit(till)
    assert report.ok and report.entries == len(rows)


def test_verify_finds_an_edited_entry(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _busy_shift(till, staff)
    seq, details = raw.execute("SELECT seq, details FROM audit_log WHERE action = 'sale.refund'").fetchone()
    changed = json.loads(details)
    changed["money"] = 1
    raw.execute("UPDATE audit_log SET details = ? WHERE seq = ?", (json.dumps(changed), seq))
    raw.commit()
    report = verify_audit(till)
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == [(seq, "edited")]


def test_verify_finds_a_swapped_approver(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _busy_shift(till, staff)
    seq = raw.execute("SELECT seq FROM audit_log WHERE action = 'sale.refund'").fetchone()[0]
    raw.execute("UPDATE audit_log SET approver_id = ? WHERE seq = ?", (uuid_hex(staff["manager"].id), seq))
    raw.commit()
    assert [(p.seq, p.kind) for p in verify_audit(till).problems] == [(seq, "edited")]


def test_verify_finds_a_deleted_middle_entry(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _busy_shift(till, staff)
    total = raw.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    middle = total // 2
    raw.execute("DELETE FROM audit_log WHERE seq = ?", (middle,))
    raw.commit()
    report = verify_audit(till)
    assert report.entries == total - 1
    assert [(p.seq, p.kind) for p in report.problems] == [(middle, "deleted")]


def test_verify_finds_a_rewritten_entry_with_a_fresh_hash(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    # A forger who recomputes the edited entry's own hash still breaks the next entry's link.
    from app.services.audit import _record
    from app.store.orm import AuditRow

    _busy_shift(till, staff)
    seq = raw.execute("SELECT seq FROM audit_log WHERE action = 'sale.complete' ORDER BY seq").fetchone()[0]
    with till.uow(write=False) as uow:
        rec = _record(uow.session.get_one(AuditRow, seq))
    new_hash = dataclasses.replace(rec, details={"total_due": 1}).computed_hash()
    assert new_hash != rec.hash
    raw.execute(
        "UPDATE audit_log SET details = ?, hash = ? WHERE seq = ?",
        (json.dumps({"total_due": 1}), new_hash, seq),
    )
    raw.commit()
    problems = [(p.seq, p.kind) for p in verify_audit(till).problems]
    assert problems == [(seq + 1, "broken_link")]


def test_new_entries_after_the_log_is_checked_still_chain(till: TillContext, staff: dict[str, Any]) -> None:
    _busy_shift(till, staff)
    before = verify_audit(till)
    sell(till, staff)
    after = verify_audit(till)
    assert before.ok and after.ok and after.entries == before.entries + 1


@pytest.mark.parametrize("removed", [1, 3])
def test_verify_finds_deleted_newest_entries(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection, removed: int
) -> None:
    # The chain that is left is valid as far as it goes; the head kept beside it is not.
    _busy_shift(till, staff)
    last = raw.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    raw.execute("DELETE FROM audit_log WHERE seq > ?", (last - removed,))
    raw.commit()
    report = verify_audit(till)
    assert [(p.seq, p.kind) for p in report.problems] == [(last - removed + 1, "deleted")]
    assert report.entries == last - removed
