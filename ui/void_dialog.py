"""Void the whole sale: a reason from a list, and a supervisor when the sale is above what
a cashier may void alone (till.toml `[checkout]`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.approval_dialog import ApprovalDialog
from ui.i18n import translator
from ui.ops import Op
from ui.sale_control import VOID_REASONS
from ui.widgets import KeyMap, ReasonList

tr = translator("Checkout")


class VoidDialog(ApprovalDialog):
    """``work(reason, login, pin)`` runs in the background (login and pin empty when no
    supervisor is needed); then ``done(result)``."""

    def __init__(
        self,
        parent: QWidget,
        what: str,
        needs_approval: bool,
        work: Callable[[str, str, str], Any],
        done: Callable[[Any], None],
    ) -> None:
        self.needs_approval = needs_approval
        self.reasons = ReasonList(VOID_REASONS, tr, "voidReasons")
        super().__init__(parent, what, lambda login, pin: work(self.reason(), login, pin), done)
        self.setObjectName("void")
        self.content.insertWidget(1, self.reasons)
        arrows = KeyMap(self)  # the reason, from the supervisor's fields too
        arrows.bind(Qt.Key.Key_Up, lambda: self.reasons.step(-1))
        arrows.bind(Qt.Key.Key_Down, lambda: self.reasons.step(1))
        arrows.watch(self.login, self.pin)
        picks = KeyMap(self)  # on the list: 1-4 pick a reason, Enter voids
        self.reasons.bind_digits(picks)
        picks.bind(Qt.Key.Key_Return, self.submit)
        picks.bind(Qt.Key.Key_Enter, self.submit)
        picks.watch(self.reasons)
        if needs_approval:
            self.login.setFocus()
        else:
            for w in (self.login, self.pin, self.login_label, self.pin_label):
                w.hide()
            self.reasons.setFocus()

    def reason(self) -> str:
        return self.reasons.reason()

    def submit(self) -> None:
        if self.needs_approval:
            super().submit()
            return
        if self.busy:
            return
        self.busy = True
        self.ok.setEnabled(False)
        work = self._work
        Op(self, lambda: work("", "")).success(self._approved).failure(self._refused).finally_(
            self._idle
        ).run()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(tr("Void the sale"))
        if hasattr(self, "reasons"):
            self.reasons.relabel()
        self.ok.set_label(tr("Void sale"))
