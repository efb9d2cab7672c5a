"""A work-around for a reference-count bug in PySide6 6.12 ``Signal.emit``.

With PySide6 6.12.0 on Python 3.11, every ``SignalInstance.emit()`` returns ``True`` without
owning a reference to it: each call drops one reference to ``True`` (measured: -100 after
100 emits), and after a few hundred emits the process aborts with "Fatal Python error:
bool_dealloc: deallocating True or False". (Python 3.12+ makes True immortal, so it cannot
crash there.) ``emit(signal, *args)`` measures the loss once and gives the reference back
after every emit; where there is no loss it is a plain emit.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

_compensate: bool | None = None


def _probe() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _P(QObject):
        s = Signal()

    p = _P()
    before = sys.getrefcount(True)
    for _ in range(8):
        p.s.emit()
    return sys.getrefcount(True) - before <= -8


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, keeping the reference count of its result intact."""
    global _compensate
    if _compensate is None:
        _compensate = _probe()
        if _compensate:  # restore what the probe itself took
            for _ in range(8):
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    result = signal.emit(*args)
    if _compensate and result is not None:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
