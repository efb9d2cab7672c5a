"""The status bar tells the cashier, in words, what waits to sync and what works offline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.main_window import MainWindow

YOGURT = "6902345678901"


def test_events_waiting_and_the_offline_rules_are_shown(qtbot: QtBot, services, staff, products) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.start()
    try:
        sign_in(qtbot, w)
        qtbot.waitUntil(lambda: w.status.offline_rules != {}, timeout=WAIT_MS)
        rules = w.status.server.toolTip()
        assert "离线时可以" in rules or "While offline you can" in rules
        w.status.poll()
        qtbot.waitUntil(lambda: w.status.pending_count is not None, timeout=WAIT_MS)
        before = w.status.pending_count
        co = w.checkout
        type_enter(qtbot, co.scan, YOGURT)
        qtbot.waitUntil(lambda: priced(w), timeout=WAIT_MS)
        key(qtbot, co.scan, Qt.Key.Key_F9)  # card
        key(qtbot, co.scan, Qt.Key.Key_F12)  # complete
        qtbot.waitUntil(lambda: co.last_receipt is not None, timeout=WAIT_MS)
        w.status.poll()
        qtbot.waitUntil(lambda: (w.status.pending_count or 0) > (before or 0), timeout=WAIT_MS)
        assert str(w.status.pending_count) in w.status.pending.text()
    finally:
        w.stop()


def test_adjustments_held_or_rejected_by_hq_are_shown(qtbot: QtBot, services) -> None:  # type: ignore[no-untyped-def]
    from sync.worker import SyncStatus
    from ui.status_bar import TillStatusBar

    bar = TillStatusBar(services)
    qtbot.addWidget(bar)
    bar.set_sync(SyncStatus(state="online", held=2, rejected_by_hq=1))
    text = bar.server.text()
    assert ("2 points adjustments held for HQ" in text and "1 points adjustment rejected by HQ" in text) or (
        "2 笔积分调整待总部审批" in text and "1 笔积分调整被总部驳回" in text
    )
    bar.set_sync(SyncStatus(state="online"))
    assert "HQ" not in bar.server.text() and "总部" not in bar.server.text()
