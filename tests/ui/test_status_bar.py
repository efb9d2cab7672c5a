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


def test_a_bad_sync_toml_value_is_named_in_the_status_bar_not_a_traceback(  # type: ignore[no-untyped-def]
    qtbot: QtBot, tmp_path, clock, caplog
) -> None:
    """The cashier app starts sync after the window: a `[worker]` value out of range keeps the
    worker from starting; the status bar names the file, the setting and its range."""
    from app.config import DEFAULT_CONFIG_TEXT
    from app.services.context import open_till
    from hardware.printer.factory import make_printer
    from sync.enrol import enrol
    from tests.conftest import FAST_HASHER
    from tests.sync.standin import StandIn
    from ui.services import TillServices

    server = StandIn().start()
    home = tmp_path / "till"
    home.mkdir()
    (home / "till.toml").write_text(
        DEFAULT_CONFIG_TEXT.replace('# url = "https://hq.example.com"', f'url = "{server.url}"')
    )
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        enrol(ctx, server.url, "ENROL-123456")
        (home / "sync.toml").write_text("[worker]\ninterval_s = 0\n")
        services = TillServices(ctx, make_printer(ctx.config.printer, home))
        w = MainWindow(services)
        qtbot.addWidget(w)
        w.deferred.append(services.start_sync)  # as ui.app does
        w.run_deferred()
        assert "deferred start-up step failed" not in caplog.text
        w.status.poll()
        qtbot.waitUntil(lambda: "interval_s" in w.status.server.text(), timeout=WAIT_MS)
        text = w.status.server.text()
        assert "sync.toml" in text and "must be from 1 to 86400" in text and "Traceback" not in text
        assert services.sync_status() is not None and services.sync_status().state == "error"  # type: ignore[union-attr]
        services.stop_sync()
    finally:
        ctx.close()
        server.stop()
