"""Member lookup: a phone number, card number or member code -> the member's details
(phone masked), and "use for this sale"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.i18n import translator
from ui.member_panel import LIFECYCLE, coupon_text, tier_name
from ui.member_panel import tr as member_tr
from ui.ops import Op
from ui.services import MemberView, TillServices
from ui.widgets import KeyButton, KeyMap

tr = translator("Lookup")


class LookupDialog(QDialog):
    """Enter looks the member up in the background; F1 (or the button) attaches the member
    found to the sale through ``use_member(view)``."""

    def __init__(
        self, parent: QWidget, services: TillServices, use_member: Callable[[MemberView], None]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lookup")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self.use_member = services, use_member
        self.member: MemberView | None = None
        self.busy = False
        self.query = QLineEdit()
        self.query.setObjectName("lookupQuery")
        self.details = QLabel()
        self.details.setObjectName("lookupDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.find_button = KeyButton("Enter")
        self.find_button.clicked.connect(self.search)
        self.use = KeyButton("F1")
        self.use.setObjectName("pay")
        self.use.clicked.connect(self.use_for_sale)
        self.use.setEnabled(False)
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        col = QVBoxLayout(self)
        self.prompt = QLabel()
        col.addWidget(self.prompt)
        col.addWidget(self.query)
        col.addWidget(self.details, 1)
        col.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.find_button)
        row.addWidget(self.use)
        row.addWidget(self.cancel)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.search)
        keys.bind(Qt.Key.Key_Enter, self.search)
        keys.bind(Qt.Key.Key_F1, self.use_for_sale)
        keys.watch(self.query)
        self.retranslate()
        self.query.setFocus()

    def search(self) -> None:
        text = self.query.text().strip()
        if self.busy or not text:
            return
        self.busy = True
        self.message.setText(tr("Looking up the member…"))
        services = self.services
        Op(self, lambda: services.lookup_member(text)).success(self._found).failure(self._not_found).finally_(
            self._idle
        ).run()

    def set_code(self, text: str) -> None:
        """A code scanned while the dialog is open: look it up."""
        self.query.setText(text)
        self.search()

    def _idle(self) -> None:
        self.busy = False

    def _found(self, member: MemberView) -> None:
        self.member = member
        self.message.setText(tr("Press F1 to use this member for the sale."))
        self.use.setEnabled(True)
        self.show_details()

    def _not_found(self, exc: BaseException, text: str) -> None:
        self.member = None
        self.use.setEnabled(False)
        self.details.clear()
        self.message.setText(text)
        self.query.selectAll()

    def show_details(self) -> None:
        m = self.member
        if m is None:
            return
        rows = [
            (tr("Phone"), m.masked_phone),
            (tr("Card"), m.card_no),
            (tr("Name"), m.name or "—"),
            (tr("Tier"), tier_name(m.tier)),
            (tr("Points"), f"{m.points_balance:,}"),
            (tr("Expiring soon"), f"{m.expiring_soon:,}"),
            (tr("Status"), member_tr(LIFECYCLE.get(m.lifecycle, m.lifecycle))),
            (tr("Member since"), f"{m.registered_at:%Y-%m-%d}"),
            (tr("Coupons"), "; ".join(f"{c.code} {coupon_text(c)}" for c in m.coupons) or "—"),
        ]
        if m.progress_text:
            rows.append((tr("Next tier"), m.progress_text))
        self.details.setText(
            "<table>"
            + "".join(f"<tr><td>{k}&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
            + "</table>"
        )

    def use_for_sale(self) -> None:
        if self.member is not None:
            self.use_member(self.member)
            self.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Find a member"))
        self.prompt.setText(tr("Phone number, card number or member code"))
        self.query.setPlaceholderText(tr("Mobile number, card number or member code"))
        self.find_button.set_label(tr("Find"))
        self.use.set_label(tr("Use for this sale"))
        self.cancel.set_label(tr("Cancel"))
        self.show_details()
