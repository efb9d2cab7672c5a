"""The keyboard-wedge reader: a USB barcode scanner that types its codes like a keyboard.

A Qt event filter on the application tells a scanner's burst from a person's typing:

* a scanner types every character within ``max_gap_ms`` of the one before and ends with
  Enter or Tab (optionally after a configured prefix and suffix);
* a person is slower than that between keys (and is never that fast for a whole code).

Key presses that could be the start of a burst are held back, not delivered. When the burst
ends with the terminator it is a scan: the held keys and the terminator are swallowed, so no
scanned character reaches the focused text field. When a gap longer than ``max_gap_ms``
comes first (a person typing a phone number), the held keys are replayed to the widget that
had the focus, in order, within a few tens of milliseconds, so typing is never lost.

Gaps are measured with the key events' own timestamps (taken when the key was pressed, so a
busy GUI thread that delivers queued keys late does not make typing look like a burst);
events without a timestamp fall back to the monotonic clock. ``clock`` is injectable.

This is the only module in ``hardware/`` that imports Qt; nothing imports it at start-up
except the UI. Everything here runs on the GUI thread, including the scan handler.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent

from app.ports import DeviceState, DeviceStatus, Scan, ScanHandler, ScanSource, StatusHandler
from hardware.scanner.text import guess_symbology

_TERMINATORS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab}
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


def event_time_ms(event: QKeyEvent) -> float:
    """The key's own timestamp in ms, else the monotonic clock's."""
    stamp = event.timestamp()
    return float(stamp) if stamp else time.monotonic() * 1000.0


@dataclass(frozen=True, slots=True)
class _Held:
    target: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    at: float


class WedgeScanner(QObject):
    """A :class:`app.ports.Scanner` for keyboard-wedge readers. ``start`` installs the filter
    on the running QApplication; ``stop`` removes it and hands back any held keys."""

    def __init__(
        self,
        max_gap_ms: int = 30,
        prefix: str = "",
        suffix: str = "",
        min_length: int = 4,
        clock: Callable[[QKeyEvent], float] = event_time_ms,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._max_gap = float(max_gap_ms)
        self._prefix, self._suffix = prefix, suffix
        self._min_length = max(1, min_length)
        self._clock = clock
        self._wall_clock = wall_clock
        self._held: list[_Held] = []
        self._replaying = False
        self._installed_on: QCoreApplication | None = None
        self._on_scan: ScanHandler = lambda scan: None
        self._status = DeviceStatus(DeviceState.NO_DEVICE, "The barcode reader has not been started.")
        # Releases held keys when no key follows: a person's key shows up within ~2 gaps.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(self._max_gap * 2))
        self._timer.timeout.connect(self._release)

    # ------------------------------------------------------------ Scanner protocol

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def start(self, on_scan: ScanHandler, on_status: StatusHandler) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("the keyboard-wedge reader needs a running QApplication")
        self._on_scan = on_scan
        if self._installed_on is None:
            app.installEventFilter(self)
            self._installed_on = app
        # A wedge reader is a keyboard: there is no device to find, it is always ready.
        self._status = DeviceStatus(DeviceState.READY)
        on_status(self._status)

    def stop(self) -> None:
        self._release()
        if self._installed_on is not None:
            self._installed_on.removeEventFilter(self)
            self._installed_on = None
        self._timer.stop()

    # ------------------------------------------------------------ the filter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        if watched is not _focus_target(watched):
            return False  # the window before the widget, or a parent it propagates to
        assert isinstance(event, QKeyEvent)
        now = self._clock(event)
        key = Qt.Key(event.key())
        if self._held and now - self._held[-1].at > self._max_gap:
            self._release()
        if event.isAutoRepeat() or event.modifiers() & _COMMAND_MODIFIERS:
            self._release()
            return False
        if key in _TERMINATORS:
            if self._held and self._finish():
                return True
            self._release()
            return False
        text = event.text()
        if len(text) != 1 or not text.isprintable():
            self._release()
            return False
        self._held.append(_Held(watched, int(key), event.modifiers(), text, now))
        self._timer.start()
        return True

    def _finish(self) -> bool:
        """The terminator came within the gap: deliver a scan if the burst is one."""
        typed = "".join(h.text for h in self._held)
        if len(typed) < self._min_length + len(self._prefix) + len(self._suffix):
            return False
        if not (typed.startswith(self._prefix) and typed.endswith(self._suffix)):
            return False
        payload = typed[len(self._prefix) : len(typed) - len(self._suffix)]
        self._held.clear()
        self._timer.stop()
        self._on_scan(Scan(payload, guess_symbology(payload), ScanSource.WEDGE, self._wall_clock()))
        return True

    def _release(self) -> None:
        """Not a scan: give the held keys, in order, to the widgets they were meant for."""
        self._timer.stop()
        held, self._held = self._held, []
        if not held:
            return
        self._replaying = True
        try:
            for h in held:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    try:
                        QCoreApplication.sendEvent(h.target, QKeyEvent(kind, h.key, h.modifiers, h.text))
                    except RuntimeError:  # the widget was closed in the meantime
                        break
        finally:
            self._replaying = False


def _focus_target(watched: QObject) -> QObject | None:
    from PySide6.QtGui import QGuiApplication, QWindow

    focus = QGuiApplication.focusObject()
    if focus is None and isinstance(watched, QWindow):
        return watched
    return focus
