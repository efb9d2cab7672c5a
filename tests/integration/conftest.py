"""Helpers for integration tests: everything runs on real SQLite files, through the migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import DB_NAME
from app.domain.ids import new_id
from app.services.checkout import Cart, CartLine, CompleteSale, SaleDone, Tender, complete_sale
from app.services.context import TillContext
from app.services.members import RegisterMember, Registration, register_member

MILK, YOGURT, RICE, WINE = "6901234567892", "6902345678901", "6903456789012", "6904567890123"


def raw_db(ctx_or_home: TillContext | Path) -> sqlite3.Connection:
    """A plain sqlite3 connection on the till's database file (no SQLAlchemy in between)."""
    home = ctx_or_home.home if isinstance(ctx_or_home, TillContext) else ctx_or_home
    conn = sqlite3.connect(home / DB_NAME)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture
def raw(till: TillContext) -> Iterator[sqlite3.Connection]:
    conn = raw_db(till)
    yield conn
    conn.close()


def uuid_hex(value: object) -> str:
    """How SQLAlchemy's Uuid type stores a uuid in SQLite: 32 hex digits, no hyphens."""
    return str(value).replace("-", "")


FEEDBACK_BASE = "http://127.0.0.1:8600/f/"


def mark_enrolled(till: TillContext, feedback_base: str = FEEDBACK_BASE) -> None:
    """What enrolment leaves behind for the receipts: the server's feedback page base (a till
    never enrolled prints no feedback QR, as one could not work)."""
    from app.store.sync_state import set_feedback_base

    with till.uow() as uow:
        set_feedback_base(uow.session, feedback_base)
        uow.commit()
    till.forget_feedback_base_url()


def register(
    till: TillContext, staff: dict[str, Any], phone: str = "138 0013 8000", **kw: Any
) -> Registration:
    return register_member(
        till, RegisterMember(phone=phone, consent_given=True, staff_id=staff["cashier"].id, **kw)
    )


def sell(
    till: TillContext,
    staff: dict[str, Any],
    lines: tuple[tuple[str, int], ...] = ((MILK, 2),),
    member_id: Any = None,
    coupons: tuple[str, ...] = (),
    redeem_points: int = 0,
    tenders: tuple[Tender, ...] | None = None,
    shift_id: Any = None,
    sale_id: Any = None,
) -> SaleDone:
    cart = Cart(
        lines=tuple(CartLine(sku, qty) for sku, qty in lines),
        member_id=member_id,
        coupon_codes=coupons,
        redeem_points=redeem_points,
    )
    return complete_sale(
        till,
        CompleteSale(
            sale_id=sale_id or new_id(),
            cashier_id=staff["cashier"].id,
            cart=cart,
            tenders=tenders or (Tender("cash", 10_000_000),),
            shift_id=shift_id,
        ),
    )


def points_sum(conn: sqlite3.Connection, member_id: Any) -> int:
    return int(
        conn.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE member_id = ?", (uuid_hex(member_id),)
        ).fetchone()[0]
    )


def outbox_types(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT type FROM outbox ORDER BY seq")]
