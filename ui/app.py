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
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)


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
    function that closes everything it opened.

    What the sign-in screen does not need waits in ``window.deferred`` (run by
    ``window.run_deferred()`` once the window is on screen): the camera and serial readers
    (OpenCV, zbar and numpy take a few hundred ms to import) and the sync worker. The
    keyboard-wedge reader is plain Qt and starts with the window."""
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
    cfg = services.config.scanner
    scanners = []
    if with_readers:
        from hardware.scanner.wedge import WedgeScanner

        scanners = [WedgeScanner(cfg.wedge_max_gap_ms, cfg.wedge_prefix, cfg.wedge_suffix)]
    window = MainWindow(guarded, languages, scanners)
    if with_readers:

        def device_readers() -> None:
            from hardware.scanner import scanners_from_config

            window.add_scanners(scanners_from_config(cfg))

        window.deferred.append(device_readers)
    window.deferred.append(services.start_sync)
    window.deferred.append(services.start_backups)

    def close_all() -> None:
        services.stop_sync()
        services.stop_backups()
        languages.uninstall()
        close()

    return window, close_all


def _since_start() -> float:
    return time.time() - float(os.environ.get("TILL_START_T0") or _IMPORTED_AT)


def _exit_when_shown() -> None:
    """Benchmarks: once the event loop has shown the login screen, print the time since
    TILL_START_T0 (a time.time() set by the caller at spawn; else since ui.app was imported).
    The till quits after its deferred start (readers, sync), which prints its own time."""
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: print(f"till: login screen shown after {_since_start():.3f} s", flush=True))


def _start_deferred(qt: QApplication, window: MainWindow, exit_after: bool) -> None:
    """After the first turn of the event loop (the login screen is on screen): the readers
    and the sync worker."""
    try:
        window.run_deferred()
    finally:
        if exit_after:
            print(f"till: readers and sync started after {_since_start():.3f} s", flush=True)
            qt.quit()


def run(home: Path, fullscreen: bool = False) -> int:
    """Open the till and show the cashier's window until it is closed (`fullscreen`: kiosk
    mode, the window covers the screen)."""
    if _no_display():
        print(
            "till: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Start the till "
            "from a desktop session, or set QT_QPA_PLATFORM=offscreen to run it headless.",
            file=sys.stderr,
        )
        return 1
    # The store's modules (SQLAlchemy, the use cases, the printer) first: imported after
    # PySide6, each module is read by PySide's import hook (about 0.15 s for SQLAlchemy's).
    import importlib

    for name in ("hardware.printer.factory", "ui.services"):
        importlib.import_module(name)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.ops import wait_idle

    qt = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qt, QApplication)
    style_app(qt)
    from app.config import ConfigError
    from app.files import DamagedFile

    try:
        window, close = build(home)
    except (DamagedFile, ConfigError) as exc:  # named, with what to do; never a traceback
        from ui.startup_error import refuse_to_start

        return refuse_to_start(qt, str(exc))
    window.show_on_screen(fullscreen or bool(os.environ.get("TILL_FULLSCREEN")))
    window.start()
    exit_after = bool(os.environ.get("TILL_EXIT_WHEN_SHOWN"))
    if exit_after:
        _exit_when_shown()
    QTimer.singleShot(0, lambda: _start_deferred(qt, window, exit_after))
    try:
        return int(qt.exec())
    finally:
        window.stop()
        wait_idle(10_000)
        close()
