"""The refund dialog's lines: each item with what is left to refund, and a quantity chosen
with large − / + / all buttons (touch targets of at least 44 px)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from ui.i18n import money, translator
from ui.services import RefundableLine
from ui.widgets import TOUCH_HEIGHT

tr = translator("Refund")


class QtyStepper(QWidget):
    """0 … maximum, with − and + buttons and "all"; `changed` on every change."""

    changed = Signal(int)

    def __init__(self, maximum: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max = max(0, maximum)
        self._value = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.minus = self._button("−", lambda: self.setValue(self._value - 1))
        self.label = QLabel("0")
        self.label.setObjectName("refundQty")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setMinimumWidth(48)
        self.plus = self._button("+", lambda: self.setValue(self._value + 1))
        self.all = self._button("", lambda: self.setValue(self._max))
        self.all.setMinimumWidth(72)
        for w in (self.minus, self.label, self.plus, self.all):
            row.addWidget(w)
        self.retranslate()
        self._update()

    def _button(self, text: str, action: Callable[[], None]) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName("stepper")
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setMinimumSize(TOUCH_HEIGHT, TOUCH_HEIGHT)
        b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        b.clicked.connect(action)
        return b

    def maximum(self) -> int:
        return self._max

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:  # the Qt spin box's name
        value = min(max(0, value), self._max)
        if value == self._value:
            return
        self._value = value
        self._update()
        self.changed.emit(value)

    def _update(self) -> None:
        self.label.setText(str(self._value))
        self.minus.setEnabled(self._value > 0)
        self.plus.setEnabled(self._value < self._max)
        self.all.setEnabled(self._value < self._max)

    def retranslate(self) -> None:
        self.all.setText(tr("All"))


class RefundLines(QScrollArea):
    """One row per sold line: name, sold / already refunded / left, paid, and the stepper."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refundLines")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inner = QWidget()
        self.grid = QGridLayout(self.inner)
        self.grid.setVerticalSpacing(6)
        self.grid.setHorizontalSpacing(18)
        self.grid.setColumnStretch(0, 1)
        self.setWidget(self.inner)
        self.steppers: list[QtyStepper] = []
        self.rows: list[tuple[RefundableLine, str]] = []
        self.headers = [QLabel() for _ in range(4)]
        for i, h in enumerate(self.headers):
            h.setObjectName("refundHeader")
            self.grid.addWidget(h, 0, i)
        self.retranslate()

    def show_lines(self, lines: tuple[RefundableLine, ...], names: list[str]) -> None:
        """`names`: each line's name as the receipt shows it (in the receipt's language)."""
        while self.grid.count() > len(self.headers):
            item = self.grid.takeAt(len(self.headers))
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.steppers, self.rows = [], []
        for i, line in enumerate(lines, start=1):
            name = names[i - 1] if i - 1 < len(names) else line.name
            label = QLabel(name)
            label.setWordWrap(True)
            label.setObjectName("refundItem")
            counts = QLabel()
            counts.setObjectName("refundCounts")
            paid = QLabel(money(line.paid))
            paid.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            stepper = QtyStepper(line.left)
            stepper.changed.connect(lambda _v: self.changed.emit())
            self.grid.addWidget(label, i, 0)
            self.grid.addWidget(counts, i, 1)
            self.grid.addWidget(paid, i, 2)
            self.grid.addWidget(stepper, i, 3)
            self.steppers.append(stepper)
            self.rows.append((line, name))
        self.grid.setRowStretch(len(lines) + 1, 1)
        self.retranslate()

    def chosen(self) -> dict[int, int]:
        pairs = zip(self.rows, self.steppers, strict=True)
        return {line.line_no: s.value() for (line, _name), s in pairs if s.value()}

    def name_of(self, line_no: int) -> str | None:
        return next((name for line, name in self.rows if line.line_no == line_no), None)

    def select_all(self) -> None:
        for s in self.steppers:
            s.setValue(s.maximum())

    def retranslate(self) -> None:
        titles = (tr("Item"), tr("Sold · refunded · left"), tr("Paid"), tr("Refund qty"))
        for h, text in zip(self.headers, titles, strict=True):
            h.setText(text)
        for row, ((line, _name), stepper) in enumerate(zip(self.rows, self.steppers, strict=True), start=1):
            counts = self.grid.itemAtPosition(row, 1)
            if counts is not None and isinstance(counts.widget(), QLabel):
                text = tr("{sold} · {refunded} · {left} left").format(
                    sold=line.sold, refunded=line.refunded, left=line.left
                )
                counts.widget().setText(text)  # type: ignore[union-attr]
            stepper.retranslate()
