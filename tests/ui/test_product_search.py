"""Ctrl+P: find an item by pinyin initials, choose it with the arrow keys, Enter adds it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.cashier import WAIT_MS, key, priced, sign_in
from ui.main_window import MainWindow

MILK, YOGURT = "6901234567892", "6902345678901"


def test_find_an_item_by_initials_and_add_it_with_the_keyboard(  # type: ignore[no-untyped-def]
    qtbot: QtBot, services, staff, products
) -> None:
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.start()
    sign_in(qtbot, w)
    co = w.checkout
    key(qtbot, co.scan, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = co.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.field.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.field, "nn")
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=WAIT_MS)
    assert dialog.list.item(0).text().startswith("牛奶 Milk 1L   ¥12.90 · member ¥11.90")
    dialog.field.clear()
    qtbot.keyClicks(dialog.field, "690")  # all four: the arrows choose
    qtbot.waitUntil(lambda: dialog.list.count() == 4, timeout=WAIT_MS)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: co.dialog is None and priced(w), timeout=WAIT_MS)
    assert [ln.sku for ln in co.state.lines] == [YOGURT]
    assert w.focusWidget() is co.scan or co.scan.hasFocus()
    qtbot.keyClicks(co.scan, "zzz")  # typed first, then Ctrl+P: the search starts with it
    key(qtbot, co.scan, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = co.dialog
    assert dialog is not None and dialog.field.text() == "zzz"
    qtbot.waitUntil(lambda: dialog.message.text() == "Nothing found.", timeout=WAIT_MS)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)
