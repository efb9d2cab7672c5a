"""Small widgets shared by the screens: buttons that show their key, the PIN keypad, and
a key map that routes F-keys from whichever field has the focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

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
