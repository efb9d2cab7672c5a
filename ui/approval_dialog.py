"""A supervisor approves an action with their staff number and PIN."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from ui.i18n import translator
from ui.ops import Op
from ui.widgets import TillDialog

tr = translator("Approval")


class ApprovalDialog(TillDialog):
    """``work(login, pin)`` runs in the background; on success the dialog closes and
    ``done(result)`` runs; a refusal (wrong PIN, not a supervisor) stays in the dialog."""

    def __init__(
        self, parent: QWidget, what: str, work: Callable[[str, str], Any], done: Callable[[Any], None]
    ) -> None:
        super().__init__(parent, "approval")
        self._work, self._done = work, done
        self.what = QLabel(what)
        self.what.setWordWrap(True)
        self.login = QLineEdit()
        self.login.setObjectName("supervisor")
        self.pin = QLineEdit()
        self.pin.setObjectName("supervisorPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = QFormLayout()
        self.login_label = QLabel()
        self.form.addRow(self.login_label, self.login)
        self.pin_label = QLabel()
        self.form.addRow(self.pin_label, self.pin)
        self.content.addWidget(self.what)
        self.content.addLayout(self.form)
        self.keys.watch(self.login, self.pin)
        self.busy = False
        self.retranslate()
        self.login.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        login, pin = self.login.text().strip(), self.pin.text()
        if not login:
            self.login.setFocus()
            return
        if not pin:
            self.pin.setFocus()
            return
        self.busy = True
        self.ok.setEnabled(False)
        work = self._work
        Op(self, lambda: work(login, pin)).success(self._approved).failure(self._refused).finally_(
            self._idle
        ).run()

    def _idle(self) -> None:
        self.busy = False
        self.ok.setEnabled(True)

    def _approved(self, result: Any) -> None:
        self.accept()
        self._done(result)

    def _refused(self, exc: BaseException, text: str) -> None:
        self.message.setText(text)
        self.pin.clear()
        self.pin.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Supervisor approval"))
        self.login_label.setText(tr("Supervisor number"))
        self.pin_label.setText(tr("Supervisor PIN"))
        self.ok.set_label(tr("Approve"))
        self.cancel.set_label(tr("Cancel"))
