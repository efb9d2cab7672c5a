"""Code readers behind the :class:`app.ports.Scanner` port.

* ``camera.CameraScanner``: a webcam, video file or stream URL, decoded by ``decode``.
* ``wedge.WedgeScanner``: USB readers that type like a keyboard (Qt; imported by the UI only).
* ``serial_reader.SerialScanner``: readers on a serial port.
* ``files.scan_file``: images and videos for `till scan`.

Importing this package imports no device library and opens nothing: each module imports
OpenCV, zbar, zxing-cpp, pyserial or Qt when it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import ScannerConfig
    from app.ports import Scanner


def scanners_from_config(cfg: ScannerConfig) -> list[Scanner]:
    """The camera and serial readers the configuration asks for (not started). The wedge
    reader is made by the UI, which owns the QApplication it filters."""
    from hardware.scanner.camera import CameraScanner
    from hardware.scanner.serial_reader import SerialScanner

    made: list[Scanner] = []
    if cfg.camera.strip():
        made.append(CameraScanner(cfg.camera, dedupe_seconds=cfg.dedupe_seconds))
    if cfg.serial_device.strip():
        made.append(
            SerialScanner(
                cfg.serial_device, cfg.serial_baudrate, prefix=cfg.serial_prefix, suffix=cfg.serial_suffix
            )
        )
    return made
