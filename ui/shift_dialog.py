"""Closing the shift: the X report so far, the cash counted, then the Z report."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.ids import ShiftId, StaffId
from ui.i18n import N_, money, parse_yuan, translator
from ui.ops import Op
from ui.services import ShiftReport, TillServices
from ui.widgets import KeyButton, KeyMap

tr = translator("Shift")

TENDERS = {"cash": N_("Cash"), "card": N_("Card"), "mobile": N_("Mobile pay")}


def report_html(r: ShiftReport) -> str:
    title = tr("Z report no. {no}").format(no=r.z_no) if r.kind == "Z" else tr("X report (shift so far)")
    rows = [
        (tr("Sales"), str(r.sales)),
        (tr("Taken"), money(r.gross)),
        *[
            (tr("  by {tender}").format(tender=tr(TENDERS.get(k, k))), money(v))
            for k, v in sorted(r.by_tender.items())
        ],
        (tr("Refunds"), f"{r.refunds} · {money(r.refunded)}"),
        (tr("Member sales"), str(r.member_sales)),
        (tr("Coupon discounts"), money(r.coupon_discount)),
        (tr("Points earned / redeemed"), f"{r.points_earned:,} / {r.points_redeemed:,}"),
        (tr("Opening float"), money(r.opening_float)),
        (tr("Cash expected in the drawer"), money(r.expected_cash)),
    ]
    if r.counted_cash is not None:
        rows.append((tr("Cash counted"), money(r.counted_cash)))
        rows.append((tr("Over / short"), money(r.over_short or 0)))
    body = "".join(f"<tr><td>{k}</td><td align='right'>&nbsp;&nbsp;{v}</td></tr>" for k, v in rows)
    return f"<h3>{title}</h3><table>{body}</table>"


class ShiftDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        services: TillServices,
        staff_id: StaffId,
        shift_id: ShiftId,
        closed: Callable[[ShiftReport], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shift")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self.staff_id, self.shift_id, self.closed = services, staff_id, shift_id, closed
        self.report: ShiftReport | None = None
        self.z: ShiftReport | None = None
        self.printing = False
        self.view = QLabel(tr("Loading the X report…"))
        self.view.setObjectName("report")
        self.view.setTextFormat(Qt.TextFormat.RichText)
        self.counted_label = QLabel()
        self.counted = QLineEdit()
        self.counted.setObjectName("counted")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.ok = KeyButton("Enter")
        self.ok.clicked.connect(self.submit)
        self.print_button = KeyButton("F7")
        self.print_button.setObjectName("printReport")
        self.print_button.clicked.connect(self.print_report)
        self.print_button.setEnabled(False)
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        col = QVBoxLayout(self)
        col.addWidget(self.view)
        col.addWidget(self.counted_label)
        col.addWidget(self.counted)
        col.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.ok)
        row.addWidget(self.print_button)
        row.addWidget(self.cancel)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.submit)
        keys.bind(Qt.Key.Key_Enter, self.submit)
        keys.bind(Qt.Key.Key_F7, self.print_report)
        keys.watch(self.counted)
        self.retranslate()
        self.counted.setFocus()
        services_, sid = services, shift_id
        Op(self, lambda: services_.x_report(sid)).success(self._x).failure(
            lambda exc, text: self.message.setText(text)
        ).run()

    def _x(self, report: ShiftReport) -> None:
        self.report = report
        self.view.setText(report_html(report))
        self.print_button.setEnabled(True)

    def print_report(self) -> None:
        """Print the report on screen (the X report, or the Z report once the shift is closed)."""
        report = self.z or self.report
        if report is None or self.printing:
            return
        self.printing = True
        services = self.services
        after = " " + tr("The shift is closed. Press Enter to sign out.") if self.z else ""
        done = tr("Z report printed.") if report.kind == "Z" else tr("X report printed.")
        Op(self, lambda: services.print_shift_report(report)).success(
            lambda _p: self.message.setText(done + after)
        ).failure(lambda exc, text: self.message.setText(text + after)).finally_(self._printed).run()

    def _printed(self) -> None:
        self.printing = False

    def submit(self) -> None:
        if self.z is not None:
            self.accept()
            self.closed(self.z)
            return
        fen = parse_yuan(self.counted.text())
        if fen is None:
            self.message.setText(tr("Count the cash in the drawer and type it in yuan."))
            return
        services, sid, staff = self.services, self.shift_id, self.staff_id
        Op(self, lambda: services.close_shift(sid, staff, fen)).success(self._z).failure(
            lambda exc, text: self.message.setText(text)
        ).run()

    def _z(self, report: ShiftReport) -> None:
        self.z = report
        self.print_button.set_label(tr("Print Z report"))
        self.view.setText(report_html(report))
        self.counted.setEnabled(False)
        self.message.setText(tr("The shift is closed. Press Enter to sign out."))
        self.ok.set_label(tr("Sign out"))
        self.cancel.hide()
        self.print_report()  # the Z report is printed at the close; F7 prints it again

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Close shift"))
        self.counted_label.setText(tr("Cash counted in the drawer (¥)"))
        self.ok.set_label(tr("Sign out") if self.z else tr("Close shift (Z report)"))
        self.cancel.set_label(tr("Cancel"))
        self.print_button.set_label(tr("Print Z report") if self.z else tr("Print X report"))
        if self.z or self.report:
            self.view.setText(report_html(self.z or self.report))  # type: ignore[arg-type]
