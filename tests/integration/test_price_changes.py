"""Weighed goods and manual price changes through the real use cases, on a real SQLite
till: the lines priced, stored, audited and sent as the server reads them."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from app.domain.ids import new_id
from app.domain.scan import classify_scan, weighed_code
from app.pricing.manual import ManualChange
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale, quote_cart
from app.services.context import TillContext
from app.services.errors import Refused
from app.services.members import RegisterMember, register_member
from app.services.price_changes import ApprovePriceChange, approve_price_change
from app.store import orm
from tests.integration.conftest import MILK, raw_db, uuid_hex

APPLES = "10001"  # a weighed product: its sku is the scale's PLU, its price per kg


@pytest.fixture
def apples(till: TillContext) -> str:
    with till.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=APPLES,
                name_zh="苹果 (称重)",
                name_en="Apples (by weight)",
                category="fruit",
                unit_price=2980,
                member_price=2680,
                active=True,
            )
        )
        uow.commit()
    return APPLES


def _pay(till: TillContext, staff: dict[str, Any], cart: Cart) -> Any:
    return complete_sale(
        till,
        CompleteSale(
            sale_id=new_id(), cashier_id=staff["cashier"].id, cart=cart, tenders=(Tender("cash", 10**6),)
        ),
    )


def _payload(till: TillContext) -> dict[str, Any]:
    conn = raw_db(till)
    row = conn.execute(
        "SELECT payload FROM outbox WHERE type = 'sale.completed' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return dict(json.loads(row["payload"]))


def test_a_weight_label_sells_its_weight_at_the_price_per_kg(till, staff, products, apples) -> None:  # type: ignore[no-untyped-def]
    scanned = classify_scan(weighed_code("28", APPLES, 512))
    assert scanned.weighed is not None
    line = CartLine(scanned.text, 1, grams=scanned.weighed.grams)
    priced = quote_cart(till, Cart(lines=(line, CartLine(MILK, 1))))
    q = priced.quote.lines[0]
    assert (q.qty, q.list_total, q.line_total) == (1, 1526, 1526)  # 0.512 kg × ¥29.80
    assert priced.details[0].grams == 512 and priced.details[0].per_kg == 2980
    done = _pay(till, staff, Cart(lines=(line,)))
    assert done.total_due == 1526
    lines = _payload(till)["lines"]
    assert lines[0]["grams"] == 512 and lines[0]["per_kg"] == 2980 and "manual" not in lines[0]
    conn = raw_db(till)
    stored = conn.execute("SELECT grams, per_kg, line_total FROM sale_lines").fetchone()
    conn.close()
    assert tuple(stored) == (512, 2980, 1526)


def test_a_price_label_sells_the_printed_price(till, staff, products, apples) -> None:  # type: ignore[no-untyped-def]
    scanned = classify_scan(weighed_code("20", APPLES, 1490))
    assert scanned.weighed is not None and scanned.weighed.price == 1490
    priced = quote_cart(till, Cart(lines=(CartLine(APPLES, 1, scale_price=1490),)))
    assert priced.quote.total_due == 1490
    assert priced.details[0].grams == 500  # ¥14.90 at ¥29.80/kg


def test_a_member_pays_the_member_price_per_kg_for_either_label(till, staff, products, apples) -> None:  # type: ignore[no-untyped-def]
    member = register_member(
        till, RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id)
    ).member.id
    by_price = quote_cart(till, Cart(lines=(CartLine(APPLES, 1, scale_price=1490),), member_id=member))
    q = by_price.quote.lines[0]
    assert (q.list_total, q.line_total) == (1490, 1340)  # ¥14.90 × ¥26.80/¥29.80 per kg
    assert by_price.quote.member_savings == 150
    by_weight = quote_cart(till, Cart(lines=(CartLine(APPLES, 1, grams=500),), member_id=member))
    assert by_weight.quote.lines[0].line_total == 1340  # the same 500 g, by its weight
    walk_in = quote_cart(till, Cart(lines=(CartLine(APPLES, 1, scale_price=1490),)))
    assert walk_in.quote.lines[0].line_total == 1490


def _approve(
    till: TillContext,
    staff: dict[str, Any],
    line: CartLine,
    change: ManualChange,
    who: str = "supervisor",
    pin: str = "5678",
    member: bool = False,
) -> Any:
    return approve_price_change(
        till, ApprovePriceChange(staff["cashier"].id, staff[who].id, pin, line, change, member)
    )


def test_a_supervisor_approved_discount_is_priced_stored_audited_and_sent(till, staff, products) -> None:  # type: ignore[no-untyped-def]
    change = ManualChange("discount", 10, "Damaged packaging")
    approved = _approve(till, staff, CartLine(MILK, 2), change)
    line = CartLine(MILK, 2, manual=approved)
    priced = quote_cart(till, Cart(lines=(line,)))
    q = priced.quote
    assert q.lines[0].line_total == 2 * 1161 and q.total_due == 2322
    assert priced.details[0].manual_discount == 2 * 129 and priced.details[0].list_unit == 1290
    done = _pay(till, staff, Cart(lines=(line,)))
    assert done.total_due == 2322
    sent = _payload(till)["lines"][0]["manual"]
    assert sent["kind"] == "discount" and sent["value"] == 10 and sent["reason"] == "Damaged packaging"
    assert sent["approver_id"] == str(staff["supervisor"].id) and sent["list_unit"] == 1290
    assert sent["discount"] == 258
    conn = raw_db(till)
    audit = conn.execute(
        "SELECT actor_id, approver_id, details FROM audit_log WHERE action = 'line.price_change'"
    ).fetchone()
    stored = conn.execute(
        "SELECT manual_kind, manual_value, manual_discount, approval_id FROM sale_lines"
    ).fetchone()
    conn.close()
    assert audit["approver_id"] == uuid_hex(staff["supervisor"].id)
    assert json.loads(audit["details"])["after"] == 1161
    assert tuple(stored) == ("discount", 10, 258, uuid_hex(approved.approval_id))
    with pytest.raises(Refused) as used:  # one approval, one sale
        _pay(till, staff, Cart(lines=(line,)))
    assert used.value.code == "approval_required"


def test_a_member_discount_starts_from_the_member_price_and_the_limit_from_the_list(
    till, staff, products
) -> None:  # type: ignore[no-untyped-def]
    # ¥11.90 member price is 7.75% under ¥12.90; 15% more is 21.6% under the list: too much for a supervisor
    with pytest.raises(Refused) as above:
        _approve(till, staff, CartLine(MILK, 1), ManualChange("discount", 15, "Damaged"), member=True)
    assert above.value.code == "above_limit"
    approved = _approve(
        till,
        staff,
        CartLine(MILK, 1),
        ManualChange("discount", 15, "Damaged"),
        who="manager",
        pin="9999",
        member=True,
    )
    assert approved.approver_id == staff["manager"].id


def test_what_an_approval_refuses(till, staff, products) -> None:  # type: ignore[no-untyped-def]
    override = ManualChange("price", 990, "Shelf label price")  # 23% under ¥12.90
    with pytest.raises(Refused) as above:
        _approve(till, staff, CartLine(MILK, 1), override)
    assert above.value.code == "above_limit"
    with pytest.raises(Refused) as wrong_pin:
        _approve(till, staff, CartLine(MILK, 1), ManualChange("price", 1100, "Shelf"), pin="0000")
    assert wrong_pin.value.code == "wrong_pin"
    with pytest.raises(Refused) as cashier:
        approve_price_change(
            till,
            ApprovePriceChange(
                staff["supervisor"].id, staff["cashier"].id, "1234", CartLine(MILK, 1), override, False
            ),
        )
    assert cashier.value.code == "cannot_approve"
    approved = _approve(till, staff, CartLine(MILK, 1), ManualChange("price", 1100, "Shelf"))
    forged = replace(approved, change=ManualChange("price", 100, "Shelf"))  # not what was approved
    with pytest.raises(Refused) as changed:
        _pay(till, staff, Cart(lines=(CartLine(MILK, 1, manual=forged),)))
    assert changed.value.code == "approval_required"
