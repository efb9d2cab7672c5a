"""Fixtures for the sync tests: a stand-in server on loopback and a till enrolled with it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.ids import new_id
from app.domain.members import make_card_number
from app.services.checkout import Cart, CartLine, CompleteSale, SaleDone, Tender, complete_sale
from app.services.context import TillContext
from app.services.members import RegisterMember, Registration, register_member
from sync import lookup as lookup_threads
from sync.enrol import enrol
from sync.worker import SyncWorker, WorkerSettings
from tests.sync.standin import StandIn

MILK, YOGURT, RICE, WINE = "6901234567892", "6902345678901", "6903456789012", "6904567890123"

FAST = WorkerSettings(
    interval_s=30.0,
    backoff_base_s=0.05,
    backoff_max_s=0.4,
    batch_size=50,
    pull_limit=50,
    connect_timeout_s=1.0,
    read_timeout_s=3.0,
)


@pytest.fixture(autouse=True)
def _no_threads_left() -> Iterator[None]:
    yield
    lookup_threads.shutdown()
    left = [t.name for t in threading.enumerate() if t.name.startswith(("till-sync", "till-lookup"))]
    assert left == []


@pytest.fixture
def server() -> Iterator[StandIn]:
    s = StandIn().start()
    yield s
    s.stop()


@pytest.fixture
def enrolled(till: TillContext, server: StandIn) -> TillContext:
    enrol(till, server.url, "ENROL-123456")
    return till


@pytest.fixture
def worker(enrolled: TillContext) -> Iterator[SyncWorker]:
    w = SyncWorker(enrolled, FAST)
    yield w
    w.stop()
    assert not any(t.name == "till-sync" for t in threading.enumerate())


def register(till: TillContext, staff: dict[str, Any], phone: str = "138 0013 8000") -> Registration:
    return register_member(
        till, RegisterMember(phone=phone, consent_given=True, staff_id=staff["cashier"].id)
    )


def sell(
    till: TillContext,
    staff: dict[str, Any],
    lines: tuple[tuple[str, int], ...] = ((MILK, 2),),
    member_id: Any = None,
    redeem_points: int = 0,
    coupons: tuple[str, ...] = (),
) -> SaleDone:
    cart = Cart(
        lines=tuple(CartLine(sku, qty) for sku, qty in lines),
        member_id=member_id,
        redeem_points=redeem_points,
        coupon_codes=coupons,
    )
    return complete_sale(
        till,
        CompleteSale(
            sale_id=new_id(), cashier_id=staff["cashier"].id, cart=cart, tenders=(Tender("cash", 10_000_000),)
        ),
    )


def member_data(
    member_id: Any = None, phone: str = "+8613900139000", serial: int = 77, **kw: Any
) -> dict[str, Any]:
    """A member row as the server sends it (the till's column names, JSON values)."""
    at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC).isoformat()
    data: dict[str, Any] = {
        "id": str(member_id or new_id()),
        "phone": phone,
        "card_no": make_card_number(2, serial),
        "name": "Server Member",
        "birthday": "1990-04-01",
        "family": None,
        "favourite_categories": ["dairy"],
        "consent_policy_version": "2026-01",
        "consent_at": at,
        "marketing_opt_in": False,
        "registered_at": at,
        "store_id": "S002",
        "tier": "silver",
        "last_purchase_at": None,
        "merged_into": None,
    }
    data.update(kw)
    return data


def ledger_data(member_id: Any, points: int, kind: str = "earn", **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(new_id()),
        "member_id": str(member_id),
        "kind": kind,
        "points": points,
        "at": datetime(2026, 6, 1, 8, 0, tzinfo=UTC).isoformat(),
        "expires_at": datetime(2027, 12, 31, 16, 0, tzinfo=UTC).isoformat(),
        "sale_id": None,
        "refund_id": None,
        "note": "",
    }
    data.update(kw)
    return data


def coupon_data(code: str, member_id: Any = None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(new_id()),
        "code": code,
        "name": "HQ coupon",
        "kind": "amount_off",
        "amount": 500,
        "percent": "0",
        "cap": None,
        "threshold": 0,
        "multiplier": "1",
        "gift_sku": None,
        "categories": [],
        "skus": [],
        "stackable": False,
        "member_only": member_id is not None,
        "member_id": str(member_id) if member_id else None,
        "valid_from": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "valid_to": datetime(2027, 1, 1, tzinfo=UTC).isoformat(),
        "status": "issued",
        "issued_reason": "hq",
        "issued_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "redeemed_sale_id": None,
    }
    data.update(kw)
    return data
