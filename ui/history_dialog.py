"""A member's recent purchases at this till (from the member panel, Ctrl+H): the visits,
newest first, with date, receipt, items, total and points; the selected visit's lines below.
Up/Down choose a visit, Esc or Enter closes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QWidget

from ui.i18n import money, translator
from ui.ops import Op
from ui.services import MemberView, TillServices, Visit
from ui.widgets import ListDialog

tr = translator("History")


def _kg(grams: int) -> str:
    return f"{grams // 1000}.{grams % 1000:03d} kg"


class HistoryDialog(ListDialog):
    """Shows `member`'s visits; changes nothing."""

    def __init__(self, parent: QWidget, services: TillServices, member: MemberView) -> None:
        super().__init__(parent, "history", "visits")
        self.services, self.member = services, member
        self.zone = ZoneInfo(services.config.store.timezone)
        self.visits: list[Visit] = []
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.summary = QLabel()
        self.lines = QListWidget()
        self.lines.setObjectName("visitLines")
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.content.insertWidget(0, self.title)
        self.content.addWidget(self.summary)
        self.content.addWidget(self.lines, 1)
        self.list.currentRowChanged.connect(self._show_lines)
        self.keys.watch(self.list)
        self.cancel.hide()
        self.resize(640, 560)
        self.retranslate()
        member_id = member.id
        Op(self, lambda: services.member_history(member_id)).success(self._loaded).run()
        self.list.setFocus()

    def _loaded(self, visits: list[Visit]) -> None:
        self.visits = visits
        rows = []
        for v in visits:
            at = v.at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
            row = tr("{at}  {items} items  {total}  +{points} points").format(
                at=at, items=v.items, total=money(v.total_due), points=f"{v.points_earned:,}"
            )
            if v.refunded:
                row += "  · " + tr("refunded {amount}").format(amount=money(v.refunded))
            rows.append(f"{row}   {v.receipt_no}")
        self.show_rows(rows, tr("No purchases at this till yet."))
        total = sum(v.total_due - v.refunded for v in visits)
        self.summary.setText(
            tr("{n} visits, {total} in all").format(n=len(visits), total=money(total)) if visits else ""
        )
        self._show_lines(self.list.currentRow())

    def _show_lines(self, row: int) -> None:
        self.lines.clear()
        if not 0 <= row < len(self.visits):
            return
        for ln in self.visits[row].lines:
            qty = _kg(ln.grams) if ln.grams is not None else f"× {ln.qty}"
            self.lines.addItem(f"{ln.name}   {qty}   {money(ln.line_total)}")

    def chosen(self, row: int) -> None:
        self.accept()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Purchase history"))
        self.title.setText(tr("Purchase history of {member}").format(member=self.member.masked_phone))
        self.ok.set_label(tr("Close"))
        self.cancel.set_label(tr("Cancel"))
        if self.visits:
            self._loaded(self.visits)
