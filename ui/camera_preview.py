"""The camera preview: the newest frame, with the codes the decoder found outlined.

The camera calls ``on_preview(frame, decoded)`` on its decoder thread; the frame is drawn
(``draw_overlay``) and turned into a QImage there, and handed to the GUI thread through a
queued Qt signal. Only the GUI thread touches the label.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget


class _FrameBridge(QObject):
    frame = Signal(object, int)  # QImage, number of codes found


class CameraPreview(QLabel):
    """A small picture of what the camera sees. Hidden until the first frame arrives."""

    def __init__(self, width: int = 240, height: int = 180, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setFixedSize(width, height)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frames_shown = 0
        self.codes_outlined = 0
        self._bridge = _FrameBridge(self)
        self._bridge.frame.connect(self._show_frame, Qt.ConnectionType.QueuedConnection)
        self.hide()

    def on_preview(self, frame: Any, decoded: list[Any]) -> None:
        """Camera thread: draw the outlines, make the image, send it to the GUI thread."""
        from hardware.scanner.camera import draw_overlay

        img = draw_overlay(frame, decoded) if decoded else frame
        if img.ndim == 2:
            h, w = img.shape
            qimg = QImage(img.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
        else:
            h, w = img.shape[:2]
            qimg = QImage(img.data, w, h, img.strides[0], QImage.Format.Format_BGR888).copy()
        self._bridge.frame.emit(qimg, len(decoded))

    @Slot(object, int)
    def _show_frame(self, image: QImage, codes: int) -> None:
        self.frames_shown += 1
        self.codes_outlined += codes
        self.setPixmap(
            QPixmap.fromImage(image).scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
            )
        )
        self.show()

    def clear_preview(self) -> None:
        self.clear()
        self.hide()
