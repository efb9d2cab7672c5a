"""The refund dialog driven as a cashier would: what is left per line, − / + / all, a reason,
the preview before confirming, the supervisor's PIN, the printed slip; an over-refund named;
the X and Z reports printed from the shift dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.ids import RefundId, new_id
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.context import TillContext
from app.services.refunds import RefundSale, refund_sale
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.main_window import MainWindow
from ui.refund_dialog import REASONS, RefundDialog
from ui.services import new_sale_id

MILK, WINE = "6901234567892", "6904567890123"


@pytest.fixture
def window(qtbot: QtBot, services, staff, products) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.start()
    return w


def _sell(till: TillContext, staff) -> str:  # type: ignore[no-untyped-def]
    done = complete_sale(
        till,
        CompleteSale(
            new_sale_id(),
            staff["cashier"].id,
            Cart((CartLine(MILK, 2), CartLine(WINE, 1))),
            (Tender("cash", 20_000),),
        ),
    )
    return done.receipt_no


def _open(qtbot: QtBot, window: MainWindow, receipt_no: str) -> RefundDialog:
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_F6)
    dialog = co.dialog
    assert isinstance(dialog, RefundDialog)
    type_enter(qtbot, dialog.ref, receipt_no)
    qtbot.waitUntil(lambda: dialog.sale is not None, timeout=WAIT_MS)
    return dialog


def _slips(home: Path) -> list[str]:
    return sorted(p.name for p in home.rglob("R-*.png"))


def test_refund_one_of_two_with_a_reason_then_one_is_left(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till, staff
) -> None:
    receipt_no = _sell(till, staff)
    sign_in(qtbot, window)
    dialog = _open(qtbot, window, receipt_no)
    milk = dialog.qty[0]
    assert milk.maximum() == 2 and "2 left" in dialog.lines.grid.itemAtPosition(1, 1).widget().text()
    for button in (milk.minus, milk.plus, milk.all):
        assert button.height() >= 44 and button.width() >= 44
    qtbot.mouseClick(milk.plus, Qt.MouseButton.LeftButton)
    assert milk.value() == 1
    qtbot.waitUntil(lambda: "¥12.90" in dialog.preview_label.text(), timeout=WAIT_MS)  # 1 milk, list price
    dialog.reason.setCurrentIndex([code for code, _ in REASONS].index("other"))
    type_enter(qtbot, dialog.login, "2001")
    qtbot.keyClicks(dialog.pin, "5678")
    key(qtbot, dialog.pin, Qt.Key.Key_F12)
    assert "few words" in dialog.message.text() and dialog.done_refund is None  # "other" needs words
    qtbot.keyClicks(dialog.note, "seal broken")
    key(qtbot, dialog.note, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: dialog.done_refund is not None, timeout=WAIT_MS)
    assert dialog.done_refund.money == 1290
    qtbot.waitUntil(lambda: "slip printed" in dialog.message.text(), timeout=WAIT_MS)
    assert len(_slips(till.home)) == 1
    key(qtbot, dialog.ref, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.checkout.dialog is None, timeout=WAIT_MS)
    with till.uow(write=False) as uow:
        from app.store import orm

        row = uow.session.get_one(orm.Refund, dialog.done_refund.refund_id)
        assert (row.reason, row.reason_note) == ("other", "seal broken")

    again = _open(qtbot, window, receipt_no)  # the sale reopened: 1 milk left, not "sold 2"
    assert again.qty[0].maximum() == 1 and again.qty[1].maximum() == 1
    assert "1 left" in again.lines.grid.itemAtPosition(1, 1).widget().text()
    again.reject()


def test_an_over_refund_names_the_item(qtbot: QtBot, window: MainWindow, till, staff) -> None:  # type: ignore[no-untyped-def]
    receipt_no = _sell(till, staff)
    sign_in(qtbot, window)
    dialog = _open(qtbot, window, receipt_no)
    key(qtbot, dialog.login, Qt.Key.Key_F2)  # everything
    qtbot.waitUntil(lambda: "¥153.80" in dialog.preview_label.text(), timeout=WAIT_MS)
    assert "whole sale" in dialog.preview_label.text()
    key(qtbot, dialog.reason, Qt.Key.Key_1)  # the reason by its number: wrong item
    assert dialog.reason_code() == "wrong_item" and dialog.reason.currentText().startswith("1")
    refund_sale(  # meanwhile, at the service desk, one milk comes back
        till,
        RefundSale(
            RefundId(new_id()), receipt_no, {1: 1}, staff["cashier"].id, staff["supervisor"].id, "5678"
        ),
    )
    type_enter(qtbot, dialog.login, "2001")
    qtbot.keyClicks(dialog.pin, "5678")
    key(qtbot, dialog.pin, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: "left to refund" in dialog.message.text(), timeout=WAIT_MS)
    assert "Milk" in dialog.message.text() and "only 1" in dialog.message.text()
    assert dialog.done_refund is None
    dialog.reject()


def test_x_and_z_reports_are_printed_from_the_shift_dialog(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till
) -> None:
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: co.last_sale is not None, timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F11)
    d = co.dialog
    assert d is not None
    qtbot.waitUntil(lambda: d.report is not None, timeout=WAIT_MS)
    key(qtbot, d.counted, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: "X report printed" in d.message.text(), timeout=WAIT_MS)
    assert [p.name for p in Path(till.home).rglob("X-*.png")]
    type_enter(qtbot, d.counted, "212.90")
    qtbot.waitUntil(lambda: "Z report printed" in d.message.text(), timeout=WAIT_MS)
    assert [p.name for p in Path(till.home).rglob("Z0001.png")]
    assert "sign out" in d.message.text()


def test_a_receipt_with_one_unit_left_has_it_chosen(qtbot: QtBot, window: MainWindow, till, staff) -> None:  # type: ignore[no-untyped-def]
    done = complete_sale(
        till,
        CompleteSale(
            new_sale_id(), staff["cashier"].id, Cart((CartLine(WINE, 1),)), (Tender("cash", 20_000),)
        ),
    )
    sign_in(qtbot, window)
    dialog = _open(qtbot, window, done.receipt_no)
    assert dialog.lines.chosen() == {1: 1}  # the one bottle, without F2
    qtbot.waitUntil(lambda: "¥128.00" in dialog.preview_label.text(), timeout=WAIT_MS)
    qtbot.mouseClick(dialog.qty[0].minus, Qt.MouseButton.LeftButton)  # the cashier can still take it off
    assert dialog.lines.chosen() == {}
    dialog.reject()
    two = _open(qtbot, window, _sell(till, staff))  # three units left: the cashier chooses
    assert two.lines.chosen() == {}
    two.reject()
