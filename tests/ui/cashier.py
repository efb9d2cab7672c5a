"""Driving the till as a cashier would: keys into the focused fields, waiting for screens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow

WAIT_MS = 10_000


def sign_in(
    qtbot: QtBot, window: MainWindow, login: str = "1001", pin: str = "1234", opening_float: str = "200"
) -> None:
    view = window.login
    qtbot.keyClicks(view.login, login)
    qtbot.keyClick(view.login, Qt.Key.Key_Return)
    qtbot.keyClicks(view.pin, pin)
    qtbot.keyClick(view.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: view.pages.currentIndex() == 1 or window.pages.currentWidget() is window.checkout,
        timeout=WAIT_MS,
    )
    if window.pages.currentWidget() is not window.checkout:
        view.float_field.clear()
        qtbot.keyClicks(view.float_field, opening_float)
        qtbot.keyClick(view.float_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.checkout, timeout=WAIT_MS)


def type_enter(qtbot: QtBot, field: QWidget, text: str) -> None:
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def key(
    qtbot: QtBot, field: QWidget, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(field, k, mods)


def priced(window: MainWindow) -> bool:
    s = window.checkout.state
    return bool(s.lines) and s.priced is not None
