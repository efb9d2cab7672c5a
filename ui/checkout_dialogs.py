"""The checkout's dialogs: each key or button that opens one (void, suspend and recall, price
change, product search, registration, look-up, history, gifts, settings, refund, shift) and
the one dialog open at a time. `CheckoutView` (ui/checkout_view.py) adds the keys, the
controller's screen and the drawing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget

from ui.approval_dialog import ApprovalDialog
from ui.checkout_controller import CheckoutController
from ui.checkout_layout import CheckoutLayout
from ui.checkout_text import RAW, Text, tx
from ui.errors import message_for
from ui.i18n import translator
from ui.price_control import PriceTarget
from ui.sale_control import Removal, Void
from ui.services import MemberView, Registration, Suspended, TillServices

if TYPE_CHECKING:
    from ui.cart import CartState
    from ui.settings_dialog import TillHost

tr = translator("Checkout")


def render(text: Text) -> str:
    """A Text in the current language."""
    params = {k: _param(v) for k, v in text.params}
    source = text.source if text.source == RAW else tr(text.source)
    return source.format(**params)


def _param(value: object) -> str:
    if isinstance(value, Text):
        return render(value)
    if isinstance(value, BaseException):
        return message_for(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


class CheckoutDialogs(CheckoutLayout):
    """The dialogs of the checkout (the view sets these up in its ``__init__``)."""

    shift_closed = Signal(object)  # the Z report
    services: TillServices
    co: CheckoutController
    dialog: QWidget | None
    host: TillHost | None

    def refresh(self) -> None:
        """Draw the cart, the totals and the member panel again (the view does)."""
        raise NotImplementedError

    def attach_member(self, member: MemberView) -> None:
        self.co.attach_member(member)

    @property
    def state(self) -> CartState:
        return self.co.state

    def refocus(self) -> None:
        if self.dialog is None or not self.dialog.isVisible():
            self.scan.setFocus()

    def _take_text(self) -> str:
        text = self.scan.text().strip()
        self.scan.clear()
        return text

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return len(self.state.lines) - 1 if self.state.lines else None

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda *_: self._dialog_closed(dialog))  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]

    def _dialog_closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.refocus()

    def remove_line(self) -> None:
        removal = self.co.removal(self._selected_row())
        if removal is None:
            return
        if not removal.needs_approval:
            self.co.remove_alone(removal)
            return

        def done(_: object, r: Removal = removal) -> None:
            self.co.removed(r)
            self.refocus()

        self._open(ApprovalDialog(self, render(removal.question), self.co.void_work(removal), done))

    def void_sale(self) -> None:
        from ui.void_dialog import VoidDialog

        void = self.co.void()
        if void is None:
            return

        def done(_: object, v: Void = void) -> None:
            self.co.voided(v)
            self.refocus()

        self._open(
            VoidDialog(self, render(void.question), void.needs_approval, self.co.void_sale_work(void), done)
        )

    def suspend_or_recall(self) -> None:
        """Shift+F11: a cart on screen is suspended; an empty one opens the list to recall."""
        from ui.recall_dialog import RecallDialog

        if self.state.lines:
            self.co.suspend()
            return
        if self.co.cashier is None:
            return

        def pick(sale: Suspended) -> None:
            self.co.recall(sale)
            self.refocus()

        self._open(RecallDialog(self, self.services, pick))

    def change_price(self) -> None:
        """Ctrl+D: a manual discount or new price for the selected line, with a supervisor."""
        from ui.price_change_dialog import PriceChangeDialog

        target = self.co.price_target(self._selected_row())
        if target is None:
            return

        def done(approved: object, t: PriceTarget = target) -> None:
            self.co.price_changed(t, approved)  # type: ignore[arg-type]
            self.refocus()

        self._open(PriceChangeDialog(self, render(target.question), self.co.price_work(target), done))

    def find_item(self) -> None:
        """Ctrl+P: an item by name, pinyin initials or sku; what is typed starts the search."""
        from ui.product_search import ProductSearchDialog

        if self.co.cashier is None:
            return
        text = self._take_text()
        english = self.host is not None and self.host.language() == "en"
        dialog = ProductSearchDialog(self, self.services, self._item_found, english)
        self._open(dialog)
        if text:
            dialog.field.setText(text)

    def _item_found(self, sku: str) -> None:
        self.co.clear_message()
        self.co.add_item(sku)
        self.refocus()

    def register_member(self) -> None:
        from ui.register_dialog import RegisterDialog

        if self.co.cashier is None:
            return
        self._open(
            RegisterDialog(
                self, self.services, self.co.cashier.id, self.attach_member, self.print_welcome_slip
            )
        )

    def print_welcome_slip(self, reg: Registration) -> None:
        self.co.print_welcome_slip(reg)

    def lookup_member(self) -> None:
        from ui.lookup_dialog import LookupDialog

        if self.co.cashier is None:
            return
        dialog = LookupDialog(self, self.services, self.attach_member)
        text = self._take_text()
        self._open(dialog)
        if text:
            dialog.set_code(text)

    def member_history(self) -> None:
        """Ctrl+H (or the member panel's button): the member's recent purchases here."""
        from ui.history_dialog import HistoryDialog

        member = self.state.member
        if member is None or self.co.cashier is None:
            self.co.error(tx("Identify the member first."))
            return
        self._open(HistoryDialog(self, self.services, member))

    def gifts_for_points(self) -> None:
        """Ctrl+G: gifts for the identified member's points (积分兑换)."""
        from ui.gift_dialog import GiftDialog

        member, cashier = self.state.member, self.co.cashier
        if member is None or cashier is None:
            self.co.error(tx("Identify the member first."))
            return
        member_id = member.id

        def done(_balance: int) -> None:  # the panel shows the new balance
            self.co.run(
                lambda: self.services.member_view(member_id), self._member_refreshed, lambda exc: None
            )

        english = self.host is not None and self.host.language() == "en"
        self._open(GiftDialog(self, self.services, member, cashier.id, done, english))

    def _member_refreshed(self, member: MemberView) -> None:
        if self.state.member is not None and self.state.member.id == member.id:
            self.state.set_member(member)  # the new balance (and what it may redeem): priced again
            self.co.requote()
            self.refresh()

    def open_settings(self) -> None:
        """Settings are for a supervisor: number and PIN first."""
        if self.co.cashier is None:
            return
        services = self.services

        def work(login: str, pin: str) -> object:
            return services.approve_settings(login, pin)

        def done(_: object) -> None:
            QTimer.singleShot(0, self.show_settings)

        self._open(ApprovalDialog(self, tr("A supervisor opens the settings."), work, done))

    def show_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        self._open(SettingsDialog(self, self.services, self.host))

    def refund(self) -> None:
        from ui.refund_dialog import RefundDialog

        if self.co.cashier is None:
            return
        self._open(RefundDialog(self, self.services, self.co.cashier.id, self.co.shift_id))

    def close_shift(self) -> None:
        from ui.shift_dialog import ShiftDialog

        if self.co.cashier is None or self.co.shift_id is None:
            return
        if self.state.lines:
            self.co.error(tx("Finish or void the current sale before closing the shift."))
            return
        self._open(
            ShiftDialog(self, self.services, self.co.cashier.id, self.co.shift_id, self.shift_closed.emit)
        )
