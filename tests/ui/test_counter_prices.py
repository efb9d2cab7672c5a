"""Weighed goods and manual price changes, driven with keys: a scale label becomes a line
with its weight and price per kg; Ctrl+D asks for a percent or a new price, a reason and a
supervisor, refuses what the supervisor's role may not approve, and the sale is paid at the
changed price, shown on screen and on the receipt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.ids import new_id
from app.domain.scan import weighed_code
from app.services.context import TillContext
from app.services.receipts import receipt_for
from app.store import orm
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.main_window import MainWindow

MILK, APPLES = "6901234567892", "10001"
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot: QtBot, services, staff, products, till: TillContext) -> MainWindow:  # type: ignore[no-untyped-def]
    with till.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=APPLES,
                name_zh="苹果 (称重)",
                name_en="Apples (by weight)",
                category="fruit",
                unit_price=2980,
                member_price=None,
                active=True,
            )
        )
        uow.commit()
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.start()
    sign_in(qtbot, w)
    return w


def _cells(w: MainWindow, row: int) -> list[str]:
    m = w.checkout.model
    return [m.data(m.index(row, c)) for c in range(5)]


def test_a_scale_label_and_a_supervisor_approved_discount(qtbot: QtBot, window: MainWindow, till) -> None:  # type: ignore[no-untyped-def]
    co = window.checkout
    type_enter(qtbot, co.scan, weighed_code("28", APPLES, 512))  # 0.512 kg
    type_enter(qtbot, co.scan, weighed_code("28", APPLES, 250))  # a second label: its own line
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window) and len(co.state.lines) == 3, timeout=WAIT_MS)
    first = _cells(window, 0)
    assert "0.512 kg × ¥29.80/kg" in first[0] and first[4] == "¥15.26"
    assert co.state.priced is not None and co.state.priced.quote.lines[1].line_total == 745
    co.table.selectRow(2)
    key(qtbot, co.scan, Qt.Key.Key_D, CTRL)
    dialog = co.dialog
    assert dialog is not None and dialog.objectName() == "priceChange"
    qtbot.waitUntil(dialog.value.hasFocus, timeout=WAIT_MS)
    type_enter(qtbot, dialog.value, "30")  # 30% off: more than a supervisor may approve
    qtbot.keyClick(dialog.login, Qt.Key.Key_Down)  # the reason, from the supervisor's field
    type_enter(qtbot, dialog.login, "2001")
    type_enter(qtbot, dialog.pin, "5678")
    qtbot.waitUntil(lambda: "at most 20%" in dialog.message.text(), timeout=WAIT_MS)
    dialog.value.clear()
    qtbot.keyClicks(dialog.value, "10")
    type_enter(qtbot, dialog.pin, "5678")
    qtbot.waitUntil(lambda: co.dialog is None and priced(window), timeout=WAIT_MS)
    assert co.state.lines[2].manual is not None
    assert co.state.lines[2].manual.change.reason == "Close to its expiry date"
    milk = _cells(window, 2)
    assert milk[2:] == ["¥12.90", "-¥1.29", "¥11.61"]
    assert "-10%" in milk[0] and "Close to its expiry date" in milk[0]
    assert "Price changed" in co.message.text()
    assert co.state.priced.quote.total_due == 1526 + 745 + 1161
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: co.last_sale is not None, timeout=WAIT_MS)
    receipt = receipt_for(till, co.last_receipt)
    notes = [ln.note for ln in receipt.lines]
    assert "0.512 kg × ¥29.80/kg" in notes[0] and "-10%" in notes[2]


def test_a_price_change_needs_a_line_and_a_valid_amount(qtbot: QtBot, window: MainWindow) -> None:
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_D, CTRL)
    assert co.dialog is None and "Scan the items first" in co.message.text()
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_D, CTRL)
    dialog = co.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.value.hasFocus, timeout=WAIT_MS)
    key(qtbot, dialog.value, Qt.Key.Key_D, CTRL)  # Ctrl+D again: a new price instead
    assert dialog.kind == "price"
    type_enter(qtbot, dialog.value, "abc")
    assert dialog.message.text() == "Type the new price in yuan."
    dialog.value.clear()
    type_enter(qtbot, dialog.value, "11.50")
    assert dialog.login.hasFocus()
    type_enter(qtbot, dialog.login, "2001")
    type_enter(qtbot, dialog.pin, "5678")
    qtbot.waitUntil(lambda: co.dialog is None and priced(window), timeout=WAIT_MS)
    assert co.state.priced is not None and co.state.priced.quote.total_due == 1150
    key(qtbot, co.scan, Qt.Key.Key_2)  # a typed quantity keeps the approved price
    key(qtbot, co.scan, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: priced(window) and co.state.lines[0].qty == 2, timeout=WAIT_MS)
    assert co.state.priced is not None and co.state.priced.quote.total_due == 2300
