"""`till` with no command opens the cashier's window on the sign-in screen, naming the store."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


def test_main_window_opens_on_sign_in_and_names_the_store(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    import ui.app
    from ui.main_window import MainWindow

    shown: list[MainWindow] = []
    texts: list[str] = []

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        # Instead of waiting for a person: record what is on screen, then close.
        for w in QApplication.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible():
                shown.append(w)
                texts.append(w.login.store.text())
                w.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(ui.app, "build", _no_readers(ui.app.build))
    assert ui.app.run(tmp_path / "home") == 0
    assert shown, "no window was shown"
    assert shown[0].pages.currentWidget() is shown[0].login
    assert "S001" in texts[0] and "T01" in texts[0]
    assert (tmp_path / "home" / "till.toml").exists()


def _no_readers(build):  # type: ignore[no-untyped-def]
    return lambda home, **kw: build(home, with_readers=False)
