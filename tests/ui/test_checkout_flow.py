"""Whole flows, driven with key clicks as a cashier would, on a real till (SQLite in a
temporary home, the file printer); every service call is checked to be off the GUI thread."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.money import format_fen
from app.domain.receipt import Receipt
from app.ports import PrintError, PrinterState
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.context import TillContext
from app.services.members import RegisterMember, member_code, register_member
from app.services.receipts import receipt_for
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.main_window import MainWindow
from ui.services import TillServices, new_sale_id
from ui.threadguard import GuiThreadGuard

MILK, YOGURT, RICE, WINE = "6901234567892", "6902345678901", "6903456789012", "6904567890123"


@pytest.fixture
def window(qtbot: QtBot, services, staff, products) -> MainWindow:  # type: ignore[no-untyped-def]
    return _open_window(qtbot, services)


def _open_window(qtbot: QtBot, services) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.start()
    return w


def _member_with_points(till: TillContext, staff) -> tuple[object, str]:  # type: ignore[no-untyped-def]
    reg = register_member(
        till,
        RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id, name="Chen"),
    )
    cart = Cart((CartLine(WINE, 10),), member_id=reg.member.id)
    complete_sale(till, CompleteSale(new_sale_id(), staff["cashier"].id, cart, (Tender("card", 128_000),)))
    assert reg.welcome_coupon
    return reg.member.id, reg.welcome_coupon


def test_a_member_sale_from_sign_in_to_printed_receipt(
    qtbot: QtBot,
    window: MainWindow,
    till,  # type: ignore[no-untyped-def]
    staff,
) -> None:
    member_id, coupon = _member_with_points(till, staff)
    sign_in(qtbot, window)
    co = window.checkout
    scan = co.scan
    assert window.focusWidget() is scan  # the focus the window gives back when active

    type_enter(qtbot, scan, MILK)
    type_enter(qtbot, scan, RICE)
    type_enter(qtbot, scan, MILK)  # a second milk adds to its line
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    assert [(ln.sku, ln.qty) for ln in co.state.lines] == [(MILK, 2), (RICE, 1)]
    assert co.model.data(co.model.index(0, 0)) == "牛奶 Milk 1L"

    type_enter(qtbot, scan, member_code(till, member_id))  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: co.state.member is not None and priced(window), timeout=WAIT_MS)
    assert co.panel.who.text().startswith("138****8000")
    assert "1,280 points" in co.panel.points.text()
    assert co.state.priced.quote.member_savings == 2 * 100 + 400  # type: ignore[union-attr]

    key(qtbot, scan, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # the first coupon
    qtbot.waitUntil(
        lambda: priced(window) and co.state.priced.quote.coupon_discount == 1000,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    assert co.state.coupons == [coupon]

    limit = co.redeem_limit()
    assert limit == 1200  # balance 1,280 in steps of 100; half the sale is more
    assert "1,200 points" in co.panel.redeem.text()
    key(qtbot, scan, Qt.Key.Key_F5)  # shows the most that can be redeemed, before applying
    assert co.message.text() == "Redeem 1,200 points for ¥12.00? F5 applies, Esc cancels."
    assert co.state.redeem_points == 0
    key(qtbot, scan, Qt.Key.Key_F5)  # applies it
    qtbot.waitUntil(
        lambda: priced(window) and co.state.priced.quote.points_redeemed == 1200,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    total = co.state.total_due
    assert total == 2 * 1190 + 4590 - 1000 - 1200

    type_enter_cash = "100"
    qtbot.keyClicks(scan, type_enter_cash)
    key(qtbot, scan, Qt.Key.Key_F8)
    assert co.state.tendered == 10_000
    assert co.tender_label.text() == "Pay by: Cash ¥100.00"
    assert co.change_label.isVisible()  # the change, large, before the sale completes
    assert co.change_label.text() == f"Change {format_fen(10_000 - total)}"
    key(qtbot, scan, Qt.Key.Key_Return)  # Enter on an empty scan field pays

    qtbot.waitUntil(
        lambda: co.last_receipt is not None and "Receipt printed" in co.message.text(), timeout=WAIT_MS
    )
    receipt = receipt_for(till, co.last_receipt)  # type: ignore[arg-type]
    assert receipt.totals.total_due == total
    assert receipt.totals.change_due == 10_000 - total
    assert receipt.points is not None and receipt.points.redeemed == 1200
    assert receipt.coupons == ((coupon, 1000),)
    out = Path(till.home) / "receipts"
    assert (out / f"{co.last_receipt}.bin").stat().st_size > 0
    assert (out / f"{co.last_receipt}.png").exists()
    assert not co.state.lines and co.state.member is None
    assert window.focusWidget() is scan  # the focus the window gives back when active


def test_five_wrong_pins_lock_the_cashier_out(qtbot: QtBot, window: MainWindow) -> None:
    view = window.login
    qtbot.keyClicks(view.login, "1001")
    for attempt in range(1, 6):
        view.pin.clear()
        qtbot.keyClicks(view.pin, "0000")
        qtbot.keyClick(view.pin, Qt.Key.Key_Return)
        expected = f"{5 - attempt} tries left" if attempt < 5 else "locked"
        qtbot.waitUntil(lambda e=expected: e in view.message.text(), timeout=WAIT_MS)
    qtbot.keyClicks(view.pin, "1234")  # the right PIN no longer helps
    qtbot.keyClick(view.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)
    assert "locked" in view.message.text()
    assert window.pages.currentWidget() is view


def test_the_keypad_types_the_pin(qtbot: QtBot, window: MainWindow) -> None:
    view = window.login
    qtbot.keyClicks(view.login, "1001")
    qtbot.keyClick(view.login, Qt.Key.Key_Return)
    assert view.keypad.target is view.pin
    for digit in "1234":
        qtbot.mouseClick(view.keypad.buttons[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.pages.currentIndex() == 1, timeout=WAIT_MS)


@pytest.fixture
def strict_window(qtbot: QtBot, till: TillContext, staff, products, violations) -> MainWindow:  # type: ignore[no-untyped-def]
    """The window of a till where every removal needs a supervisor (`[checkout]
    remove_alone_within_s = 0`): the same store, opened with that setting."""
    from dataclasses import replace

    from app.config import CheckoutConfig
    from hardware.printer.factory import make_printer
    from ui.services import TillServices
    from ui.threadguard import GuiThreadGuard

    strict = replace(
        till, config=till.config.model_copy(update={"checkout": CheckoutConfig(remove_alone_within_s=0)})
    )
    services = GuiThreadGuard(
        TillServices(strict, make_printer(strict.config.printer, strict.home)), violations
    )
    return _open_window(qtbot, services)


def test_removing_a_line_needs_a_supervisor(qtbot: QtBot, strict_window: MainWindow) -> None:
    window = strict_window
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, YOGURT)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F3)  # the selected (last) line
    dialog = co.dialog
    assert dialog is not None
    type_enter(qtbot, dialog.login, "1001")  # the cashier cannot approve their own void
    type_enter(qtbot, dialog.pin, "1234")
    qtbot.waitUntil(lambda: "Another staff member" in dialog.message.text(), timeout=WAIT_MS)
    dialog.login.clear()
    type_enter(qtbot, dialog.login, "2001")
    type_enter(qtbot, dialog.pin, "5678")
    qtbot.waitUntil(lambda: [ln.sku for ln in co.state.lines] == [MILK] and priced(window), timeout=WAIT_MS)
    assert co.dialog is None


def test_unknown_barcode_is_not_added(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    type_enter(qtbot, co.scan, "6900000000000")
    qtbot.waitUntil(lambda: "Unknown barcode 6900000000000" in co.message.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    assert [ln.sku for ln in co.state.lines] == [MILK]


def _sell(till: TillContext, staff) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    reg = register_member(
        till, RegisterMember(phone="13900139000", consent_given=True, staff_id=staff["cashier"].id)
    )
    done = complete_sale(
        till,
        CompleteSale(
            new_sale_id(),
            staff["cashier"].id,
            Cart((CartLine(MILK, 2), CartLine(WINE, 1)), member_id=reg.member.id),
            (Tender("cash", 20_000),),
        ),
    )
    return done.receipt_no, f"http://127.0.0.1:8600/f/{done.feedback_token}"  # as its QR reads


@pytest.mark.parametrize("by", ["receipt number", "receipt QR"])
def test_refund_with_a_supervisors_pin(qtbot: QtBot, window: MainWindow, till, staff, by: str) -> None:  # type: ignore[no-untyped-def]
    receipt_no, feedback_url = _sell(till, staff)
    sign_in(qtbot, window)
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_F6)
    dialog = co.dialog
    assert dialog is not None
    type_enter(qtbot, dialog.ref, receipt_no if by == "receipt number" else feedback_url)
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=WAIT_MS)
    assert dialog.receipt.receipt_no == receipt_no
    dialog.qty[1].setValue(1)  # the wine
    key(qtbot, dialog.login, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: "why" in dialog.message.text(), timeout=WAIT_MS)  # no reason yet
    dialog.reason.setCurrentIndex(1)  # damaged
    qtbot.waitUntil(lambda: "¥128.00" in dialog.preview_label.text(), timeout=WAIT_MS)
    type_enter(qtbot, dialog.login, "2001")
    qtbot.keyClicks(dialog.pin, "0000")
    key(qtbot, dialog.pin, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: "Wrong PIN" in dialog.message.text(), timeout=WAIT_MS)
    qtbot.keyClicks(dialog.pin, "5678")
    key(qtbot, dialog.pin, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: dialog.done_refund is not None, timeout=WAIT_MS)
    assert dialog.done_refund.money == 12_800
    assert "¥128.00" in dialog.message.text()
    key(qtbot, dialog.ref, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)


def test_register_a_walk_in_member(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window)
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_F4)
    d = co.dialog
    assert d is not None
    qtbot.keyClicks(d.phone, "1380013")
    assert "too short" in d.phone_state.text()
    qtbot.keyClicks(d.phone, "8001")
    assert "Valid" in d.phone_state.text()
    key(qtbot, d.phone, Qt.Key.Key_Return)
    assert "privacy policy" in d.message.text()  # no consent, no member
    assert "2026-01" in d.policy.text()
    key(qtbot, d.phone, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(d.name, "Zhou")
    key(qtbot, d.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.registration is not None, timeout=WAIT_MS)
    assert "Welcome coupon" in d.message.text()
    assert co.state.member is not None and co.state.member.masked_phone == "138****8001"
    key(qtbot, d.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)
    assert co.panel.coupon_buttons, "the welcome coupon is offered with a key"

    # The same phone again: the existing member is offered instead.
    co.state.set_member(None)
    key(qtbot, co.scan, Qt.Key.Key_F4)
    d2 = co.dialog
    assert d2 is not None and d2 is not d
    qtbot.keyClicks(d2.phone, "13800138001")
    key(qtbot, d2.phone, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, d2.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d2.existing is not None, timeout=WAIT_MS)
    key(qtbot, d2.phone, Qt.Key.Key_F1)
    assert co.state.member is not None and co.state.member.masked_phone == "138****8001"


class FlakyPrinter:
    """A ReceiptPrinter that fails (paper out) until told otherwise; keeps what it printed."""

    def __init__(self) -> None:
        self.fail = True
        self.printed: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> None:
        if self.fail:
            raise PrintError("paper_out", "Paper out.")
        self.printed.append(receipt)

    def status(self) -> PrinterState:
        return PrinterState.PAPER_OUT if self.fail else PrinterState.ONLINE

    def kick_drawer(self) -> None:
        pass


def test_a_failed_print_keeps_the_sale_and_offers_a_reprint(
    qtbot: QtBot,
    till,
    staff,
    products,  # type: ignore[no-untyped-def]
    violations,
) -> None:
    printer = FlakyPrinter()
    w = MainWindow(GuiThreadGuard(TillServices(till, printer), violations))  # type: ignore[arg-type]
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    w.start()
    sign_in(qtbot, w)
    co = w.checkout
    type_enter(qtbot, co.scan, YOGURT)
    qtbot.waitUntil(lambda: priced(w), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F9)  # card
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: co.print_failed, timeout=WAIT_MS)
    assert "out of paper" in co.message.text() and "F7" in co.message.text()
    assert co.reprint_button.isVisibleTo(co)
    assert receipt_for(till, co.last_receipt).totals.payments == (("card", 650),)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: "out of paper" in w.status.printer.text(), timeout=WAIT_MS)

    printer.fail = False
    key(qtbot, co.scan, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: not co.print_failed and bool(printer.printed), timeout=WAIT_MS)
    assert printer.printed[0].receipt_no == co.last_receipt
    assert not co.reprint_button.isVisibleTo(co)


def test_a_failed_sale_keeps_its_sale_id_for_the_retry(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    sale_id = co.state.sale_id
    qtbot.keyClicks(co.scan, "1")  # ¥1 cash for ¥12.90: refused before anything is stored
    key(qtbot, co.scan, Qt.Key.Key_F8)
    key(qtbot, co.scan, Qt.Key.Key_F12)
    assert co.message.text() == "Not fully paid: ¥11.90 still to pay (total ¥12.90)."
    assert co.message.property("kind") == "error"
    key(qtbot, co.scan, Qt.Key.Key_F8)  # the rest in cash
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: co.last_sale is not None, timeout=WAIT_MS)
    assert co.last_sale.sale_id == sale_id  # type: ignore[union-attr]
    assert co.state.sale_id != sale_id


def test_close_the_shift_with_x_and_z_reports(qtbot: QtBot, window: MainWindow) -> None:
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
    assert d.report.expected_cash == 20_000 + 1290  # no member: the list price
    type_enter(qtbot, d.counted, "212.90")
    qtbot.waitUntil(lambda: d.z is not None, timeout=WAIT_MS)
    assert "Z report" in d.view.text() and d.z.over_short == 0
    key(qtbot, d.counted, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login, timeout=WAIT_MS)


def test_offline_the_cashier_can_redeem_only_up_to_the_offline_cap(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, till, staff
) -> None:
    from sync.enrol import enrol
    from sync.worker import SyncWorker
    from tests.sync.conftest import FAST
    from tests.sync.standin import StandIn

    server = StandIn().start()
    worker = SyncWorker(till, FAST)
    try:
        enrol(till, server.url, "ENROL-123456")
        member_id, _ = _member_with_points(till, staff)  # 1,280 points
        till.connection.attach(worker)
        assert worker.run_once().ok  # the server has the points: they are confirmed
        server.stop()
        assert not worker.run_once().ok and till.offline()
        cart = Cart((CartLine(WINE, 10),), member_id=member_id, redeem_points=300)  # type: ignore[arg-type]
        done = complete_sale(
            till, CompleteSale(new_sale_id(), staff["cashier"].id, cart, (Tender("cash", 200_000),))
        )
        assert done.points_earned > 1000

        sign_in(qtbot, window)
        co = window.checkout
        type_enter(qtbot, co.scan, WINE)
        type_enter(qtbot, co.scan, member_code(till, member_id))  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: co.state.member is not None and priced(window), timeout=WAIT_MS)
        # Confirmed 1,280, minus the 300 redeemed offline here: 980, so 900 in steps of 100.
        # The balance the till shows is over 2,000: the offline sale's points are not confirmed.
        assert co.state.member.points_balance > 2000  # type: ignore[union-attr]
        assert co.redeem_limit() == 900
        qtbot.keyClicks(co.scan, "1000")
        key(qtbot, co.scan, Qt.Key.Key_F5)
        assert "at most 900 points" in co.message.text() and co.state.redeem_points == 0
        key(qtbot, co.scan, Qt.Key.Key_F5)  # as much as allowed: shown
        key(qtbot, co.scan, Qt.Key.Key_F5)  # and applied
        qtbot.waitUntil(
            lambda: priced(window) and co.state.priced.quote.points_redeemed == 900,  # type: ignore[union-attr]
            timeout=WAIT_MS,
        )
    finally:
        till.connection.detach()
        worker.stop()
        server.stop()
