"""A till's manual discounts and price overrides: the sale always stands, the server checks
the approver (a supervisor or manager HQ knows at that store) and the program's limit against
HQ's list price, and records what it cannot justify as a `manual_price_unjustified` conflict."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import pytest

from app.domain.ids import new_id
from server.models import Product, Sale
from tests.server.evil.support import conflicts, enrolled, results
from tests.server.evil.test_points_and_coupons import _supervisor
from tests.server.support import ServerProcess, Till, session_for

pytestmark = pytest.mark.postgres


def _sale(
    t: Till, sku: str, list_unit: int, unit: int, approver: uuid.UUID | None, **manual: Any
) -> dict[str, Any]:
    ev = t.sale(total=unit)
    line = ev["payload"]["lines"][0]
    line.update(sku=sku, list_total=unit, line_total=unit, net=unit)
    line["manual"] = {
        "kind": "price",
        "value": unit,
        "reason": "Shelf label price",
        "list_unit": list_unit,
        "discount": list_unit - unit,
        "approval_id": str(uuid.uuid4()),
        "approver_id": str(approver) if approver else None,
        **manual,
    }
    ev["payload"]["subtotal"] = unit
    return ev


def _found(db_url: str, ev: dict[str, Any]) -> list[dict[str, Any]]:
    rows = conflicts(db_url, "manual_price_unjustified", sale_id=uuid.UUID(ev["payload"]["sale_id"]))
    return [dict(r.details) for r in rows]


def test_manual_prices_within_the_limit_of_a_known_supervisor_pass(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    boss = _supervisor(server, store_id)
    sku = f"X{secrets.token_hex(5)}"
    ok = _sale(t, sku, 1290, 1032, boss)  # exactly 20% under: a supervisor's limit
    raised = _sale(t, sku, 1290, 1500, boss)  # above the list price: not limited
    out = results(t, [ok, raised])
    assert [r["status"] for r in out] == ["applied", "applied"]
    assert "conflicts" not in out[0]["result"] and not _found(db_url, ok) and not _found(db_url, raised)


def test_what_the_server_cannot_justify_is_a_conflict_and_the_sale_stands(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    boss = _supervisor(server, store_id)
    sku = f"X{secrets.token_hex(5)}"
    unknown = _sale(t, sku, 1290, 1200, uuid.uuid4())  # nobody HQ knows approved it
    too_much = _sale(t, sku, 1290, 774, boss)  # 40% under: a supervisor may approve 20%
    no_reason = _sale(t, sku, 1290, 1200, boss, reason=" ")
    garbage = _sale(t, sku, 1290, 1200, boss, value="lots", discount=None, kind=["x"])
    out = results(t, [unknown, too_much, no_reason, garbage])
    assert all(r["status"] == "applied" for r in out)
    assert [c["fault"] for c in _found(db_url, unknown)] == ["approver_unknown"]
    (above,) = _found(db_url, too_much)
    assert above["fault"] == "above_limit" and above["role"] == "supervisor"
    assert above["percent_below_list"] == "40.00" and above["limit_percent"] == 20
    assert [c["fault"] for c in _found(db_url, no_reason)] == ["not_a_change"]
    assert [c["fault"] for c in _found(db_url, garbage)] == ["unreadable_line"]
    db, s = session_for(db_url)
    with s:
        sale = s.get_one(Sale, uuid.UUID(too_much["payload"]["sale_id"]))
        assert sale.total_due == 774 and sale.flagged  # recorded as the till said, flagged
    db.dispose()


def test_the_list_price_is_hqs_when_hq_knows_the_item(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    manager = _supervisor(server, store_id, role="manager")
    sku = f"X{secrets.token_hex(5)}"
    db, s = session_for(db_url)
    with s:
        s.add(
            Product(
                id=new_id(),
                sku=sku,
                name_zh="牛奶",
                name_en="Milk",
                category="dairy",
                unit_price=1290,
                member_price=None,
            )
        )
        s.commit()
    db.dispose()
    claims_less = _sale(t, sku, 500, 400, manager)  # "20% off ¥5.00": HQ sells it at ¥12.90
    out = results(t, [claims_less])
    assert out[0]["status"] == "applied"
    (found,) = _found(db_url, claims_less)
    assert (
        found["fault"] == "above_limit" and found["list_unit"] == 1290 and found["claimed_list_unit"] == 500
    )
