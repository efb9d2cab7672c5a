"""The counter's new windows fit a 1024×768 screen, in English and in Chinese: the price
change and purchase history dialogs and the customer display lie inside the screen, and
every visible button and text in them lies inside the window, is not clipped below its text
and, for buttons, is at least 44 px high (tests/ui/test_layout_fit.py does the checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.services.members import RegisterMember, register_member
from tests.integration.conftest import sell
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.i18n import Languages, ensure_qm
from ui.main_window import MainWindow

SCREEN = QRect(0, 0, 1024, 768)
CTRL = Qt.KeyboardModifier.ControlModifier
MILK, RICE = "6901234567892", "6903456789012"


def _check(window: QWidget) -> None:
    QApplication.processEvents()
    frame = QRect(window.pos(), window.size())
    assert window.width() <= SCREEN.width() and window.height() <= SCREEN.height(), (
        f"{window.objectName()} is {window.size()}"
    )
    assert SCREEN.contains(QRect(QPoint(0, 0), frame.size()))
    inside = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or not isinstance(w, QPushButton | QLabel | QListWidget):
            continue
        r = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        assert inside.contains(r), (
            f"{w.objectName()} {getattr(w, 'text', lambda: '')()!r} at {r} outside {inside}"
        )
        if isinstance(w, QPushButton):
            assert w.height() >= 44, f"{w.text()!r} is {w.height()} px high"
            assert w.width() >= w.minimumSizeHint().width(), f"{w.text()!r} is clipped"
        if isinstance(w, QLabel) and w.text() and not w.wordWrap():
            assert w.width() >= w.minimumSizeHint().width(), f"{w.text()!r} is clipped"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_new_counter_windows_fit_1024x768(  # type: ignore[no-untyped-def]
    qtbot: QtBot, tmp_path: Path, services, till, staff, products, clock, language
) -> None:
    reg = register_member(
        till,
        RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id, name="Chen"),
    )
    for _ in range(12):  # a long history
        sell(till, staff, ((MILK, 2), (RICE, 1)), member_id=reg.member.id)
        clock.advance(days=3)
    languages = Languages(ensure_qm(tmp_path / "qm"), language)
    languages.apply(language)
    w = MainWindow(services, languages)
    qtbot.addWidget(w)
    w.resize(1024, 768 - 32)
    w.show()
    try:
        sign_in(qtbot, w)
        co = w.checkout
        for sku in (MILK, RICE):
            type_enter(qtbot, co.scan, sku)
        type_enter(qtbot, co.scan, "13800138000")
        qtbot.waitUntil(lambda: co.state.member is not None and priced(w), timeout=WAIT_MS)
        key(qtbot, co.scan, Qt.Key.Key_D, CTRL)
        dialog = co.dialog
        assert dialog is not None and dialog.objectName() == "priceChange"
        qtbot.keyClicks(dialog.value, "99.99")
        _check(dialog)
        reasons = dialog.reasons
        last = reasons.visualItemRect(reasons.item(reasons.count() - 1))
        assert reasons.viewport().rect().contains(last), "a reason is out of view"
        for row in range(reasons.count()):  # each reason a touch target
            assert reasons.visualItemRect(reasons.item(row)).height() >= 44, reasons.item(row).text()
        key(qtbot, dialog.value, Qt.Key.Key_D, CTRL)  # the other kind's words
        _check(dialog)
        dialog.reject()
        qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)
        key(qtbot, co.scan, Qt.Key.Key_H, CTRL)
        dialog = co.dialog
        assert dialog is not None and dialog.objectName() == "history"
        qtbot.waitUntil(lambda: dialog.list.count() == 10, timeout=WAIT_MS)
        _check(dialog)
        dialog.reject()
        qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)
        key(qtbot, co.scan, Qt.Key.Key_M, CTRL)
        display = co.customer_display
        assert display is not None
        display.resize(1024, 768 - 32)
        qtbot.keyClicks(co.scan, "100")
        key(qtbot, co.scan, Qt.Key.Key_F8)
        qtbot.waitUntil(lambda: bool(display.change.text()), timeout=WAIT_MS)
        _check(display)
    finally:
        languages.apply("en")
