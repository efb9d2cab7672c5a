"""Points and coupons, driven with keys: F5 shows the points and the money before applying,
takes a typed amount; a coupon that cannot or would not give anything is refused with the
reason and stays unused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.ids import new_id
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.context import TillContext
from app.services.members import RegisterMember, register_member
from app.store import orm
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.main_window import MainWindow
from ui.services import new_sale_id

MILK, YOGURT, WINE = "6901234567892", "6902345678901", "6904567890123"
PHONE = "13800138000"
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def member(till: TillContext, staff, products) -> tuple[object, str]:  # type: ignore[no-untyped-def]
    """A member with 1,280 points and the ¥10-off-from-¥50 welcome coupon."""
    reg = register_member(till, RegisterMember(phone=PHONE, consent_given=True, staff_id=staff["cashier"].id))
    complete_sale(
        till,
        CompleteSale(
            new_sale_id(),
            staff["cashier"].id,
            Cart((CartLine(WINE, 10),), member_id=reg.member.id),
            (Tender("card", 128_000),),
        ),
    )
    assert reg.welcome_coupon
    return reg.member.id, reg.welcome_coupon


@pytest.fixture
def window(qtbot: QtBot, services, member) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.start()
    sign_in(qtbot, w)
    return w


def _coupon_status(till: TillContext, code: str) -> str:
    with till.uow(write=False) as uow:
        return uow.session.execute(select(orm.Coupon.status).where(orm.Coupon.code == code)).scalar_one()


def test_f5_shows_the_redemption_then_applies_it_and_takes_a_typed_amount(
    qtbot: QtBot, window: MainWindow
) -> None:
    co = window.checkout
    type_enter(qtbot, co.scan, WINE)
    type_enter(qtbot, co.scan, PHONE)
    qtbot.waitUntil(lambda: co.state.member is not None and priced(window), timeout=WAIT_MS)
    qtbot.keyClicks(co.scan, "¥5")
    key(qtbot, co.scan, Qt.Key.Key_F5)
    assert co.message.text() == "Redeem 500 points for ¥5.00? F5 applies, Esc cancels."
    assert co.message.property("kind") == "info" and co.state.redeem_points == 0
    key(qtbot, co.scan, Qt.Key.Key_Escape)  # cancelled: nothing applied, the message gone
    assert co.message.text() == "" and co.state.redeem_points == 0
    key(qtbot, co.scan, Qt.Key.Key_F5)
    assert co.state.redeem_points == 0  # a second F5 would apply it; Esc dropped the first
    qtbot.keyClicks(co.scan, "300")
    key(qtbot, co.scan, Qt.Key.Key_F5)
    assert "Redeem 300 points for ¥3.00?" in co.message.text()
    key(qtbot, co.scan, Qt.Key.Key_F5)
    qtbot.waitUntil(
        lambda: priced(window) and co.state.priced.quote.points_redeemed == 300,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    assert co.message.text() == "Redeeming 300 points (¥3.00)."
    assert co.state.total_due == 12_800 - 300
    qtbot.keyClicks(co.scan, "12.34")
    key(qtbot, co.scan, Qt.Key.Key_F5)  # not a whole step of 100 points
    assert co.message.property("kind") == "error" and "steps of 100" in co.message.text()


def test_a_coupon_below_its_minimum_spend_is_refused_with_the_reason_and_kept(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till, member
) -> None:
    _, code = member
    co = window.checkout
    type_enter(qtbot, co.scan, YOGURT)  # ¥6.50: the coupon wants ¥50
    type_enter(qtbot, co.scan, PHONE)
    qtbot.waitUntil(lambda: co.state.member is not None and priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_1, CTRL)
    qtbot.waitUntil(lambda: co.message.property("kind") == "error", timeout=WAIT_MS)
    assert co.message.text() == (
        f"Coupon {code} not applied: the items it applies to do not reach "
        "its minimum spend. It is not used up."
    )
    assert co.state.coupons == []
    key(qtbot, co.scan, Qt.Key.Key_Return)  # paid
    qtbot.waitUntil(lambda: co.last_sale is not None, timeout=WAIT_MS)
    assert _coupon_status(till, code) == "issued"


def test_a_double_points_coupon_on_lines_already_doubled_is_refused_not_used(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till, member, clock
) -> None:
    member_id, _ = member
    now = clock()
    with till.uow() as uow:
        uow.session.add(
            orm.Promotion(
                id="dairy-x3",
                name="Dairy triple points",
                kind="points_multiplier",
                multiplier="3",
                categories=["dairy"],
                skus=[],
                starts=None,
                ends=None,
            )
        )
        uow.session.add(
            orm.Coupon(
                id=new_id(),
                code="CDOUBLE001",
                name="Double points",
                kind="points_multiplier",
                multiplier="2",
                categories=["dairy"],
                skus=[],
                member_id=member_id,
                valid_from=now - timedelta(days=1),
                valid_to=now + timedelta(days=30),
                issued_at=now,
                status="issued",
            )
        )
        uow.commit()
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, PHONE)
    qtbot.waitUntil(lambda: co.state.member is not None and priced(window), timeout=WAIT_MS)
    earned = co.state.priced.quote.points_earned  # type: ignore[union-attr]
    type_enter(qtbot, co.scan, "CDOUBLE001")
    qtbot.waitUntil(lambda: co.message.property("kind") == "error" and priced(window), timeout=WAIT_MS)
    assert co.message.text() == (
        "Coupon CDOUBLE001 not applied: it would give nothing on this sale "
        "(no money off, no extra points). It is not used up."
    )
    assert co.state.coupons == [] and co.state.priced.quote.points_earned == earned  # type: ignore[union-attr]
    key(qtbot, co.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: co.last_sale is not None, timeout=WAIT_MS)
    assert _coupon_status(till, "CDOUBLE001") == "issued"
