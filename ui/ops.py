"""Background operations for the cashier screens, in the spirit of Anki's ``CollectionOp``.

    Op(self, lambda: services.complete_sale(cmd)).success(self._sold).failure(self._failed).run()

* ``fn`` runs on the till's ONE worker thread (a ``QThreadPool`` limited to one thread), so
  database work, printing and lookups never block the GUI and never run two at a time.
* ``success(result)`` and ``failure(exc, message)`` run on the GUI thread (queued signals).
  ``message`` is the error in the cashier's language (:func:`ui.errors.message_for`).
* Without a failure callback, the error goes to the nearest parent with ``show_error(text)``.
* When ``parent`` has been deleted by the time the result arrives, the callbacks are skipped.

Which thread may call what: construct and ``run()`` an Op on the GUI thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from ui.errors import message_for

log = logging.getLogger(__name__)

T = TypeVar("T")

_pool: QThreadPool | None = None
_live: set[_Relay] = set()  # relays waiting for their result (keeps them alive until then)


def worker_pool() -> QThreadPool:
    """The one worker thread every Op runs on (made on first use)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setExpiryTimeout(-1)  # keep the thread: no start-up cost per operation
    return _pool


def is_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def in_flight() -> int:
    """Operations started and not yet delivered (for tests and a clean shutdown)."""
    return len(_live)


def wait_idle(msecs: int = 10_000) -> bool:
    """Block until the worker is idle and every result has been delivered (shutdown, tests)."""
    ok = worker_pool().waitForDone(msecs)
    QCoreApplication.processEvents()
    return ok and not _live


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, the GUI thread receives (queued)."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, op: Op[Any]) -> None:
        super().__init__()
        self._op = op
        self.done.connect(self._on_done)
        self.failed.connect(self._on_failed)

    @Slot(object)
    def _on_done(self, result: object) -> None:
        _live.discard(self)
        self._op._deliver_success(result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        _live.discard(self)
        assert isinstance(exc, BaseException)
        self._op._deliver_failure(exc)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # every error goes back to the GUI thread, none is lost
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


def _alive(obj: QObject | None) -> bool:
    if obj is None:
        return True
    import shiboken6

    return bool(shiboken6.isValid(obj))


class Op(Generic[T]):
    """A background operation: build it, attach callbacks, ``run()`` it."""

    def __init__(self, parent: QObject | None, fn: Callable[[], T]) -> None:
        self._parent = parent
        self._fn = fn
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException, str], None] | None = None
        self._finally: Callable[[], None] | None = None

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException, str], None]) -> Op[T]:
        self._failure = cb
        return self

    def finally_(self, cb: Callable[[], None]) -> Op[T]:
        """Runs after success or failure (re-enable a button, return focus)."""
        self._finally = cb
        return self

    def run(self) -> None:
        if not is_gui_thread():
            raise RuntimeError("an Op must be started from the GUI thread")
        relay = _Relay(self)
        _live.add(relay)
        worker_pool().start(_Job(self._fn, relay))

    # ----------------------------------------------------------- delivery (GUI thread)

    def _deliver_success(self, result: object) -> None:
        if not _alive(self._parent):
            return
        try:
            if self._success is not None:
                self._success(result)  # type: ignore[arg-type]
        finally:
            self._after()

    def _deliver_failure(self, exc: BaseException) -> None:
        if not _alive(self._parent):
            return
        text = message_for(exc)
        if not _expected(exc):
            log.error("background operation failed", exc_info=exc)
        try:
            if self._failure is not None:
                self._failure(exc, text)
            else:
                _show_error(self._parent, text)
        finally:
            self._after()

    def _after(self) -> None:
        if self._finally is not None:
            self._finally()


def _expected(exc: BaseException) -> bool:
    """Errors meant for the cashier (a rule, a wrong PIN, a printer out of paper)."""
    return hasattr(exc, "code") or type(exc).__name__ == "PrintError"


def _show_error(parent: QObject | None, text: str) -> None:
    obj = parent
    while obj is not None:
        show = getattr(obj, "show_error", None)
        if callable(show):
            show(text)
            return
        obj = obj.parent()
    log.warning("unshown error: %s", text)
