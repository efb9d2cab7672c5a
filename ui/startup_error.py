"""What the cashier sees when the till cannot start on its files (a damaged or foreign
`till.db`, an unreadable key or configuration): one dialog, in Chinese and English, naming
the file and what to do; the same text on standard error. Never a traceback."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

TITLE = "Loyalty Till · 会员收银台"
ZH_INTRO = (
    "收银台无法启动：下面这个文件无法使用，已原样保留，没有做任何改动。\n"
    "请联系门店 IT：恢复最近一次备份，或把该文件移走后从服务器重新同步。"
)
EN_INTRO = "The till cannot start: the file below cannot be used. It was left exactly as it was."


def startup_dialog(message: str) -> QMessageBox:
    """The dialog (not shown): Chinese first, then English, then the file and what to do."""
    box = QMessageBox(QMessageBox.Icon.Critical, TITLE, f"{ZH_INTRO}\n\n{EN_INTRO}")
    box.setInformativeText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setMinimumWidth(520)
    return box


def refuse_to_start(qt: QApplication, message: str) -> int:
    """Say why the till cannot start (dialog and standard error); returns the exit status.
    With TILL_EXIT_WHEN_SHOWN set (tests, benchmarks) the dialog closes once shown."""
    print(f"till: {message}", file=sys.stderr, flush=True)
    box = startup_dialog(message)
    if os.environ.get("TILL_EXIT_WHEN_SHOWN"):
        QTimer.singleShot(0, box.accept)
    box.exec()
    qt.processEvents()
    return 1
