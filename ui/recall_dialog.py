"""Recall a suspended sale: this till's suspended sales, oldest first; Up/Down, Enter."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLabel, QWidget

from app.domain.clock import local_time
from ui.i18n import money, translator
from ui.ops import Op
from ui.services import Suspended, TillServices
from ui.widgets import ListDialog

tr = translator("Recall")


class RecallDialog(ListDialog):
    """``pick(suspended)`` runs with the chosen sale; the dialog closes."""

    def __init__(self, parent: QWidget, services: TillServices, pick: Callable[[Suspended], None]) -> None:
        super().__init__(parent, "recall", "suspended")
        self.services, self._pick = services, pick
        self.zone = ZoneInfo(services.config.store.timezone)
        self.sales: list[Suspended] = []
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.content.insertWidget(0, self.title)
        self.keys.watch(self.list)
        self.resize(520, 420)
        self.retranslate()
        Op(self, services.suspended_sales).success(self._loaded).run()
        self.list.setFocus()

    def _loaded(self, sales: list[Suspended]) -> None:
        self.sales = sales
        rows = []
        for s in sales:
            at = local_time(s.at, self.zone).strftime("%H:%M")
            member = " · " + tr("member") if s.member else ""
            rows.append(
                tr("{at}  {items} items  {total}").format(at=at, items=s.items, total=money(s.total)) + member
            )
        self.show_rows(rows, tr("No suspended sales."))

    def chosen(self, row: int) -> None:
        self.accept()
        self._pick(self.sales[row])

    def choose(self) -> None:
        self.submit()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Recall a sale"))
        self.title.setText(tr("Suspended sales"))
        self.ok.set_label(tr("Recall"))
        self.cancel.set_label(tr("Cancel"))
