"""Recall a suspended sale: this till's suspended sales, oldest first; Up/Down, Enter."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from app.domain.clock import local_time
from ui.i18n import money, translator
from ui.ops import Op
from ui.services import Suspended, TillServices
from ui.widgets import KeyButton, KeyMap

tr = translator("Recall")


class RecallDialog(QDialog):
    """``pick(suspended)`` runs with the chosen sale; the dialog closes."""

    def __init__(self, parent: QWidget, services: TillServices, pick: Callable[[Suspended], None]) -> None:
        super().__init__(parent)
        self.setObjectName("recall")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self._pick = services, pick
        self.zone = ZoneInfo(services.config.store.timezone)
        self.sales: list[Suspended] = []
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.list = QListWidget()
        self.list.setObjectName("suspended")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.ok = KeyButton("Enter")
        self.ok.clicked.connect(self.choose)
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        col = QVBoxLayout(self)
        col.addWidget(self.title)
        col.addWidget(self.list, 1)
        col.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.ok)
        row.addWidget(self.cancel)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.choose)
        keys.bind(Qt.Key.Key_Enter, self.choose)
        keys.watch(self.list)
        self.resize(520, 420)
        self.retranslate()
        Op(self, services.suspended_sales).success(self._loaded).run()
        self.list.setFocus()

    def _loaded(self, sales: list[Suspended]) -> None:
        self.sales = sales
        self.list.clear()
        for s in sales:
            at = local_time(s.at, self.zone).strftime("%H:%M")
            member = " · " + tr("member") if s.member else ""
            self.list.addItem(
                tr("{at}  {items} items  {total}").format(at=at, items=s.items, total=money(s.total)) + member
            )
        if sales:
            self.list.setCurrentRow(0)
        self.message.setText("" if sales else tr("No suspended sales."))

    def choose(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.sales):
            self.accept()
            self._pick(self.sales[row])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Recall a sale"))
        self.title.setText(tr("Suspended sales"))
        self.ok.set_label(tr("Recall"))
        self.cancel.set_label(tr("Cancel"))
