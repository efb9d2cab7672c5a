"""A till refunds only a sale the server holds, of its own store, and never more money,
quantity or points than remain of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from server.models import Refund
from tests.server.evil.support import balance, conflicts, enrolled, parked_reason, results
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres


def _refund(
    t: Till, sale: dict[str, Any], money: int, qty: int = 1, reversed_: int = 0, given_back: int = 0
) -> dict[str, Any]:
    p = sale["payload"]
    return t.event(
        "refund.completed",
        {
            "refund_id": str(uuid.uuid4()),
            "sale_id": p["sale_id"],
            "member_id": p["member_id"],
            "at": p["at"],
            "money": money,
            "full": False,
            "points_reversed": reversed_,
            "points_given_back": given_back,
            "coupons_returned": [],
            "receipt_no": p["receipt_no"],
            "lines": {"1": qty},
            "refund_lines": [{"line_no": 1, "qty": qty, "money": money}],
        },
    )


def _refunds_of(db_url: str, sale: dict[str, Any]) -> int:
    db, s = session_for(db_url)
    with s:
        n = s.execute(
            select(func.count())
            .select_from(Refund)
            .where(Refund.sale_id == uuid.UUID(sale["payload"]["sale_id"]))
        ).scalar_one()
    db.dispose()
    return int(n)


def test_refund_of_another_stores_sale_with_a_fortune_is_refused(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    home = enrolled(server, db_url, store_id)
    evil = enrolled(server, db_url, store_id + "e")
    mid = uuid.uuid4()
    sale = home.sale(mid, total=5000)
    home.push([home.registration(random_phone(), mid), sale])
    assert balance(db_url, mid) == 50
    forged = _refund(evil, sale, money=10**12, given_back=10**9)
    unknown = _refund(evil, evil.sale(mid), money=100)  # a sale the server never received
    honest_sale = evil.sale(None, total=700)
    out = results(evil, [forged, unknown, honest_sale])
    assert [r["status"] for r in out] == ["rejected", "rejected", "applied"]
    assert out[0]["reason"] == "refund_of_another_stores_sale"
    assert out[1]["reason"] == "refund_of_unknown_sale"
    assert parked_reason(db_url, forged) == "refund_of_another_stores_sale"
    assert _refunds_of(db_url, sale) == 0
    assert balance(db_url, mid) == 50


def test_refund_beyond_what_remains_of_the_sale(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    sale = t.sale(mid, total=5000)  # one line of 5 units at 10 yuan, 50 points
    sale["payload"]["lines"][0]["qty"] = 5
    t.push([t.registration(random_phone(), mid), sale])
    too_much_money = _refund(t, sale, money=5001)
    too_many_units = _refund(t, sale, money=100, qty=6)
    too_many_points = _refund(t, sale, money=2000, qty=2, reversed_=20, given_back=10**9)
    rest = _refund(t, sale, money=3000, qty=3, reversed_=10**6)
    then_nothing_left = _refund(t, sale, money=1)
    out = results(t, [too_much_money, too_many_units, too_many_points, rest, then_nothing_left])
    assert [r["status"] for r in out] == ["rejected", "rejected", "applied", "applied", "rejected"]
    assert out[0]["reason"] == "refund_exceeds_sale:money"
    assert out[1]["reason"] == "refund_exceeds_sale:quantity"
    assert out[4]["reason"] == "refund_exceeds_sale:money"
    # Points: 20 of the sale's 50 taken back, none given back (it redeemed none), then the 30 left.
    assert balance(db_url, mid) == 0
    held = conflicts(db_url, "refund_points_held", sale_id=uuid.UUID(sale["payload"]["sale_id"]))
    assert sorted(c.details["claimed_reversed"] for c in held) == [20, 10**6]
    assert _refunds_of(db_url, sale) == 2


def test_the_refund_reason_is_stored_and_a_bad_one_refused(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    sale = t.sale(mid, total=5000)
    sale["payload"]["lines"][0]["qty"] = 5
    t.push([t.registration(random_phone(), mid), sale])
    with_reason = _refund(t, sale, money=1000)
    with_reason["payload"].update(reason="other", reason_note="the seal was broken")
    too_long = _refund(t, sale, money=1000)
    too_long["payload"].update(reason="x" * 33)
    before_reasons = _refund(t, sale, money=1000)  # a till from before reasons sends none
    out = results(t, [with_reason, too_long, before_reasons])
    assert [r["status"] for r in out] == ["applied", "rejected", "applied"]
    db, s = session_for(db_url)
    with s:
        rows = {
            str(r.id): (r.reason, r.reason_note)
            for r in s.execute(
                select(Refund).where(Refund.sale_id == uuid.UUID(sale["payload"]["sale_id"]))
            ).scalars()
        }
    db.dispose()
    assert rows == {
        with_reason["payload"]["refund_id"]: ("other", "the seal was broken"),
        before_reasons["payload"]["refund_id"]: ("", ""),
    }
