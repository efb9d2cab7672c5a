"""Settings that last: a supervisor changes the language and the reader's key gap and saves;
till.toml holds them (comments kept) for the next start. A bad printer port is refused in
words and the file is left as it was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.config import CONFIG_NAME, load_config
from app.services.context import TillContext
from tests.ui.cashier import WAIT_MS, key, sign_in, type_enter
from ui.i18n import Languages, ensure_qm
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog


def open_settings(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: co.dialog is not None and co.dialog.isVisible(), timeout=WAIT_MS)
    approval = co.dialog
    type_enter(qtbot, approval.login, "2001")  # type: ignore[union-attr]  # the supervisor
    type_enter(qtbot, approval.pin, "5678")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: isinstance(co.dialog, SettingsDialog) and co.dialog.isVisible(), timeout=WAIT_MS)
    assert isinstance(co.dialog, SettingsDialog)
    return co.dialog


def test_a_supervisor_saves_the_language_and_the_reader_gap_and_a_bad_port_is_refused(
    qtbot: QtBot, tmp_path: Path, services, till: TillContext, staff, products
) -> None:  # type: ignore[no-untyped-def]
    home = Path(till.home)
    path = home / CONFIG_NAME
    assert load_config(home).terminal.language == "zh_CN"
    languages = Languages(ensure_qm(tmp_path / "qm"), "zh_CN")
    languages.apply("zh_CN")
    window = MainWindow(services, languages)
    qtbot.addWidget(window)
    window.show()
    try:
        window.start()
        sign_in(qtbot, window)
        settings = open_settings(qtbot, window)
        assert settings.tabs.count() == 5  # printer, camera, language, readers, server
        assert settings.wedge_gap.text() == "30"

        settings.language.setCurrentIndex(settings.language.findData("en"))  # applies at once
        qtbot.waitUntil(lambda: settings.save_button.text().startswith("Save"), timeout=WAIT_MS)
        settings.tabs.setCurrentWidget(settings.readers_page)
        settings.wedge_gap.clear()
        qtbot.keyClicks(settings.wedge_gap, "45")
        key(qtbot, settings.wedge_gap, Qt.Key.Key_F5)  # save
        qtbot.waitUntil(
            lambda: not settings.busy and settings.save_result.text().startswith("Saved"), timeout=WAIT_MS
        )
        assert "restart" in settings.save_result.text()

        # the next start reads the new values; the file's comments are still there
        saved = load_config(home)
        assert saved.terminal.language == "en" and saved.scanner.wedge_max_gap_ms == 45
        text = path.read_text(encoding="utf-8")
        assert 'language = "en"' in text and "# zh_CN or en" in text
        assert "# keyboard-wedge readers type faster than this between keys" in text

        # a port out of range: refused in words, nothing written
        before = path.read_bytes()
        settings.tabs.setCurrentWidget(settings.printer_page)
        settings.printer_kind.setCurrentIndex(settings.printer_kind.findData("network"))
        settings.printer_port.clear()
        qtbot.keyClicks(settings.printer_port, "70000")
        settings.save_button.click()
        qtbot.waitUntil(
            lambda: not settings.busy and settings.save_result.text().startswith("Not saved"), timeout=WAIT_MS
        )
        words = settings.save_result.text()
        assert "printer port" in words and "1 to 65535" in words and "unchanged" in words
        assert path.read_bytes() == before

        # not a number at all: refused before anything runs
        settings.printer_port.setText("91OO")
        settings.save()
        assert "printer port" in settings.save_result.text() and not settings.busy
        assert path.read_bytes() == before

        # a good port then saves, and saving the same again says there is nothing to do
        settings.printer_port.setText("9101")
        settings.save()
        qtbot.waitUntil(
            lambda: not settings.busy and settings.save_result.text().startswith("Saved"), timeout=WAIT_MS
        )
        assert load_config(home).printer.port == 9101 and load_config(home).printer.kind == "network"
        settings.save()
        assert settings.save_result.text().startswith("Nothing changed")
        settings.accept()
        qtbot.waitUntil(lambda: window.checkout.dialog is None, timeout=WAIT_MS)
    finally:
        window.stop()
        languages.apply("en")
