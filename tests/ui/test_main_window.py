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


def test_readers_made_after_the_window_start_with_it_and_deferred_steps_run_once(qtbot, services) -> None:  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow

    class FakeCamera:
        def __init__(self) -> None:
            self.started = 0
            self.preview = None

        def set_preview(self, fn) -> None:  # type: ignore[no-untyped-def]
            self.preview = fn

        def start(self, on_scan, on_status) -> None:  # type: ignore[no-untyped-def]
            self.started += 1

        def stop(self) -> None:
            pass

    w = MainWindow(services)
    qtbot.addWidget(w)
    cam = FakeCamera()
    ran: list[str] = []
    w.deferred += [
        lambda: w.add_scanners([cam]),
        lambda: ran.append("sync"),
        lambda: 1 / 0,
        lambda: ran.append("after a failure"),
    ]  # type: ignore[list-item]
    w.show()
    w.start()
    assert not w.has_camera()
    w.run_deferred()
    w.run_deferred()  # once only
    assert ran == ["sync", "after a failure"]
    assert w.has_camera() and w.camera_enabled() and cam.started == 1 and cam.preview is not None
    w.stop()
