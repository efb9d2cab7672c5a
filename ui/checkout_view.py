"""The checkout: the screen the cashier lives in (the state and rules are in
``ui/checkout_controller.py``; this widget draws them and routes keys to them).

The scan field always has the focus: barcodes, member codes, cards, phone numbers, coupon
codes and amounts are all typed (or scanned) into it, and a function key says what to do
with a number (F2 quantity, F5 points, F8-F10 an amount paid). Every action returns the
focus to it. One message area under the scan field says what the last action did, in red
for a refusal, green for success; the next action clears it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.domain.ids import ShiftId
from ui.cart_model import CartModel
from ui.checkout_controller import CheckoutController
from ui.checkout_dialogs import CheckoutDialogs, render
from ui.checkout_text import (
    Message,
    payment_texts,
    raw,
    redeem_text,
    total_text,
    totals_rows,
    tx,
)
from ui.i18n import translator
from ui.ops import Op
from ui.services import StaffMember, TillServices

if TYPE_CHECKING:
    from ui.customer_display import CustomerDisplay
    from ui.services import SaleDone
    from ui.settings_dialog import TillHost

tr = translator("Checkout")


class CheckoutView(CheckoutDialogs):
    """Needs the signed-in cashier and the open shift (``start``)."""

    language_toggled = Signal()

    def __init__(self, services: TillServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.co = CheckoutController(services, self._run_op, self)
        self.model = CartModel(self.co)
        self.dialog: QWidget | None = None
        self.customer_display: CustomerDisplay | None = None
        self.host: TillHost | None = None  # camera and language, for the settings (main window)
        self._build()
        self.panel.on_history = self._wrap(self.member_history)
        self.retranslate()

    def _build(self) -> None:
        r = self._wrap
        ctrl, none = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.NoModifier
        shift = Qt.KeyboardModifier.ShiftModifier
        keys = [
            (Qt.Key.Key_Escape, none, self.escape),
            (Qt.Key.Key_Return, none, self.enter),
            (Qt.Key.Key_Enter, none, self.enter),
            (Qt.Key.Key_Up, none, lambda: self._move(-1)),
            (Qt.Key.Key_Down, none, lambda: self._move(1)),
            (Qt.Key.Key_L, ctrl, self.language_toggled.emit),
            (Qt.Key.Key_F, ctrl, r(self.lookup_member)),
            (Qt.Key.Key_S, ctrl, r(self.open_settings)),
            (Qt.Key.Key_F3, shift, r(self.void_sale)),
            (Qt.Key.Key_F11, shift, r(self.suspend_or_recall)),
            (Qt.Key.Key_K, ctrl, r(self.co.toggle_price_check)),
            (Qt.Key.Key_P, ctrl, r(self.find_item)),
            (Qt.Key.Key_D, ctrl, r(self.change_price)),
            (Qt.Key.Key_G, ctrl, r(self.gifts_for_points)),
            (Qt.Key.Key_H, ctrl, r(self.member_history)),
            (Qt.Key.Key_M, ctrl, r(self.toggle_customer_display)),
        ]
        keys += [(getattr(Qt.Key, f"Key_{n}"), ctrl, partial(self.coupon_key, n)) for n in range(1, 10)]
        self.build(
            bar=[
                ("member", "F1", r(self.identify_typed)),
                ("qty", "F2", r(self.set_quantity)),
                ("remove", "F3", r(self.remove_line)),
                ("void", "Shift+F3", r(self.void_sale)),
                ("register", "F4", r(self.register_member)),
                ("points", "F5", r(self.redeem_points)),
                ("refund", "F6", r(self.refund)),
                ("reprint", "F7", r(self.reprint)),
                ("hold", "Shift+F11", r(self.suspend_or_recall)),
                ("pricecheck", "Ctrl+K", r(self.co.toggle_price_check)),
                ("item", "Ctrl+P", r(self.find_item)),
                ("price", "Ctrl+D", r(self.change_price)),
                ("close", "F11", r(self.close_shift)),
                ("clear", "Esc", r(self.escape)),
                ("lookup", "Ctrl+F", r(self.lookup_member)),
                ("settings", "Ctrl+S", r(self.open_settings)),
                ("language", "Ctrl+L", self.language_toggled.emit),
            ],
            paying=[
                ("cash", "F8", r(partial(self.choose_tender, "cash"))),
                ("card", "F9", r(partial(self.choose_tender, "card"))),
                ("mobile", "F10", r(partial(self.choose_tender, "mobile"))),
                ("pay", "F12", r(self.complete)),
            ],
            quick=[
                ("exact", "", r(partial(self.quick_cash, None))),
                ("cash50", "", r(partial(self.quick_cash, 5000))),
                ("cash100", "", r(partial(self.quick_cash, 10000))),
            ],
            keys=keys,
        )

    # ------------------------------------------------------------ what tests and the window read

    @property
    def last_receipt(self) -> str | None:
        return self.co.last_receipt

    @property
    def last_sale(self) -> SaleDone | None:
        return self.co.last_sale

    @property
    def print_failed(self) -> bool:
        return self.co.print_failed

    @property
    def slip_printed(self) -> str | None:
        return self.co.slip_printed

    @property
    def completing(self) -> bool:
        return self.co.completing

    def redeem_limit(self) -> int:
        return self.co.redeem_limit()

    # ------------------------------------------------------------ the controller's screen

    def _run_op(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        op = Op(self, work).success(done)
        if failed is not None:
            op = op.failure(lambda exc, _text: failed(exc))
        if after is not None:
            op = op.finally_(after)
        op.run()

    def changed(self) -> None:
        self.model.refresh()
        self.refresh()
        self.update_customer_display()

    # ------------------------------------------------------------ the customer display

    def toggle_customer_display(self) -> None:
        """Ctrl+M: open the customer display (on the second screen if there is one), or close it."""
        if self.customer_display is not None:
            self.customer_display.close()
            self.customer_display.deleteLater()
            self.customer_display = None
            return
        from ui.customer_display import CustomerDisplay

        config = self.services.config
        language = config.terminal.language
        name = config.store.name_zh if language == "zh_CN" else config.store.name_en
        self.customer_display = CustomerDisplay(name, language, self)
        self.update_customer_display()
        self.customer_display.place()

    def update_customer_display(self) -> None:
        if self.customer_display is None:
            return
        from ui.display_text import display_state

        language = self.customer_display.language
        self.customer_display.show_state(
            display_state(self.state, self.co.names, self.co.last_sale, language)
        )

    def show_message(self, message: Message | None) -> None:
        kind = message.kind if message else "info"
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(" ".join(render(p) for p in message.parts) if message else "")

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))  # the line just scanned is in view

    def printer_ok(self) -> None:
        self.status_printer_ok()

    def status_printer_ok(self) -> None:
        """Hook for the main window (the status bar listens)."""

    # ------------------------------------------------------------ session

    def start(self, cashier: StaffMember, shift_id: ShiftId | None) -> None:
        from PySide6.QtGui import QGuiApplication

        if self.customer_display is None and len(QGuiApplication.screens()) > 1:
            self.toggle_customer_display()  # a second screen is attached: it faces the customer
        self.co.start(cashier, shift_id)
        self.retranslate()
        self.refocus()

    def _wrap(self, action: Callable[[], None]) -> Callable[[], None]:
        """A button's or key's action, then the focus back to the scan field."""

        def run() -> None:
            action()
            QTimer.singleShot(0, self.refocus)

        return run

    def show_error(self, text: str) -> None:
        """Ops without their own failure callback land here (already in words)."""
        self.co.error(raw(text))

    # ------------------------------------------------------------ keys

    def enter(self) -> None:
        text = self._take_text()
        if not text:
            self.co.complete()
        else:
            self.co.handle_code(text)
        self.refocus()

    def handle_code(self, text: str) -> None:
        self.co.handle_code(text)

    def _move(self, step: int) -> None:
        row = self._selected_row()
        if row is not None and self.state.lines:
            self.table.selectRow(max(0, min(len(self.state.lines) - 1, row + step)))

    def escape(self) -> None:
        """Esc: clears what is typed; else takes the last payment off; else the message."""
        if self.scan.text():
            self.scan.clear()
        elif not self.co.undo_payment():
            self.co.clear_message()

    def set_quantity(self) -> None:
        self.co.set_quantity(self._take_text(), self._selected_row())

    def identify_typed(self) -> None:
        text = self._take_text()
        if text:
            self.co.identify(text)
        else:
            self.co.error(tx("Type the phone number or card number, then press F1."))

    def toggle_coupon(self, code: str) -> None:
        self.co.toggle_coupon(code)

    def coupon_key(self, number: int) -> None:
        code = self.panel.coupon_code(number)
        if code is not None:
            self.co.toggle_coupon(code)
        self.refocus()

    def redeem_points(self) -> None:
        self.co.redeem_points(self._take_text())

    def choose_tender(self, kind: str) -> None:
        self.co.choose_tender(kind, self._take_text())

    def quick_cash(self, amount: int | None) -> None:
        self._take_text()
        self.co.quick_cash(amount)

    def complete(self) -> None:
        self.co.complete()

    def reprint(self) -> None:
        self.co.reprint()

    # ------------------------------------------------------------ display

    def refresh(self) -> None:
        s = self.state
        rows = "".join(
            f"<tr><td>{render(k)}&nbsp;&nbsp;</td><td align='right'>{v}</td></tr>" for k, v in totals_rows(s)
        )
        self.totals.setText(f"<table>{rows}</table>")
        self.total_due.setText(render(total_text(s)))
        paying, change = payment_texts(s)
        self.tender_label.setText(render(paying))
        self.change_label.setText(render(change) if change else "")
        self.change_label.setVisible(change is not None)
        step, per_yuan, _ = self.co.redeem_rule
        redeem = redeem_text(s, self.co.redeem_limit(), step, per_yuan)
        self.panel.show_member(s.member, tuple(s.coupons), render(redeem) if redeem else "")
        if self.co.cashier is not None:
            self.cashier_label.setText(tr("Cashier: {name}").format(name=self.co.cashier.name))
        self.buttons["pay"].setEnabled(not self.co.completing)
        self.buttons["pricecheck"].setCheckable(True)
        self.buttons["pricecheck"].setChecked(self.co.price_check)
        self.reprint_button.setVisible(self.co.print_failed)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.retranslate_labels()
        self.model.headerDataChanged.emit(self.model.horizontal, 0, 4)
        self.show_message(self.co.message)
        self.refresh()
