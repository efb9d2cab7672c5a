"""The cashier application's entry point."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _no_display() -> bool:
    """On Linux without X or Wayland and no Qt platform chosen, Qt would abort; say why."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    )


def run(home: Path) -> int:
    """Open the till and show its window. The cashier screens arrive with the UI issue;
    until then the window says so and shows which store this till is."""
    if _no_display():
        print(
            "till: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Start the till "
            "from a desktop session, or set QT_QPA_PLATFORM=offscreen to run it headless.",
            file=sys.stderr,
        )
        return 1
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    from app.config import load_config

    config = load_config(home)
    qt = QApplication.instance() or QApplication(sys.argv)
    label = QLabel(
        f"<h2>Loyalty Till · 会员收银台</h2>"
        f"<p>{config.store.name_zh} — {config.store.name_en}<br>"
        f"store {config.store.store_id}, terminal {config.terminal.terminal_id}</p>"
        f"<p>The cashier screens are not built yet. Use the <code>till</code> commands "
        f"(<code>till --help</code>) meanwhile.</p><p>Home: {home}</p>"
    )
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWindowTitle("Loyalty Till")
    label.resize(640, 360)
    label.show()
    return int(qt.exec())
