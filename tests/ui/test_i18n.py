"""Chinese and English through Qt's translation system; amounts as ¥ with two decimals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.cashier import WAIT_MS, key, sign_in
from ui.i18n import Languages, ensure_qm, money, parse_yuan
from ui.main_window import MainWindow
from ui.ts_update import collect, read_ts


def test_every_ui_string_has_a_chinese_translation() -> None:
    done = read_ts(Path(__file__).resolve().parents[2] / "resources/translations/zh_CN.ts")
    missing = [(c, s) for c, strings in collect().items() for s in strings if (c, s) not in done]
    assert not missing, f"run `python -m ui.ts_update` and translate: {missing[:5]}"


def test_amounts() -> None:
    assert money(123456) == "¥1,234.56" and money(-5) == "-¥0.05"
    assert parse_yuan("200") == 20_000 and parse_yuan("12.5") == 1250 and parse_yuan("¥0.05") == 5
    assert parse_yuan("1.234") is None and parse_yuan("abc") is None and parse_yuan("") is None


def test_switch_between_chinese_and_english(qtbot: QtBot, tmp_path: Path, services) -> None:  # type: ignore[no-untyped-def]
    languages = Languages(ensure_qm(tmp_path / "qm"), "zh_CN")
    assert (tmp_path / "qm" / "zh_CN.qm").exists()
    assert languages.apply("zh_CN")
    w = MainWindow(services, languages)
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.login.sign_button.text().startswith("登录")
        key(qtbot, w.login.login, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: w.login.sign_button.text().startswith("Sign in"), timeout=WAIT_MS)
        key(qtbot, w.login.login, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: w.login.sign_button.text().startswith("登录"), timeout=WAIT_MS)
    finally:
        languages.apply("en")


def test_checkout_in_chinese(qtbot: QtBot, tmp_path: Path, services, staff, products) -> None:  # type: ignore[no-untyped-def]
    languages = Languages(ensure_qm(tmp_path / "qm"), "zh_CN")
    languages.apply("zh_CN")
    w = MainWindow(services, languages)
    qtbot.addWidget(w)
    w.show()
    try:
        sign_in(qtbot, w)
        co = w.checkout
        assert co.buttons["pay"].text() == "结账\nF12"
        qtbot.keyClicks(co.scan, "6902345678901")
        key(qtbot, co.scan, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: co.state.priced is not None, timeout=WAIT_MS)
        assert co.total_due.text() == "应付 ¥6.50"
    finally:
        languages.apply("en")


def test_the_message_and_the_store_name_follow_a_language_switch(  # type: ignore[no-untyped-def]
    qtbot: QtBot, tmp_path: Path, services, staff, products
) -> None:
    languages = Languages(ensure_qm(tmp_path / "qm"), "zh_CN")
    languages.apply("zh_CN")
    w = MainWindow(services, languages)
    qtbot.addWidget(w)
    w.show()
    try:
        sign_in(qtbot, w)
        co = w.checkout
        store = services.config.store
        assert w.windowTitle() == f"会员收银台 · {store.name_zh}"
        key(qtbot, co.scan, Qt.Key.Key_F12)  # nothing to pay for: refused, in red
        assert co.message.text() == "购物车是空的。" and co.message.property("kind") == "error"
        key(qtbot, co.scan, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: co.message.text() == "The cart is empty.", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: w.windowTitle() == f"Loyalty Till · {store.name_en}", timeout=WAIT_MS)
        qtbot.keyClicks(co.scan, "6902345678901")
        key(qtbot, co.scan, Qt.Key.Key_Return)  # the next action clears it
        assert co.message.text() == ""
    finally:
        languages.apply("en")
