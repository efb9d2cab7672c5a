from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


def test_main_window_opens_and_names_the_store(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication, QLabel

    import ui.app

    shown: list[QLabel] = []
    # Close the window as soon as the event loop starts, instead of waiting for a person.
    monkeypatch.setattr(QApplication, "exec", lambda self: shown.extend(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QLabel) and w.isVisible()
    ) or 0)
    assert ui.app.run(tmp_path / "home") == 0
    assert shown, "no window was shown"
    text = shown[0].text()
    assert "S001" in text and "T01" in text
    assert (tmp_path / "home" / "till.toml").exists()
    for w in shown:
        w.close()
