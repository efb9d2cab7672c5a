"""Suspend and recall at the service level: what the cart carried comes back whole (the
member and the code that identified them, coupons, points, a supervisor's price change), so
the sale paid after a recall is the sale that was put aside."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.domain.ids import new_id
from app.domain.staff import Role
from app.pricing.manual import ManualChange
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.context import TillContext
from app.services.errors import Refused
from app.services.members import RegisterMember, member_code, register_member
from app.services.price_changes import ApprovePriceChange, approve_price_change
from app.services.staff import add_staff
from app.services.suspended import SuspendSale, recall_sale, suspend_sale
from tests.integration.conftest import MILK, raw_db


def _cart(till: TillContext, staff: dict[str, Any]) -> Cart:
    member = register_member(
        till, RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id)
    ).member.id
    code = member_code(till, member)
    change = ManualChange("discount", 10, "Damaged packaging")
    approved = approve_price_change(
        till,
        ApprovePriceChange(
            staff["cashier"].id, staff["supervisor"].id, "5678", CartLine(MILK, 2), change, True
        ),
    )
    return Cart(lines=(CartLine(MILK, 2, manual=approved),), member_id=member, member_code=code)


def _pay(till: TillContext, cashier: Any, cart: Cart) -> Any:
    return complete_sale(
        till, CompleteSale(sale_id=new_id(), cashier_id=cashier, cart=cart, tenders=(Tender("cash", 10**6),))
    )


def test_a_recalled_sale_keeps_its_member_code_and_its_approved_price_change(till, staff, products) -> None:  # type: ignore[no-untyped-def]
    cart = _cart(till, staff)
    sid = suspend_sale(till, SuspendSale(staff["cashier"].id, cart, 2142))
    back = recall_sale(till, sid, staff["cashier"].id).cart
    assert back == cart  # the whole cart, the code and the approval included
    done = _pay(till, staff["cashier"].id, back)
    assert done.total_due == 2 * 1071  # 10 % off the member price ¥11.90
    conn = raw_db(till)
    payload = json.loads(
        conn.execute("SELECT payload FROM outbox WHERE type = 'sale.completed'").fetchone()["payload"]
    )
    conn.close()
    assert payload["member_code"] == cart.member_code  # the server may send the member to this store
    assert payload["lines"][0]["manual"]["approver_id"] == str(staff["supervisor"].id)


def test_a_price_change_approved_for_one_cashier_is_not_anothers(till, staff, products) -> None:  # type: ignore[no-untyped-def]
    cart = _cart(till, staff)
    sid = suspend_sale(till, SuspendSale(staff["cashier"].id, cart, 2142))
    other = add_staff(till, "1002", "Zhou Li", Role.CASHIER, "4321", actor_id=staff["manager"].id)
    back = recall_sale(till, sid, other.id).cart
    with pytest.raises(Refused) as refused:
        _pay(till, other.id, back)
    assert refused.value.code == "approval_required"
