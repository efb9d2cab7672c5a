"""The cart as a Qt table: the controller's lines with the newest quote's figures."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ui.checkout_controller import CheckoutController
from ui.checkout_text import line_cells
from ui.i18n import translator

tr = translator("Checkout")

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY, _ALIGN = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole


class CartModel(QAbstractTableModel):
    """Item, qty, list unit price, saving, amount (qty × price − saving = amount)."""

    horizontal = Qt.Orientation.Horizontal

    def __init__(self, co: CheckoutController) -> None:
        super().__init__()
        self.co = co
        self._rows = 0  # rows the view knows of
        self._cells: dict[int, tuple[str, ...]] = {}  # row -> its cells, until the next refresh

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (tr("Item"), tr("Qty"), tr("Price"), tr("Discount"), tr("Amount"))[section]

    def data(self, index: _Index, role: int = 0) -> Any:
        col = index.column()
        if role == _ALIGN:
            return _RIGHT if col > 0 else None
        if role != _DISPLAY:
            return None
        row = index.row()
        cells = self._cells.get(row)
        if cells is None:
            lines = self.co.state.lines
            if not 0 <= row < len(lines):
                return None
            cells = self._cells[row] = line_cells(self.co.state, row, self.co.name_of(lines[row].sku), tr)
        return cells[col]

    def refresh(self) -> None:
        """The cart changed: a line added at the end is inserted (the view then draws only
        what it shows); anything else redraws the rows in place, or resets when rows went."""
        self._cells.clear()
        rows = len(self.co.state.lines)
        if rows > self._rows:
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, 4))
            self.beginInsertRows(QModelIndex(), self._rows, rows - 1)
            self._rows = rows
            self.endInsertRows()
        elif rows == self._rows:
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, 4))
        else:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
