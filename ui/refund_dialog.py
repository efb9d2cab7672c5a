"""Refunds: find the sale (receipt number typed, or the receipt's QR scanned), pick the lines
and quantities, and a supervisor approves with their number and PIN."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import ShiftId, StaffId
from app.domain.receipt import Receipt
from ui.i18n import money, translator
from ui.ops import Op
from ui.services import RefundDone, TillServices, new_refund_id
from ui.widgets import KeyButton, KeyMap

tr = translator("Refund")


class RefundDialog(QDialog):
    def __init__(
        self, parent: QWidget, services: TillServices, cashier_id: StaffId, shift_id: ShiftId | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("refund")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(640, 520)
        self.services, self.cashier_id, self.shift_id = services, cashier_id, shift_id
        self.receipt: Receipt | None = None
        self.done_refund: RefundDone | None = None
        self.refund_id = new_refund_id()  # one per refund: a retry stores it once
        self.ref = QLineEdit()
        self.ref.setObjectName("receiptRef")
        self.find_button = KeyButton("Enter")
        self.find_button.clicked.connect(self.find_sale)
        self.sale_label = QLabel()
        self.lines = QTableWidget(0, 4)
        self.lines.verticalHeader().setVisible(False)
        self.qty: list[QSpinBox] = []
        self.all_button = KeyButton("F2")
        self.all_button.clicked.connect(self.select_all)
        self.login = QLineEdit()
        self.login.setObjectName("supervisor")
        self.pin = QLineEdit()
        self.pin.setObjectName("supervisorPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.ok = KeyButton("F12")
        self.ok.clicked.connect(self.submit)
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        find = QHBoxLayout()
        find.addWidget(self.ref, 1)
        find.addWidget(self.find_button)
        self.form = QFormLayout()
        self.login_label = QLabel()
        self.form.addRow(self.login_label, self.login)
        self.pin_label = QLabel()
        self.form.addRow(self.pin_label, self.pin)
        col = QVBoxLayout(self)
        col.addLayout(find)
        col.addWidget(self.sale_label)
        col.addWidget(self.lines, 1)
        col.addWidget(self.all_button)
        col.addLayout(self.form)
        col.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.ok)
        row.addWidget(self.cancel)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.enter)
        keys.bind(Qt.Key.Key_Enter, self.enter)
        keys.bind(Qt.Key.Key_F2, self.select_all)
        keys.bind(Qt.Key.Key_F12, self.submit)
        keys.watch(self.ref, self.login, self.pin)
        self.busy = False
        self.retranslate()
        self.ref.setFocus()

    def enter(self) -> None:
        if self.done_refund is not None:
            self.accept()
        elif self.ref.hasFocus() or self.receipt is None:
            self.find_sale()
        elif self.login.hasFocus():
            self.pin.setFocus()
        else:
            self.submit()

    def find_sale(self) -> None:
        text = self.ref.text().strip()
        if not text or self.busy:
            return
        self.busy = True
        services = self.services
        Op(self, lambda: services.sale_for_refund(text)).success(self._found).failure(
            lambda exc, msg: self.message.setText(msg)
        ).finally_(self._idle).run()

    def _idle(self) -> None:
        self.busy = False

    def _found(self, receipt: Receipt) -> None:
        self.receipt = receipt
        self.message.clear()
        self.sale_label.setText(
            tr("Receipt {no} · {at} · paid {total}").format(
                no=receipt.receipt_no,
                at=receipt.at.strftime("%Y-%m-%d %H:%M"),
                total=money(receipt.totals.total_due),
            )
        )
        self.lines.setRowCount(len(receipt.lines))
        self.qty = []
        for i, line in enumerate(receipt.lines):
            self.lines.setItem(i, 0, QTableWidgetItem(line.name))
            self.lines.setItem(i, 1, QTableWidgetItem(str(line.qty)))
            self.lines.setItem(i, 2, QTableWidgetItem(money(line.net)))
            spin = QSpinBox()
            spin.setRange(0, line.qty)
            self.lines.setCellWidget(i, 3, spin)
            self.qty.append(spin)
        self.lines.resizeColumnsToContents()
        self.login.setFocus()

    def select_all(self) -> None:
        for spin in self.qty:
            spin.setValue(spin.maximum())

    def submit(self) -> None:
        if self.busy or self.receipt is None or self.done_refund is not None:
            return
        lines = {i: spin.value() for i, spin in enumerate(self.qty, start=1) if spin.value()}
        if not lines:
            self.message.setText(tr("Choose the items to refund (F2: all of them)."))
            return
        login, pin = self.login.text().strip(), self.pin.text()
        if not login or not pin:
            self.message.setText(tr("A supervisor must approve: number and PIN."))
            (self.login if not login else self.pin).setFocus()
            return
        sale_id, refund_id = self.receipt.sale_id, self.refund_id
        cashier_id, shift_id, services = self.cashier_id, self.shift_id, self.services
        self.busy = True
        Op(
            self, lambda: services.refund(sale_id, lines, cashier_id, login, pin, refund_id, shift_id)
        ).success(self._refunded).failure(self._refused).finally_(self._idle).run()

    def _refused(self, exc: BaseException, text: str) -> None:
        self.message.setText(text)
        self.pin.clear()
        self.pin.setFocus()

    def _refunded(self, done: RefundDone) -> None:
        self.done_refund = done
        text = tr("Refunded: give back {money} in cash.").format(money=money(done.money))
        if done.points_reversed or done.points_given_back:
            text += " " + tr("Points: {taken} taken back, {given} given back.").format(
                taken=done.points_reversed, given=done.points_given_back
            )
        self.message.setText(text + " " + tr("Press Enter to close."))
        self.ref.setFocus()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Refund"))
        self.ref.setPlaceholderText(tr("Receipt number, or scan the receipt's QR code"))
        self.find_button.set_label(tr("Find sale"))
        self.lines.setHorizontalHeaderLabels([tr("Item"), tr("Sold"), tr("Paid"), tr("Refund qty")])
        self.all_button.set_label(tr("Refund everything"))
        self.login_label.setText(tr("Supervisor number"))
        self.pin_label.setText(tr("Supervisor PIN"))
        self.ok.set_label(tr("Refund"))
        self.cancel.set_label(tr("Cancel"))
