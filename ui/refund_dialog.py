"""Refunds: find the sale (receipt number typed, or the receipt's QR scanned), choose what
comes back line by line (what is left to refund is shown), say why, see what will be given
back (money, points, coupons), then a supervisor approves with their number and PIN and the
refund slip prints."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import ShiftId, StaffId
from app.domain.receipt import Receipt
from ui.i18n import N_, money, translator
from ui.ops import Op
from ui.refund_lines import QtyStepper, RefundLines
from ui.services import (
    RefundableSale,
    RefundDone,
    RefundPreview,
    TillServices,
    new_refund_id,
)
from ui.widgets import TOUCH_HEIGHT, KeyButton, KeyMap

tr = translator("Refund")

# app.domain.refunds.REFUND_REASONS, as the cashier reads them
REASONS = (
    ("wrong_item", N_("Wrong item")),
    ("damaged", N_("Damaged")),
    ("quality", N_("Quality problem")),
    ("expired", N_("Past its date")),
    ("changed_mind", N_("Customer changed their mind")),
    ("price", N_("Price problem")),
    ("other", N_("Other (say why)")),
)
PREVIEW_DELAY_MS = 120  # quantities pressed in a row make one preview


class RefundDialog(QDialog):
    def __init__(
        self, parent: QWidget, services: TillServices, cashier_id: StaffId, shift_id: ShiftId | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("refund")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        # as large as the till's window allows (room for the lines), never larger than the screen
        host = parent.window().size()
        self.resize(max(640, min(1100, host.width() - 32)), max(480, min(880, host.height() - 32)))
        self.services, self.cashier_id, self.shift_id = services, cashier_id, shift_id
        self.receipt: Receipt | None = None
        self.sale: RefundableSale | None = None
        self.preview: RefundPreview | None = None
        self.preview_of: dict[int, int] | None = None  # the quantities `preview` is for
        self.done_refund: RefundDone | None = None
        self.done_text = ""
        self.refund_id = new_refund_id()  # one per refund: a retry stores it once
        self.ref = QLineEdit()
        self.ref.setObjectName("receiptRef")
        self.ref.setMinimumHeight(TOUCH_HEIGHT)
        self.find_button = KeyButton("Enter")
        self.find_button.clicked.connect(self.find_sale)
        self.sale_label = QLabel()
        self.sale_label.setWordWrap(True)
        self.lines = RefundLines()
        self.lines.changed.connect(self._schedule_preview)
        self.all_button = KeyButton("F2")
        self.all_button.clicked.connect(self.select_all)
        self.reason_label = QLabel()
        self.reason = QComboBox()
        self.reason.setObjectName("refundReason")
        self.reason.setMinimumHeight(TOUCH_HEIGHT)
        self.reason.currentIndexChanged.connect(self._reason_changed)
        self.note = QLineEdit()
        self.note.setObjectName("refundNote")
        self.note.setMinimumHeight(TOUCH_HEIGHT)
        self.note.setMaxLength(200)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("refundPreview")
        self.preview_label.setWordWrap(True)
        big = self.preview_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.25)
        big.setBold(True)
        self.preview_label.setFont(big)
        self.login_label = QLabel()
        self.login = QLineEdit()
        self.login.setObjectName("supervisor")
        self.login.setMinimumHeight(TOUCH_HEIGHT)
        self.pin_label = QLabel()
        self.pin = QLineEdit()
        self.pin.setObjectName("supervisorPin")
        self.pin.setMinimumHeight(TOUCH_HEIGHT)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.ok = KeyButton("F12")
        self.ok.clicked.connect(self.submit)
        self.print_button = KeyButton("F7")
        self.print_button.clicked.connect(self.print_again)
        self.print_button.hide()
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self._layout()
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.enter)
        keys.bind(Qt.Key.Key_Enter, self.enter)
        keys.bind(Qt.Key.Key_F2, self.select_all)
        keys.bind(Qt.Key.Key_F3, self.choose_reason)
        keys.bind(Qt.Key.Key_F7, self.print_again)
        keys.bind(Qt.Key.Key_F12, self.submit)
        keys.watch(self.ref, self.login, self.pin, self.note, self.reason)
        # On the reason list, its number picks a reason and goes on (to the note for "other",
        # else to the supervisor's number): one key.
        picks = KeyMap(self)
        for i, _reason in enumerate(REASONS):
            picks.bind(Qt.Key(Qt.Key.Key_1.value + i), lambda i=i: self.pick_reason(i))  # type: ignore[misc]
        picks.watch(self.reason)
        self.busy = False
        self.retranslate()
        self.ref.setFocus()

    def _layout(self) -> None:
        find = QHBoxLayout()
        find.addWidget(self.ref, 1)
        find.addWidget(self.find_button)
        why = QHBoxLayout()
        why.addWidget(self.reason_label)
        why.addWidget(self.reason, 1)
        why.addWidget(self.note, 2)
        approve = QHBoxLayout()
        approve.addWidget(self.login_label)
        approve.addWidget(self.login, 1)
        approve.addWidget(self.pin_label)
        approve.addWidget(self.pin, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel)
        col = QVBoxLayout(self)
        col.addLayout(find)
        col.addWidget(self.sale_label)
        col.addWidget(self.lines, 1)
        col.addLayout(why)
        col.addWidget(self.preview_label)
        col.addLayout(approve)
        col.addWidget(self.message)
        col.addLayout(buttons)

    # ------------------------------------------------------------ compatibility

    @property
    def qty(self) -> list[QtyStepper]:
        """The lines' quantity controls, in line order."""
        return self.lines.steppers

    # ------------------------------------------------------------ finding the sale

    def enter(self) -> None:
        if self.done_refund is not None:
            self.accept()
        elif self.ref.hasFocus() or self.receipt is None:
            self.find_sale()
        elif self.login.hasFocus():
            self.pin.setFocus()
        elif self.note.hasFocus() or self.reason.hasFocus():
            self.login.setFocus()
        else:
            self.submit()

    def find_sale(self) -> None:
        text = self.ref.text().strip()
        if not text or self.busy:
            return
        self.busy = True
        services = self.services
        Op(self, lambda: services.refundable_sale(text)).success(self._found).failure(
            lambda exc, msg: self.message.setText(msg)
        ).finally_(self._idle).run()

    def _idle(self) -> None:
        self.busy = False

    def _found(self, sale: RefundableSale) -> None:
        self.sale, self.receipt = sale, sale.receipt
        self.preview, self.preview_of = None, None
        self.message.clear()
        self.lines.show_lines(sale.lines, [ln.name for ln in sale.receipt.lines])
        self._sale_text()
        self._preview_text()
        left = sum(ln.left for ln in sale.lines)
        if not left:
            self.message.setText(tr("Everything on this receipt has been refunded already."))
        elif left == 1:  # one unit to give back: nothing to choose (− takes it off again)
            self.lines.select_all()
        # the reason next (its number picks it), unless one was picked for this refund already
        (self.reason if self.reason.currentIndex() < 0 else self.login).setFocus()

    def _sale_text(self) -> None:
        r = self.receipt
        if r is None:
            self.sale_label.clear()
            return
        self.sale_label.setText(
            tr("Receipt {no} · {at} · paid {total}").format(
                no=r.receipt_no, at=r.at.strftime("%Y-%m-%d %H:%M"), total=money(r.totals.total_due)
            )
        )

    def select_all(self) -> None:
        self.lines.select_all()

    # ------------------------------------------------------------ reason

    def choose_reason(self) -> None:
        self.reason.setFocus()
        self.reason.showPopup()

    def pick_reason(self, index: int) -> None:
        self.reason.setCurrentIndex(index)
        (self.note if self.reason_code() == "other" else self.login).setFocus()

    def reason_code(self) -> str:
        i = self.reason.currentIndex()
        return REASONS[i][0] if 0 <= i < len(REASONS) else ""

    def _reason_changed(self, _index: int) -> None:
        self._note_placeholder()
        if self.reason_code() == "other":
            self.note.setFocus()

    def _note_placeholder(self) -> None:
        other = self.reason_code() == "other"
        self.note.setPlaceholderText(tr("Say why (needed for Other)") if other else tr("Note (optional)"))

    # ------------------------------------------------------------ preview

    def _schedule_preview(self) -> None:
        self.preview, self.preview_of = None, None
        self._preview_text()
        self._preview_timer.start()

    def update_preview(self) -> None:
        """Ask what the chosen quantities give back (nothing is written)."""
        if self.sale is None or self.done_refund is not None:
            return
        chosen = self.lines.chosen()
        if not chosen:
            self._preview_text()
            return
        sale_id, services = str(self.sale.sale_id), self.services
        Op(self, lambda: services.preview_refund(sale_id, chosen)).success(
            lambda p: self._previewed(chosen, p)
        ).failure(self._refused_text).run()

    def _previewed(self, chosen: dict[int, int], preview: RefundPreview) -> None:
        if chosen != self.lines.chosen():
            return  # the quantities changed meanwhile; their own preview follows
        self.preview, self.preview_of = preview, chosen
        self._preview_text()

    def _preview_text(self) -> None:
        p = self.preview
        if self.done_refund is not None:
            return
        if p is None:
            if self.sale is not None and not self.lines.chosen():
                hint = tr("Choose what comes back: − / + on each line, F2 for everything.")
                self.preview_label.setText(hint)
            else:
                self.preview_label.setText("")
            return
        parts = [tr("Give back {money} in cash.").format(money=money(p.money))]
        if p.points_reversed or p.points_given_back:
            parts.append(
                tr("Points: {taken} taken back, {given} returned.").format(
                    taken=p.points_reversed, given=p.points_given_back
                )
            )
        if p.coupons_returned:
            parts.append(tr("Coupons returned: {codes}.").format(codes=", ".join(p.coupons_returned)))
        elif p.full:
            parts.append(tr("The whole sale comes back."))
        self.preview_label.setText(" ".join(parts))

    # ------------------------------------------------------------ refunding

    def submit(self) -> None:
        if self.busy or self.receipt is None or self.sale is None or self.done_refund is not None:
            return
        lines = self.lines.chosen()
        if not lines:
            self.message.setText(tr("Choose the items to refund (F2: all of them)."))
            return
        reason, note = self.reason_code(), self.note.text().strip()
        if not reason:
            self.message.setText(tr("Choose why the goods come back (F3)."))
            self.reason.setFocus()
            return
        if reason == "other" and not note:
            self.message.setText(tr("Say in a few words why the goods come back."))
            self.note.setFocus()
            return
        if self.preview_of != lines:
            self.message.setText(tr("Check what will be given back, then press F12 again."))
            self._preview_timer.stop()
            self.update_preview()
            return
        login, pin = self.login.text().strip(), self.pin.text()
        if not login or not pin:
            self.message.setText(tr("A supervisor must approve: number and PIN."))
            (self.login if not login else self.pin).setFocus()
            return
        sale_id, refund_id = str(self.sale.sale_id), self.refund_id
        cashier_id, shift_id, services = self.cashier_id, self.shift_id, self.services
        self.busy = True
        Op(
            self,
            lambda: services.refund(
                sale_id, lines, cashier_id, login, pin, refund_id, shift_id, reason, note
            ),
        ).success(self._refunded).failure(self._refused).finally_(self._idle).run()

    def _refused_text(self, exc: BaseException, text: str) -> None:
        if getattr(exc, "code", "") == "refund_qty_exceeds_remaining" and hasattr(exc, "line_no"):
            name = self.lines.name_of(int(exc.line_no)) or str(getattr(exc, "item", ""))
            text = tr("{item}: only {left} left to refund, {asked} asked for.").format(
                item=name, left=getattr(exc, "left", 0), asked=getattr(exc, "asked", 0)
            )
        self.message.setText(text)

    def _refused(self, exc: BaseException, text: str) -> None:
        self._refused_text(exc, text)
        self.pin.clear()
        self.pin.setFocus()

    def _refunded(self, done: RefundDone) -> None:
        self.done_refund = done
        text = tr("Refunded: give back {money} in cash.").format(money=money(done.money))
        if done.points_reversed or done.points_given_back:
            text += " " + tr("Points: {taken} taken back, {given} given back.").format(
                taken=done.points_reversed, given=done.points_given_back
            )
        self.preview_label.setText(text)
        self.done_text = text
        self.message.setText(text + " " + tr("Printing the refund slip…"))
        self.ok.setEnabled(False)
        self.print_button.show()
        self.ref.setFocus()
        self._print(copy=False)

    def print_again(self) -> None:
        if self.done_refund is not None and not self.busy:
            self._print(copy=True)

    def _print(self, copy: bool) -> None:
        done, services = self.done_refund, self.services
        assert done is not None
        Op(self, lambda: services.print_refund_slip(done.refund_id, copy=copy)).success(
            lambda _p: self.message.setText(tr("Refund slip printed.") + " " + tr("Press Enter to close."))
        ).failure(
            lambda exc, msg: self.message.setText(
                msg + " " + tr("F7 prints the slip again.") + " " + tr("Press Enter to close.")
            )
        ).run()

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Refund"))
        self.ref.setPlaceholderText(tr("Receipt number, or scan the receipt's QR code"))
        self.find_button.set_label(tr("Find sale"))
        self.all_button.set_label(tr("Refund everything"))
        self.reason_label.setText(tr("Reason"))
        index = self.reason.currentIndex()
        self.reason.blockSignals(True)
        self.reason.clear()
        self.reason.addItems([f"{i}  {tr(text)}" for i, (_code, text) in enumerate(REASONS, start=1)])
        self.reason.setCurrentIndex(index)
        self.reason.blockSignals(False)
        self.reason.setPlaceholderText(tr("Choose a reason: its number, or F3"))
        self._note_placeholder()
        self.login_label.setText(tr("Supervisor number"))
        self.pin_label.setText(tr("PIN"))
        self.ok.set_label(tr("Refund"))
        self.print_button.set_label(tr("Print slip again"))
        self.cancel.set_label(tr("Cancel"))
        self.lines.retranslate()
        self._sale_text()
        self._preview_text()
