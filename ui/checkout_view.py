"""The checkout: the screen the cashier lives in.

The scan field always has the focus: barcodes, member codes, cards, phone numbers, coupon
codes and amounts are all typed (or scanned) into it, and a function key says what to do
with a number (F2 quantity, F5 points, F8 cash). Every action returns the focus to it.
Prices come from the one pricing engine (``quote``) in the background after every change;
an answer for an older cart is dropped.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import looks_like_member_code
from app.domain.ids import ShiftId
from app.domain.members import is_valid_card_number
from app.pricing.model import POINTS_INSUFFICIENT
from ui.approval_dialog import ApprovalDialog
from ui.camera_preview import CameraPreview
from ui.cart import CartState, redeem_limit
from ui.i18n import N_, money, parse_yuan, translator
from ui.member_panel import MemberPanel
from ui.ops import Op
from ui.services import (
    CompleteSale,
    MemberView,
    Priced,
    Registration,
    SaleDone,
    StaffMember,
    Tender,
    TillServices,
)
from ui.widgets import KeyButton, KeyMap

if TYPE_CHECKING:
    from ui.settings_dialog import TillHost

tr = translator("Checkout")

TENDER_NAMES = {"cash": N_("Cash"), "card": N_("Card"), "mobile": N_("Mobile pay")}
_Index = QModelIndex | QPersistentModelIndex


def _is_coupon_code(text: str) -> bool:
    return len(text) == 10 and text.startswith("C") and text.isalnum() and text.isupper()


def _is_phone(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    return digits.startswith("+") or (len(digits) == 11 and digits.startswith("1") and digits.isdigit())


class CartModel(QAbstractTableModel):
    """The cart's lines with the newest quote's prices (names once a quote has named them)."""

    def __init__(self, state: CartState) -> None:
        super().__init__()
        self.state = state
        self.names: dict[str, str] = {}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.state.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (tr("Item"), tr("Qty"), tr("Price"), tr("Discount"), tr("Amount"))[section]

    def data(self, index: _Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        line = self.state.lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        priced = self.state.priced
        ql = priced.quote.lines[index.row()] if priced else None
        if col == 0:
            return self.names.get(line.sku, line.sku)
        if col == 1:
            return str(line.qty)
        if ql is None:
            return "…"
        if col == 2:
            return money(ql.line_total // max(1, ql.qty))
        if col == 3:
            off = ql.list_total - ql.net
            return money(-off) if off else ""
        return money(ql.net)

    def learn(self, priced: Priced) -> None:
        for line, name in zip(priced.quote.lines, priced.names, strict=False):
            self.names[line.sku] = name

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()


class CheckoutView(QWidget):
    """Needs the signed-in cashier and the open shift (``start``)."""

    shift_closed = Signal(object)  # the Z report
    language_toggled = Signal()

    def __init__(self, services: TillServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.state = CartState()
        self.cashier: StaffMember | None = None
        self.shift_id: ShiftId | None = None
        self.last_receipt: str | None = None
        self.last_sale: SaleDone | None = None
        self.print_failed = False
        self.completing = False
        self._complete_when_priced = False
        self.dialog: QWidget | None = None
        self.host: TillHost | None = None  # camera and language, for the settings (main window)
        self.slip_printed: str | None = None  # card number of the last welcome slip printed
        self.confirmed: set[str] = set()  # skus a quote has accepted
        redemption = services.program.redemption
        self._redeem_rule = (redemption.step, redemption.points_per_yuan, Fraction(redemption.max_share))

        self.scan = QLineEdit()
        self.scan.setObjectName("scan")
        self.cashier_label = QLabel()
        self.cashier_label.setObjectName("cashier")
        self.model = CartModel(self.state)
        self.table = QTableView()
        self.table.setObjectName("cart")
        self.table.setModel(self.model)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 5):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)

        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.total_due = QLabel()
        self.total_due.setObjectName("totalDue")
        self.tender_label = QLabel()
        self.tender_label.setObjectName("tender")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.reprint_button = KeyButton("F7")
        self.reprint_button.setObjectName("reprint")
        self.reprint_button.clicked.connect(self.reprint)

        self.panel = MemberPanel(self.toggle_coupon)
        self.preview = CameraPreview()  # shown once the camera sends frames

        self.buttons: dict[str, KeyButton] = {}
        grid = QGridLayout()
        actions = [
            ("member", "F1", self.identify_typed), ("qty", "F2", self.set_quantity),
            ("remove", "F3", self.remove_line), ("register", "F4", self.register_member),
            ("points", "F5", self.redeem_points), ("refund", "F6", self.refund),
            ("reprint", "F7", self.reprint), ("cash", "F8", lambda: self.choose_tender("cash")),
            ("card", "F9", lambda: self.choose_tender("card")),
            ("mobile", "F10", lambda: self.choose_tender("mobile")),
            ("close", "F11", self.close_shift), ("pay", "F12", self.complete),
            ("clear", "Esc", self.escape), ("language", "Ctrl+L", self.language_toggled.emit),
            ("lookup", "Ctrl+F", self.lookup_member), ("settings", "Ctrl+S", self.open_settings),
        ]
        self.keys = KeyMap(self)
        fkeys = {f"F{i}": getattr(Qt.Key, f"Key_F{i}") for i in range(1, 13)}
        for i, (name, key, action) in enumerate(actions):
            b = KeyButton(key)
            b.setObjectName("pay" if name == "pay" else "action")
            b.clicked.connect(partial(self._run, action))
            grid.addWidget(b, i // 2, i % 2)
            self.buttons[name] = b
            if key in fkeys:
                self.keys.bind(fkeys[key], partial(self._run, action))
        self.keys.bind(Qt.Key.Key_Escape, self.escape)
        self.keys.bind(Qt.Key.Key_Return, self.enter)
        self.keys.bind(Qt.Key.Key_Enter, self.enter)
        self.keys.bind(Qt.Key.Key_Up, lambda: self._move(-1))
        self.keys.bind(Qt.Key.Key_Down, lambda: self._move(1))
        self.keys.bind(Qt.Key.Key_L, self.language_toggled.emit, Qt.KeyboardModifier.ControlModifier)
        ctrl = Qt.KeyboardModifier.ControlModifier
        self.keys.bind(Qt.Key.Key_F, partial(self._run, self.lookup_member), ctrl)
        self.keys.bind(Qt.Key.Key_S, partial(self._run, self.open_settings), ctrl)
        for n in range(1, 10):
            self.keys.bind(getattr(Qt.Key, f"Key_{n}"), partial(self.coupon_key, n),
                           Qt.KeyboardModifier.ControlModifier)
        self.keys.watch(self.scan)

        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.scan, 1)
        top.addWidget(self.cashier_label)
        left.addLayout(top)
        left.addWidget(self.table, 1)
        sums = QHBoxLayout()
        sums.addWidget(self.totals, 1)
        due = QVBoxLayout()
        due.addWidget(self.total_due, alignment=Qt.AlignmentFlag.AlignRight)
        due.addWidget(self.tender_label, alignment=Qt.AlignmentFlag.AlignRight)
        sums.addLayout(due)
        left.addLayout(sums)
        note = QHBoxLayout()
        note.addWidget(self.message, 1)
        note.addWidget(self.reprint_button)
        left.addLayout(note)
        right = QVBoxLayout()
        right.addWidget(self.preview, alignment=Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(self.panel, 1)
        right.addLayout(grid)
        outer = QHBoxLayout(self)
        outer.addLayout(left, 3)
        side = QWidget()
        side.setLayout(right)
        side.setMaximumWidth(440)
        outer.addWidget(side, 2)
        self.reprint_button.hide()
        self.retranslate()
        self.refresh()

    # ------------------------------------------------------------ session

    def start(self, cashier: StaffMember, shift_id: ShiftId | None) -> None:
        self.cashier, self.shift_id = cashier, shift_id
        self.state.clear()
        self.confirmed.clear()
        self.message.clear()
        self.retranslate()
        self.refresh()
        self.refocus()

    def refocus(self) -> None:
        if self.dialog is None or not self.dialog.isVisible():
            self.scan.setFocus()

    def _run(self, action: Any) -> None:
        action()
        QTimer.singleShot(0, self.refocus)

    def _take_text(self) -> str:
        text = self.scan.text().strip()
        self.scan.clear()
        return text

    def show_error(self, text: str) -> None:
        self.say(text, error=True)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    # ------------------------------------------------------------ the scan field

    def enter(self) -> None:
        text = self._take_text()
        if not text:
            self.complete()
        else:
            self.handle_code(text)
        self.refocus()

    def handle_code(self, text: str) -> None:
        """A scanned or typed code: member code, card, phone, coupon, or a product barcode."""
        text = text.strip()
        if not text:
            return
        if looks_like_member_code(text) or is_valid_card_number(text) or _is_phone(text):
            self.identify(text)
        elif _is_coupon_code(text):
            self.toggle_coupon(text)
        else:
            self.add_item(text)

    def add_item(self, sku: str) -> None:
        row = self.state.add(sku)
        self.requote()
        self.table.selectRow(row)

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return len(self.state.lines) - 1 if self.state.lines else None

    def _move(self, step: int) -> None:
        row = self._selected_row()
        if row is not None and self.state.lines:
            self.table.selectRow(max(0, min(len(self.state.lines) - 1, row + step)))

    def escape(self) -> None:
        if self.scan.text():
            self.scan.clear()
        else:
            self.message.clear()

    # ------------------------------------------------------------ pricing

    def requote(self) -> None:
        self.model.refresh()
        self.refresh()
        if not self.state.lines:
            return
        version, cart, services = self.state.version, self.state.cart(), self.services
        Op(self, lambda: services.quote(cart)).success(
            lambda p: self._quoted(version, p)).failure(
            lambda exc, text: self._quote_failed(version, exc, text)).run()

    def _quoted(self, version: int, priced: Priced) -> None:
        if version != self.state.version:
            return  # the cart changed meanwhile; a newer quote is on its way
        refused = [(c, r) for c, r in priced.refused_coupons]
        refused += [(r.code, r.reason) for r in priced.quote.rejected_coupons]
        if refused:
            for code, _ in refused:
                self.state.drop_coupon(code)
            if refused[0][1] == "offline":
                self.show_error(tr("Offline: coupons cannot be used until the server is back "
                                   "(this till's offline rules)."))
            else:
                self.show_error(tr("Coupon {code} cannot be used on this sale.").format(code=refused[0][0]))
            self.requote()
            return
        if priced.quote.points_rejected and self.state.redeem_points:
            self.state.set_redeem(0)
            self.show_error(self._points_refused_text(priced))
            self.requote()
            return
        self.state.priced = priced
        self.confirmed.update(line.sku for line in self.state.lines)
        self.model.learn(priced)
        if priced.quote.points_capped:
            self.say(tr("Points capped at {points} (at most half of the sale).").format(
                points=priced.quote.points_redeemed))
        elif priced.no_points_offline:
            self.say(tr("Offline: this sale earns no points (this till's offline rules)."))
        self.model.refresh()
        self.refresh()
        if self._complete_when_priced:
            self._complete_when_priced = False
            self.complete()

    def _points_refused_text(self, priced: Priced) -> str:
        cap = priced.redeem_cap
        if cap is not None and not cap.allowed:
            return tr("Offline: points cannot be redeemed until the server is back "
                      "(this till's offline rules).")
        if cap is not None and priced.quote.points_rejected == POINTS_INSUFFICIENT:
            return tr("Offline: at most {cap} points can be redeemed now (the last balance the "
                      "server confirmed, {known}, minus {since} redeemed at this till since).").format(
                cap=f"{cap.cap:,}", known=f"{cap.last_known_balance:,}", since=f"{cap.redeemed_since:,}")
        return tr("Points cannot be redeemed: in steps of {step}, up to the balance.").format(
            step=self._redeem_rule[0])

    def _quote_failed(self, version: int, exc: BaseException, text: str) -> None:
        if version != self.state.version:
            return
        self._complete_when_priced = False
        if getattr(exc, "code", "") == "unknown_sku":
            for i in reversed(range(len(self.state.lines))):
                if self.state.lines[i].sku not in self.confirmed:
                    sku = self.state.remove(i).sku
                    text = tr("Unknown barcode {sku}: not added.").format(sku=sku)
            self.show_error(text)
            self.requote()
            return
        self.show_error(text)

    # ------------------------------------------------------------ line actions

    def set_quantity(self) -> None:
        text = self._take_text()
        row = self._selected_row()
        if row is None:
            self.show_error(tr("The cart is empty."))
            return
        if not text.isdigit() or not 1 <= int(text) <= 999:
            self.show_error(tr("Type the quantity (1-999), then press F2."))
            return
        self.state.set_qty(row, int(text))
        self.requote()
        self.table.selectRow(row)

    def remove_line(self) -> None:
        row = self._selected_row()
        if row is None or self.cashier is None:
            self.show_error(tr("The cart is empty."))
            return
        line = self.state.lines[row]
        name = self.model.names.get(line.sku, line.sku)
        cashier_id, services = self.cashier.id, self.services

        def work(login: str, pin: str) -> str:
            return services.void_lines(cashier_id, (line,), False, login, pin)

        def done(_: object) -> None:
            if row < len(self.state.lines) and self.state.lines[row] == line:
                self.state.remove(row)
            self.say(tr("Removed: {name}.").format(name=name))
            self.requote()
            self.refocus()

        self._open(ApprovalDialog(self, tr("Remove {qty} × {name} from the cart?").format(
            qty=line.qty, name=name), work, done))

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda *_: self._dialog_closed(dialog))  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]

    def _dialog_closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.refocus()

    # ------------------------------------------------------------ member, coupons, points

    def identify_typed(self) -> None:
        text = self._take_text()
        if text:
            self.identify(text)
        else:
            self.show_error(tr("Type the phone number or card number, then press F1."))

    def identify(self, text: str) -> None:
        services = self.services
        self.say(tr("Looking up the member…"))
        Op(self, lambda: services.identify(text)).success(self._identified).run()

    def _identified(self, member: MemberView) -> None:
        self.state.set_member(member)
        self.say(tr("Member: {phone}.").format(phone=member.masked_phone))
        self.requote()

    def attach_member(self, member: MemberView) -> None:
        self._identified(member)

    def toggle_coupon(self, code: str) -> None:
        if not self.state.lines:
            self.show_error(tr("Scan the items first, then apply the coupon."))
            return
        applied = self.state.toggle_coupon(code)
        self.say(tr("Coupon {code} applied.").format(code=code) if applied
                 else tr("Coupon {code} taken off.").format(code=code))
        self.requote()

    def coupon_key(self, number: int) -> None:
        code = self.panel.coupon_code(number)
        if code is not None:
            self.toggle_coupon(code)
        self.refocus()

    def redeem_limit(self) -> int:
        m = self.state.member
        if m is None:
            return 0
        step, per_yuan, share = self._redeem_rule
        balance = m.points_balance
        cap = self.state.priced.redeem_cap if self.state.priced is not None else None
        if cap is not None:  # offline: what the offline rules let this member redeem now
            balance = min(balance, cap.cap if cap.allowed else 0)
        return redeem_limit(self.state.priced, balance, step, per_yuan, share)

    def redeem_points(self) -> None:
        text = self._take_text()
        if self.state.member is None:
            self.show_error(tr("Identify the member first."))
            return
        if self.state.priced is None:
            self.show_error(tr("Scan the items first."))
            return
        limit = self.redeem_limit()
        if text:
            if not text.isdigit():
                self.show_error(tr("Type the points to redeem, then press F5."))
                return
            points = int(text)
            step = self._redeem_rule[0]
            if points % step or points > limit:
                self.show_error(tr("Redeem in steps of {step}, at most {limit} points now.").format(
                    step=step, limit=f"{limit:,}"))
                return
        else:
            points = limit if self.state.redeem_points == 0 else 0
        self.state.set_redeem(points)
        self.say(tr("Redeeming {points} points.").format(points=f"{points:,}") if points
                 else tr("No points redeemed."))
        self.requote()

    # ------------------------------------------------------------ paying

    def choose_tender(self, kind: str) -> None:
        text = self._take_text()
        self.state.tender = kind
        self.state.tendered = None
        if kind == "cash" and text:
            fen = parse_yuan(text)
            if fen is None:
                self.show_error(tr("Type the cash received in yuan, then press F8."))
                return
            self.state.tendered = fen
        self.refresh()

    def complete(self) -> None:
        if self.completing or self.cashier is None:
            return
        if not self.state.lines:
            self.show_error(tr("The cart is empty."))
            return
        priced = self.state.priced
        if priced is None:
            self._complete_when_priced = True  # pay as soon as the running quote is back
            self.say(tr("Pricing…"))
            return
        total = priced.quote.total_due
        kind = self.state.tender
        amount = self.state.tendered if kind == "cash" and self.state.tendered is not None else total
        if amount < total:
            self.show_error(tr("The cash received is less than the total ({total}).").format(
                total=money(total)))
            return
        tenders = (Tender(kind, amount),) if amount > 0 else ()
        cmd = CompleteSale(sale_id=self.state.sale_id,  # type: ignore[arg-type]
                           cashier_id=self.cashier.id, cart=self.state.cart(), tenders=tenders,
                           shift_id=self.shift_id,
                           expected_total=total)
        self.completing = True
        self.buttons["pay"].setEnabled(False)
        self.say(tr("Completing the sale…"))
        services = self.services
        Op(self, lambda: services.complete_sale(cmd)).success(self._sold).failure(
            self._not_sold).finally_(self._completed).run()

    def _completed(self) -> None:
        self.completing = False
        self.buttons["pay"].setEnabled(True)
        self.refocus()

    def _not_sold(self, exc: BaseException, text: str) -> None:
        # The cart and its sale id stay: paying again cannot store the sale twice.
        self.show_error(tr("Not completed: {why}").format(why=text))

    def _sold(self, done: SaleDone) -> None:
        self.last_sale = done
        self.last_receipt = done.receipt_no
        self.state.clear()
        self.confirmed.clear()
        self.model.refresh()
        self.refresh()
        self.say(self._sold_text(done) + " " + tr("Printing…"))
        self._print(done.receipt_no)

    def _sold_text(self, done: SaleDone) -> str:
        text = tr("Sale done, receipt {no}.").format(no=done.receipt_no)
        if done.change_due:
            text += " " + tr("Change due: {change}.").format(change=money(done.change_due))
        return text

    def _print(self, receipt_no: str) -> None:
        services = self.services
        self.reprint_button.hide()
        Op(self, lambda: services.print_sale(receipt_no)).success(self._printed).failure(
            self._print_failed).run()

    def _printed(self, _: object) -> None:
        self.print_failed = False
        prefix = self._sold_text(self.last_sale) + " " if self.last_sale else ""
        self.say(prefix + tr("Receipt printed."))
        self.status_printer_ok()

    def _print_failed(self, exc: BaseException, text: str) -> None:
        self.print_failed = True
        self.show_error(text + " " + tr("The sale is saved. Press F7 to print the receipt again."))
        self.reprint_button.show()

    def status_printer_ok(self) -> None:
        """Hook for the main window (the status bar listens)."""

    def reprint(self) -> None:
        self._print(self.last_receipt or "last")
        self.say(tr("Printing…"))

    # ------------------------------------------------------------ dialogs

    def register_member(self) -> None:
        from ui.register_dialog import RegisterDialog

        if self.cashier is None:
            return
        self._open(RegisterDialog(self, self.services, self.cashier.id, self.attach_member,
                                  self.print_welcome_slip))

    def print_welcome_slip(self, reg: Registration) -> None:
        """The new member's code (QR) and welcome coupon on a slip, in the background."""
        services, cashier = self.services, self.cashier.name if self.cashier else ""

        def printed(_: object) -> None:
            self.slip_printed = reg.member.card_no
            self.say(tr("Member slip printed for card {card}.").format(card=reg.member.card_no))

        Op(self, lambda: services.print_welcome_slip(reg, cashier)).success(printed).failure(
            lambda exc, text: self.show_error(text + " " + tr("The member is registered."))).run()

    def lookup_member(self) -> None:
        from ui.lookup_dialog import LookupDialog

        if self.cashier is None:
            return
        dialog = LookupDialog(self, self.services, self.attach_member)
        text = self._take_text()
        self._open(dialog)
        if text:
            dialog.set_code(text)

    def open_settings(self) -> None:
        """Settings are for a supervisor: number and PIN first."""
        if self.cashier is None:
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

        if self.cashier is None:
            return
        self._open(RefundDialog(self, self.services, self.cashier.id, self.shift_id))

    def close_shift(self) -> None:
        from ui.shift_dialog import ShiftDialog

        if self.cashier is None or self.shift_id is None:
            return
        if self.state.lines:
            self.show_error(tr("Finish or void the current sale before closing the shift."))
            return
        self._open(ShiftDialog(self, self.services, self.cashier.id, self.shift_id,
                               self.shift_closed.emit))

    # ------------------------------------------------------------ display

    def refresh(self) -> None:
        s = self.state
        p = s.priced
        q = p.quote if p else None
        rows = [(tr("Items"), str(sum(line.qty for line in s.lines)))]
        if q is not None:
            rows.append((tr("Subtotal"), money(q.subtotal)))
            if q.member_savings:
                rows.append((tr("Member prices"), money(-q.member_savings)))
            if q.coupon_discount:
                rows.append((tr("Coupons"), money(-q.coupon_discount)))
            if q.points_redeemed:
                rows.append((tr("Points"), tr("{points} pts = {value}").format(
                    points=f"{q.points_redeemed:,}", value=money(-q.points_value))))
            if s.member is not None:
                rows.append((tr("Points earned"), f"+{q.points_earned:,}"))
        self.totals.setText("<table>" + "".join(
            f"<tr><td>{k}&nbsp;&nbsp;</td><td align='right'>{v}</td></tr>" for k, v in rows) + "</table>")
        if q is not None:
            self.total_due.setText(tr("Total {amount}").format(amount=money(q.total_due)))
        elif s.lines:
            self.total_due.setText(tr("Total …"))
        else:
            self.total_due.setText(tr("Total {amount}").format(amount=money(0)))
        tender = tr(TENDER_NAMES[s.tender])
        if s.tender == "cash" and s.tendered is not None:
            tender += " " + money(s.tendered)
            if q is not None:
                tender += " · " + tr("Change {amount}").format(amount=money(s.change_due()))
        self.tender_label.setText(tr("Pay by: {tender}").format(tender=tender))
        redeem = ""
        if s.member is not None and q is not None:
            step, per_yuan, _ = self._redeem_rule
            limit = self.redeem_limit()
            redeem = tr("Can redeem up to {points} points ({value}) now; steps of {step}, "
                        "at most half of the sale. F5").format(
                points=f"{max(limit, q.points_redeemed):,}",
                value=money(max(limit, q.points_redeemed) * 100 // per_yuan), step=step)
        self.panel.show_member(s.member, tuple(s.coupons), redeem)
        if self.cashier is not None:
            self.cashier_label.setText(tr("Cashier: {name}").format(name=self.cashier.name))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.scan.setPlaceholderText(tr("Scan or type a barcode, member code, phone or coupon — Enter"))
        labels = {
            "member": tr("Member"), "qty": tr("Quantity"), "remove": tr("Remove line"),
            "register": tr("New member"), "points": tr("Use points"), "refund": tr("Refund"),
            "reprint": tr("Reprint"), "cash": tr("Cash"), "card": tr("Card"),
            "mobile": tr("Mobile pay"), "close": tr("Close shift"), "pay": tr("Pay"),
            "clear": tr("Clear"), "language": tr("中文 / English"),
            "lookup": tr("Find member"), "settings": tr("Settings"),
        }
        for name, b in self.buttons.items():
            b.set_label(labels[name])
        self.reprint_button.set_label(tr("Reprint receipt"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 4)
        self.refresh()

