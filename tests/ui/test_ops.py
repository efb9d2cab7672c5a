"""The background-operation helper and the GUI-thread guard."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.services.errors import Refused
from ui.ops import Op, in_flight, wait_idle
from ui.threadguard import GuiThreadGuard, GuiThreadViolation


def _gui() -> QThread:
    app = QCoreApplication.instance()
    assert app is not None
    return app.thread()


def test_work_runs_on_one_worker_and_results_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    workers: set[int] = set()
    delivered: list[tuple[int, bool]] = []

    def work(n: int) -> int:
        assert QThread.currentThread() is not _gui()
        workers.add(threading.get_ident())
        return n * n

    for n in range(5):
        Op(parent, lambda n=n: work(n)).success(
            lambda r: delivered.append((r, QThread.currentThread() is _gui()))
        ).run()
    qtbot.waitUntil(lambda: len(delivered) == 5)
    assert delivered == [(n * n, True) for n in range(5)]  # in order: one worker
    assert len(workers) == 1
    assert in_flight() == 0


def test_a_till_error_becomes_the_cashiers_message(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    got: list[tuple[str, str]] = []

    def refuse() -> None:
        raise Refused("Another staff member must approve this.", code="self_approval")

    Op(parent, refuse).failure(lambda exc, text: got.append((type(exc).__name__, text))).run()
    qtbot.waitUntil(lambda: bool(got))
    assert got == [("Refused", "Another staff member must approve this.")]


def test_without_a_failure_callback_the_error_goes_to_show_error(qtbot: QtBot) -> None:
    class Screen(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.errors: list[str] = []

        def show_error(self, text: str) -> None:
            self.errors.append(text)

    screen = Screen()
    qtbot.addWidget(screen)
    child = QWidget(screen)
    Op(child, lambda: 1 / 0).run()
    qtbot.waitUntil(lambda: bool(screen.errors))
    assert "division by zero" in screen.errors[0]


def test_results_for_a_closed_screen_are_dropped(qtbot: QtBot) -> None:
    parent = QWidget()
    hits: list[int] = []
    release = threading.Event()
    Op(parent, lambda: release.wait(5) and 1).success(hits.append).run()
    shiboken6.delete(parent)
    release.set()
    assert wait_idle()
    assert hits == []


def test_the_guard_fails_a_service_call_made_on_the_gui_thread(qtbot: QtBot) -> None:
    class Slow:
        label = "printer"

        def print_receipt(self) -> str:
            return "printed"

    found: list[str] = []
    guarded = GuiThreadGuard(Slow(), found)
    assert guarded.label == "printer"  # plain values pass
    with pytest.raises(GuiThreadViolation):
        guarded.print_receipt()
    assert found and "print_receipt() ran on the GUI thread" in found[0]

    results: list[str] = []
    parent = QWidget()
    qtbot.addWidget(parent)
    Op(parent, guarded.print_receipt).success(results.append).run()
    qtbot.waitUntil(lambda: results == ["printed"])
    assert len(found) == 1  # the background call was allowed


_REFCOUNT_PROBE = """
import gc, sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
from ui.ops import Op, wait_idle
parent, done = QWidget(), []
gc.collect()
none0, true0 = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(3000):
    Op(parent, lambda: None).success(lambda r: done.append(1)).run()
while len(done) < 3000:
    app.processEvents()
wait_idle(10_000)
gc.collect()
print(sys.getrefcount(None) - none0, sys.getrefcount(True) - true0)
"""


def test_a_day_of_background_operations_keeps_reference_counts_intact() -> None:
    """A till runs tens of thousands of operations a day. PySide6 6.12.0's Signal.emit dropped
    a reference to True and to None on every call, which aborts Python after a few thousand;
    this fails on such a build (pyproject.toml keeps it out). Run in a fresh interpreter so
    that objects other tests leave behind cannot move the counts."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", _REFCOUNT_PROBE], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]  # an abort ("deallocating None") lands here
    none_delta, true_delta = (int(v) for v in out.stdout.split())
    # A count that falls with every emit reaches zero and aborts the process; one that grows
    # (extension code keeping references to these never-freed singletons) is harmless.
    assert none_delta > -300 and true_delta > -300, (none_delta, true_delta)
