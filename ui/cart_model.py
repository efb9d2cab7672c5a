"""The cart as a Qt table: the controller's lines with the newest quote's figures."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ui.checkout_controller import CheckoutController
from ui.checkout_text import line_cells
from ui.i18n import translator

tr = translator("Checkout")

_Index = QModelIndex | QPersistentModelIndex


class CartModel(QAbstractTableModel):
    """Item, qty, list unit price, saving, amount (qty × price − saving = amount)."""

    horizontal = Qt.Orientation.Horizontal

    def __init__(self, co: CheckoutController) -> None:
        super().__init__()
        self.co = co

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.co.state.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (tr("Item"), tr("Qty"), tr("Price"), tr("Discount"), tr("Amount"))[section]

    def data(self, index: _Index, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.co.state.lines):
            return None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        sku = self.co.state.lines[index.row()].sku
        return line_cells(self.co.state, index.row(), self.co.name_of(sku))[col]

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()
