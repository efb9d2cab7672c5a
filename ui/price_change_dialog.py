"""A manual discount or a new price for the selected line: the kind, the amount, a reason
from a list, and the supervisor's number and PIN, in one dialog (Ctrl+D). The supervisor's
role decides how far below the list price the line may go (the program's limits)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.approval_dialog import ApprovalDialog
from ui.i18n import translator
from ui.price_control import PRICE_REASONS, parse_change
from ui.services import ManualChange
from ui.widgets import TOUCH_HEIGHT, KeyMap, ReasonList

tr = translator("Checkout")


class PriceChangeDialog(ApprovalDialog):
    """``work(change, login, pin)`` runs in the background; then ``done(approved)``."""

    def __init__(
        self,
        parent: QWidget,
        what: str,
        work: Callable[[ManualChange, str, str], Any],
        done: Callable[[Any], None],
    ) -> None:
        self.kind = "discount"
        self.value = QLineEdit()
        self.reasons = ReasonList(PRICE_REASONS, tr, "priceReasons")
        self.discount_button = QPushButton()
        self.price_button = QPushButton()
        self.value_label = QLabel()
        self._change: ManualChange | None = None
        super().__init__(parent, what, lambda login, pin: work(self._ready(), login, pin), done)
        self.setObjectName("priceChange")
        self.value.setObjectName("priceValue")
        kinds = QHBoxLayout()
        for kind, b in (("discount", self.discount_button), ("price", self.price_button)):
            b.setObjectName("priceKind")
            b.setCheckable(True)
            b.setMinimumHeight(TOUCH_HEIGHT)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(partial(self.set_kind, kind))
            kinds.addWidget(b)
        amount = QFormLayout()
        amount.addRow(self.value_label, self.value)
        self.content.insertLayout(1, kinds)
        self.content.insertLayout(2, amount)
        self.content.insertWidget(3, self.reasons)
        self.keys.watch(self.value)
        arrows = KeyMap(self)  # the reason, from every field
        arrows.bind(Qt.Key.Key_Up, lambda: self.reasons.step(-1))
        arrows.bind(Qt.Key.Key_Down, lambda: self.reasons.step(1))
        arrows.bind(
            Qt.Key.Key_D,
            lambda: self.set_kind("price" if self.kind == "discount" else "discount"),
            Qt.KeyboardModifier.ControlModifier,
        )
        arrows.watch(self.value, self.login, self.pin)
        self.set_kind("discount")
        self.resize(560, self.sizeHint().height())
        self.value.setFocus()

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.discount_button.setChecked(kind == "discount")
        self.price_button.setChecked(kind == "price")
        self.retranslate()

    def reason(self) -> str:
        return self.reasons.reason()

    def _ready(self) -> ManualChange:
        assert self._change is not None
        return self._change

    def submit(self) -> None:
        if self.busy:
            return
        self._change = parse_change(self.kind, self.value.text(), self.reason())
        if self._change is None:
            self.message.setText(
                tr("Type the percent off (1-100).")
                if self.kind == "discount"
                else tr("Type the new price in yuan.")
            )
            self.value.setFocus()
            return
        self.message.setText("")
        if self.value.hasFocus() and not self.login.text().strip():
            self.login.setFocus()
            return
        super().submit()

    def retranslate(self) -> None:
        super().retranslate()
        if not hasattr(self, "kind"):
            return
        self.setWindowTitle(tr("Change the price"))
        self.reasons.relabel()
        self.discount_button.setText(tr("Percent off"))
        self.price_button.setText(tr("New price"))
        self.value_label.setText(tr("Percent off") if self.kind == "discount" else tr("New price (yuan)"))
        self.value.setPlaceholderText("10" if self.kind == "discount" else "9.90")
        self.ok.set_label(tr("Approve the price"))
