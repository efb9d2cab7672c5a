"""The cashier application's entry point: wiring the till, its printer and readers to the
screens (the composition root of the UI)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

_IMPORTED_AT = time.time()

STYLE = Path(__file__).resolve().parent.parent / "resources" / "styles" / "till.qss"
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
             "PingFang SC")


def _no_display() -> bool:
    """On Linux without X or Wayland and no Qt platform chosen, Qt would abort; say why."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    )


def style_app(app: QApplication) -> None:
    """The till's stylesheet and a font that has Chinese glyphs."""
    from PySide6.QtGui import QFont, QFontDatabase

    families = set(QFontDatabase.families())
    for name in CJK_FONTS:
        if name in families:
            app.setFont(QFont(name, 11))
            break
    if STYLE.exists():
        app.setStyleSheet(STYLE.read_text(encoding="utf-8"))


def build(home: Path, *, with_readers: bool = True) -> tuple[MainWindow, Callable[[], None]]:
    """Open the till in `home` and make its window (not shown). Returns the window and a
    function that closes everything it opened."""
    from hardware.printer.factory import make_printer
    from ui.i18n import QM_DIR_NAME, Languages, ensure_qm
    from ui.main_window import MainWindow
    from ui.services import open_services

    services, close = open_services(home, make_printer)
    guarded = services
    if os.environ.get("TILL_THREAD_GUARD"):
        from ui.threadguard import GuiThreadGuard

        guarded = GuiThreadGuard(services)  # type: ignore[assignment]
    languages = Languages(ensure_qm(home / QM_DIR_NAME), services.config.terminal.language)
    languages.apply(languages.current)
    scanners = []
    if with_readers:
        from hardware.scanner import scanners_from_config
        from hardware.scanner.wedge import WedgeScanner

        cfg = services.config.scanner
        scanners = [WedgeScanner(cfg.wedge_max_gap_ms, cfg.wedge_prefix, cfg.wedge_suffix),
                    *scanners_from_config(cfg)]
    window = MainWindow(guarded, languages, scanners)
    services.start_sync()

    def close_all() -> None:
        services.stop_sync()
        languages.uninstall()
        close()

    return window, close_all


def _exit_when_shown(qt: QApplication) -> None:
    """Benchmarks: once the event loop has shown the login screen, print the time since
    TILL_START_T0 (a time.time() set by the caller at spawn; else since ui.app was imported)
    and quit."""
    from PySide6.QtCore import QTimer

    def shown() -> None:
        t0 = float(os.environ.get("TILL_START_T0") or _IMPORTED_AT)
        print(f"till: login screen shown after {time.time() - t0:.3f} s", flush=True)
        qt.quit()

    QTimer.singleShot(0, shown)


def run(home: Path) -> int:
    """Open the till and show the cashier's window until it is closed."""
    if _no_display():
        print(
            "till: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Start the till "
            "from a desktop session, or set QT_QPA_PLATFORM=offscreen to run it headless.",
            file=sys.stderr,
        )
        return 1
    from PySide6.QtWidgets import QApplication

    from ui.ops import wait_idle

    qt = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qt, QApplication)
    style_app(qt)
    window, close = build(home)
    window.show()
    window.start()
    if os.environ.get("TILL_EXIT_WHEN_SHOWN"):
        _exit_when_shown(qt)
    try:
        return int(qt.exec())
    finally:
        window.stop()
        wait_idle(10_000)
        close()
