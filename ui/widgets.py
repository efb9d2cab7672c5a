"""Small widgets shared by the screens: buttons that show their key, the PIN keypad, a key
map that routes F-keys from whichever field has the focus, and the two dialog shapes every
counter dialog takes (:class:`TillDialog`, :class:`ListDialog`), and the numbered list of
reasons a void or a price change asks for (:class:`ReasonList`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

TOUCH_HEIGHT = 48  # touch targets: at least 44 px


class KeyButton(QPushButton):
    """A large button whose label shows the key that does the same (``Pay\\nF12``)."""

    def __init__(self, key_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key_label = key_label
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the focus
        self.setMinimumHeight(TOUCH_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_label(self, text: str) -> None:
        self.setText(f"{text}\n{self.key_label}" if self.key_label else text)


class KeyMap(QObject):
    """Installed on fields: a key press whose (key, modifiers) is mapped runs its action
    and is not typed into the field. Keys are handled before the field sees them, so the
    focused scan field never swallows F12 or Esc."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._actions: dict[tuple[int, int], Callable[[], None]] = {}

    def bind(
        self,
        key: Qt.Key,
        action: Callable[[], None],
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        self._actions[(int(key), int(modifiers.value))] = action

    def watch(self, *widgets: QWidget) -> None:
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        action = self._actions.get((event.key(), int(mods.value)))
        if action is None:
            return False
        action()
        return True


class Keypad(QWidget):
    """Digits for touch screens. It types into the field it is told to (``target``)."""

    entered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(6)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "⌫", "0", "↵"]
        self.buttons: dict[str, QPushButton] = {}
        for i, k in enumerate(keys):
            b = QPushButton(k)
            b.setObjectName("keypad")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumSize(72, TOUCH_HEIGHT)
            b.clicked.connect(lambda _=False, k=k: self._press(k))
            grid.addWidget(b, i // 3, i % 3)
            self.buttons[k] = b

    def _press(self, k: str) -> None:
        if k == "↵":
            self.entered.emit()
            return
        if self.target is None:
            return
        if k == "⌫":
            self.target.backspace()
        else:
            self.target.insert(k)


class TillDialog(QDialog):
    """A modal counter dialog: its own widgets in ``content``, then one message line and the
    OK (Enter) and Cancel (Esc) buttons. Enter in a field ``watch``-ed by ``keys`` submits;
    a language switch calls ``retranslate``. Subclasses fill ``content``, override
    ``submit`` and ``retranslate``, and call ``retranslate()`` at the end of their set-up."""

    def __init__(self, parent: QWidget | None, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.content = QVBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.ok = KeyButton("Enter")
        self.ok.clicked.connect(lambda: self.submit())
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.ok)
        self.buttons.addWidget(self.cancel)
        col = QVBoxLayout(self)
        col.addLayout(self.content, 1)
        col.addWidget(self.message)
        col.addLayout(self.buttons)
        self.keys = KeyMap(self)
        self.keys.bind(Qt.Key.Key_Return, lambda: self.submit())
        self.keys.bind(Qt.Key.Key_Enter, lambda: self.submit())

    def submit(self) -> None:
        self.accept()

    def retranslate(self) -> None:
        """Set every text in the current language (subclasses)."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ListDialog(TillDialog):
    """A :class:`TillDialog` around a list: Up/Down move (from any watched field), Enter or a
    double click/tap chooses the current row (``chosen(row)``, for subclasses)."""

    def __init__(self, parent: QWidget | None, name: str, list_name: str) -> None:
        super().__init__(parent, name)
        self.list = QListWidget()
        self.list.setObjectName(list_name)
        self.list.itemActivated.connect(lambda _: self.submit())
        self.content.addWidget(self.list, 1)
        self.keys.bind(Qt.Key.Key_Up, lambda: self.step_row(-1))
        self.keys.bind(Qt.Key.Key_Down, lambda: self.step_row(1))

    def show_rows(self, rows: list[str], empty: str = "") -> None:
        """Replace the list's rows (the first chosen); ``empty`` is the message when none."""
        self.list.clear()
        self.list.addItems(rows)
        if rows:
            self.list.setCurrentRow(0)
        self.message.setText("" if rows else empty)

    def step_row(self, step: int) -> None:
        count = self.list.count()
        if count:
            self.list.setCurrentRow(max(0, min(count - 1, self.list.currentRow() + step)))

    def current_row(self) -> int | None:
        row = self.list.currentRow()
        return row if 0 <= row < self.list.count() else None

    def submit(self) -> None:
        row = self.current_row()
        if row is not None:
            self.chosen(row)

    def chosen(self, row: int) -> None:
        self.accept()


class ReasonList(QListWidget):
    """A short numbered list of reasons, every one in view, each row a touch target; the
    reasons are kept in their source language (what the audit log stores) and shown through
    `label` (the dialog's translator), again on `relabel` after a language change."""

    def __init__(self, reasons: tuple[str, ...], label: Callable[[str], str], name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.reasons = reasons
        self._label = label
        for _ in reasons:
            item = QListWidgetItem()
            item.setSizeHint(QSize(0, TOUCH_HEIGHT))
            self.addItem(item)
        self.relabel()
        self.setCurrentRow(0)
        self.setFixedHeight(TOUCH_HEIGHT * len(reasons) + 2 * self.frameWidth() + 4)

    def relabel(self) -> None:
        for i, reason in enumerate(self.reasons):
            self.item(i).setText(f"{i + 1}  {self._label(reason)}")

    def reason(self) -> str:
        return self.reasons[max(0, self.currentRow())]

    def step(self, step: int) -> None:
        self.setCurrentRow(max(0, min(len(self.reasons) - 1, self.currentRow() + step)))

    def bind_digits(self, keys: KeyMap) -> None:
        """1-9 on `keys` pick that reason."""
        for n in range(1, min(9, len(self.reasons)) + 1):
            keys.bind(getattr(Qt.Key, f"Key_{n}"), partial(self.setCurrentRow, n - 1))
