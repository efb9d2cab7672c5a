"""The status bar tells the truth about the camera: none set up, off, on and starting, on, on
but not found, error; never "not connected" while the settings say it is on and it works.
A video file stands in for the camera (offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
from pytestqt.qtbot import QtBot

from app.config import ScannerConfig
from app.ports import DeviceState, DeviceStatus
from hardware.scanner import scanners_from_config
from tests.ui.cashier import WAIT_MS
from ui.main_window import MainWindow


def _video(path: Path, frames: int = 400) -> Path:
    """A plain grey video, long enough to be read for a while (paced at its 20 fps)."""
    tmp = path.with_name(path.stem + ".part.avi")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), 20, (320, 240))
    assert writer.isOpened()
    frame = np.full((240, 320, 3), 128, dtype=np.uint8)
    for _ in range(frames):
        writer.write(frame)
    writer.release()
    os.replace(tmp, path)
    return path


def _texts(w: MainWindow) -> str:
    return w.status.camera.text()


def test_no_camera_set_up_says_so(qtbot: QtBot, services) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(services, scanners=[])
    qtbot.addWidget(w)
    w.show()
    w.start()
    try:
        assert _texts(w) == "Camera: none set up" and not w.camera_enabled()
    finally:
        w.stop()


def test_the_camera_status_follows_the_setting_and_the_device(qtbot: QtBot, services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "camera.avi"
    cameras = scanners_from_config(ScannerConfig(camera=str(source)))
    assert len(cameras) == 1
    w = MainWindow(services, scanners=cameras)
    qtbot.addWidget(w)
    w.show()
    assert w.camera_enabled() and _texts(w) == "Camera: on, starting…"  # before it reports
    w.start()
    try:
        # switched on, but nothing there yet: on, not found (with the reason), not "off"
        qtbot.waitUntil(lambda: _texts(w) == "Camera: on, not found", timeout=WAIT_MS)
        assert "No camera found" in w.status.camera.toolTip()
        _video(source)
        qtbot.waitUntil(lambda: _texts(w) == "Camera: on", timeout=WAIT_MS)
        assert "not" not in _texts(w)

        w.set_camera_enabled(False)  # as the settings' switch does
        assert _texts(w) == "Camera: off" and "settings" in w.status.camera.toolTip()
        qtbot.wait(300)  # the stopped reader reports nothing more: still off
        assert _texts(w) == "Camera: off"

        w.set_camera_enabled(True)  # started again, it reports afresh: "on", as before
        qtbot.waitUntil(lambda: _texts(w) == "Camera: on", timeout=WAIT_MS)

        w.status.set_camera(DeviceStatus(DeviceState.ERROR, "The code reader cannot start: boom"))
        assert _texts(w) == "Camera: error" and "boom" in w.status.camera.toolTip()
    finally:
        w.stop()
