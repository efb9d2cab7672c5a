"""Sale control, driven with keys: a mistaken scan taken off alone, voiding the whole sale
(with a reason; a supervisor above the limit), suspend and recall across a restart, and
price check mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.context import TillContext, open_till
from app.store import orm
from tests.conftest import FAST_HASHER
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.main_window import MainWindow
from ui.services import TillServices
from ui.threadguard import GuiThreadGuard

MILK, YOGURT, WINE = "6901234567892", "6902345678901", "6904567890123"
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot: QtBot, services, staff, products) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.start()
    sign_in(qtbot, w)
    return w


def _voids(till: TillContext) -> list[tuple[object, dict]]:  # type: ignore[type-arg]
    with till.uow(write=False) as uow:
        return [
            (a.approver_id, a.details)
            for a in uow.session.execute(
                select(orm.AuditRow).where(orm.AuditRow.action == "cart.void")
            ).scalars()
        ]


def test_a_line_scanned_seconds_ago_comes_off_without_a_supervisor(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till
) -> None:
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, MILK)  # scanned twice by mistake
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F3)
    assert co.dialog is None  # no approval asked
    qtbot.waitUntil(
        lambda: [(ln.sku, ln.qty) for ln in co.state.lines] == [(MILK, 1)] and priced(window), timeout=WAIT_MS
    )
    assert co.message.text() == "Removed: 1 × 牛奶 Milk 1L."
    assert _voids(till) == [
        (None, {"whole_cart": False, "lines": [{"sku": MILK, "qty": 1}], "reason": "", "total": 0})
    ]


def test_voiding_a_small_sale_takes_a_reason_and_no_supervisor(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till
) -> None:
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, YOGURT)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F3, SHIFT)
    dialog = co.dialog
    assert dialog is not None and not dialog.login.isVisible()
    assert dialog.what.text() == "Void the whole sale (2 lines, ¥19.40)?"
    qtbot.keyClick(dialog.reasons, Qt.Key.Key_2)
    qtbot.keyClick(dialog.reasons, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not co.state.lines and co.dialog is None, timeout=WAIT_MS)
    assert co.message.text() == "Sale voided (2 lines, ¥19.40)."
    [(approver, details)] = _voids(till)
    assert approver is None and details["reason"] == "Customer cannot pay"
    assert details["whole_cart"] and details["total"] == 1940


def test_voiding_a_large_sale_needs_a_supervisor(qtbot: QtBot, window: MainWindow, till, staff) -> None:  # type: ignore[no-untyped-def]
    co = window.checkout
    type_enter(qtbot, co.scan, WINE)  # ¥128.00, above the ¥100 a cashier may void alone
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F3, SHIFT)
    dialog = co.dialog
    assert dialog is not None and dialog.login.isVisible()
    qtbot.keyClick(dialog.login, Qt.Key.Key_Down)  # the reason, from the supervisor's field
    type_enter(qtbot, dialog.login, "2001")
    type_enter(qtbot, dialog.pin, "5678")
    qtbot.waitUntil(lambda: not co.state.lines, timeout=WAIT_MS)
    [(approver, details)] = _voids(till)
    assert approver == staff["supervisor"].id and details["reason"] == "Customer cannot pay"


def test_suspended_sales_survive_a_restart_and_are_recalled(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till, violations, clock
) -> None:
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, "13800138000")  # not a member: refused, the cart stays
    type_enter(qtbot, co.scan, YOGURT)
    qtbot.waitUntil(lambda: priced(window) and len(co.state.lines) == 2, timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F11, SHIFT)
    qtbot.waitUntil(lambda: not co.state.lines, timeout=WAIT_MS)
    assert co.message.text() == "Sale suspended (¥19.40). Recall it with Shift+F11."
    type_enter(qtbot, co.scan, WINE)  # a second sale suspended too
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F11, SHIFT)
    qtbot.waitUntil(lambda: not co.state.lines, timeout=WAIT_MS)
    window.close()

    from hardware.printer.factory import make_printer

    again = open_till(Path(till.home), clock=clock, hasher=FAST_HASHER)  # the till restarted
    try:
        w = MainWindow(
            GuiThreadGuard(TillServices(again, make_printer(again.config.printer, again.home)), violations)
        )  # type: ignore[arg-type]
        qtbot.addWidget(w)
        w.show()
        w.start()
        sign_in(qtbot, w)
        co = w.checkout
        key(qtbot, co.scan, Qt.Key.Key_F11, SHIFT)
        dialog = co.dialog
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=WAIT_MS)
        assert "2 items" in dialog.list.item(0).text() and "¥19.40" in dialog.list.item(0).text()
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # the oldest
        qtbot.waitUntil(lambda: priced(w) and len(co.state.lines) == 2, timeout=WAIT_MS)
        assert [ln.sku for ln in co.state.lines] == [MILK, YOGURT]
        assert co.state.total_due == 1940
        key(qtbot, co.scan, Qt.Key.Key_F11, SHIFT)  # a cart on screen: suspended, not a recall
        qtbot.waitUntil(lambda: not co.state.lines, timeout=WAIT_MS)
        key(qtbot, co.scan, Qt.Key.Key_F11, SHIFT)
        qtbot.waitUntil(lambda: co.dialog is not None and co.dialog.list.count() == 2, timeout=WAIT_MS)
        co.dialog.reject()
    finally:
        from ui.ops import wait_idle

        wait_idle(10_000)
        again.close()


def test_price_check_shows_the_price_and_adds_nothing(qtbot: QtBot, window: MainWindow) -> None:
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert co.buttons["pricecheck"].isChecked()
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: "Price check: 牛奶 Milk 1L ¥12.90" in co.message.text(), timeout=WAIT_MS)
    assert not co.state.lines
    key(qtbot, co.scan, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    assert [ln.sku for ln in co.state.lines] == [MILK]
