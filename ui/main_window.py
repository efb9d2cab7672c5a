"""The till's window: sign-in, then the checkout, with the status bar below."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from app.domain.ids import ShiftId
from app.ports import DeviceStatus, Scan, Scanner
from ui.camera_preview import CameraPreview
from ui.checkout_view import CheckoutView
from ui.i18n import Languages, translator
from ui.login_view import LoginView
from ui.lookup_dialog import LookupDialog
from ui.ops import Op
from ui.refund_dialog import RefundDialog
from ui.services import StaffMember, TillServices
from ui.status_bar import TillStatusBar

tr = translator("Main")
PREFERRED_SIZE = (1280, 800)
log = logging.getLogger(__name__)


class ScanBridge(QObject):
    """Readers call back on their own threads; these signals land on the GUI thread."""

    scanned = Signal(str)
    status = Signal(object)

    def on_scan(self, scan: Scan) -> None:
        self.scanned.emit(scan.payload)

    def on_status(self, status: DeviceStatus) -> None:
        self.status.emit(status)


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: TillServices,
        languages: Languages | None = None,
        scanners: Sequence[Scanner] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.languages = languages
        self.scanners = list(scanners)
        self.login = LoginView(services)
        self.checkout = CheckoutView(services)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.login)
        self.pages.addWidget(self.checkout)
        self.setCentralWidget(self.pages)
        self.status = TillStatusBar(services)
        self.setStatusBar(self.status)
        self.login.signed_in.connect(self.show_checkout)
        self.login.language_toggled.connect(self.toggle_language)
        self.checkout.language_toggled.connect(self.toggle_language)
        self.checkout.shift_closed.connect(lambda _: self.sign_out())
        self.checkout.status_printer_ok = self.status.poll  # type: ignore[method-assign]
        self.bridge = ScanBridge(self)
        self.bridge.scanned.connect(self.on_scan)
        self.bridge.status.connect(self.status.set_camera)
        # Camera readers (those with a preview hook) send frames to these, on their thread.
        self.cameras = [s for s in self.scanners if hasattr(s, "set_preview")]
        self._previews: tuple[CameraPreview, ...] = (self.checkout.preview,)
        self._previews_lock = threading.Lock()
        self._camera_on = bool(self.cameras)
        self.status.set_camera_enabled(True if self.cameras else None)
        self._started = False
        # Start-up work the sign-in screen does not need, run after it is shown (ui.app).
        self.deferred: list[Callable[[], None]] = []
        self.checkout.host = self
        self.resize(*PREFERRED_SIZE)
        self.retitle()

    def retitle(self) -> None:
        """The store's name in the language on screen."""
        store = self.services.config.store
        name = store.name_en if self.language() == "en" else store.name_zh
        self.setWindowTitle(f"{tr('Loyalty Till')} · {name}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retitle()
        super().changeEvent(event)

    def show_on_screen(self, fullscreen: bool = False) -> None:
        """Full screen (kiosk), maximized on a screen smaller than the preferred size, else
        the preferred size: never larger than the screen."""
        if fullscreen:
            self.showFullScreen()
            return
        screen = self.screen().availableGeometry()
        # Fits even where nothing maximizes it (no window manager, a kiosk session).
        self.resize(min(PREFERRED_SIZE[0], screen.width()), min(PREFERRED_SIZE[1], screen.height()))
        self.move(screen.topLeft())
        if screen.width() <= PREFERRED_SIZE[0] or screen.height() <= PREFERRED_SIZE[1]:
            self.showMaximized()
        else:
            self.show()

    def start(self) -> None:
        """Start the readers and the status polling (after the window is shown)."""
        self.status.start()
        for cam in self.cameras:
            cam.set_preview(self._on_preview)
        for s in self.scanners:
            s.start(self.bridge.on_scan, self.bridge.on_status)
        self._started = True
        self.login.focus()

    def run_deferred(self) -> None:
        """Run the deferred start-up work (once); one failing step does not stop the others."""
        work, self.deferred = self.deferred, []
        for step in work:
            try:
                step()
            except Exception:
                log.exception("deferred start-up step failed")

    def add_scanners(self, scanners: Sequence[Scanner]) -> None:
        """Readers made after the window (camera, serial): started now if the window is."""
        new = list(scanners)
        self.scanners.extend(new)
        cams = [s for s in new if hasattr(s, "set_preview")]
        if cams and not self.cameras:
            self._camera_on = True
            self.status.set_camera_enabled(True)
        self.cameras.extend(cams)
        if not self._started:
            return
        for cam in cams:
            cam.set_preview(self._on_preview)
        for s in new:
            if s in cams and not self._camera_on:
                continue
            s.start(self.bridge.on_scan, self.bridge.on_status)

    def stop(self) -> None:
        for s in self.scanners:
            s.stop()
        self.status.timer.stop()

    # ------------------------------------------------------------ camera (settings host)

    def _on_preview(self, frame: Any, decoded: list[Any]) -> None:
        """Camera thread: each preview converts the frame and queues it to the GUI thread."""
        with self._previews_lock:
            previews = self._previews
        for p in previews:
            p.on_preview(frame, decoded)

    def add_preview(self, preview: CameraPreview) -> None:
        with self._previews_lock:
            self._previews = (*self._previews, preview)

    def remove_preview(self, preview: CameraPreview) -> None:
        with self._previews_lock:
            self._previews = tuple(p for p in self._previews if p is not preview)

    def has_camera(self) -> bool:
        return bool(self.cameras)

    def camera_enabled(self) -> bool:
        return self._camera_on

    def set_camera_enabled(self, on: bool) -> None:
        """Start or stop the camera readers (stopping joins their threads: in the background)."""
        if on == self._camera_on or not self.cameras:
            return
        self._camera_on = on
        self.status.set_camera_enabled(on)
        cams = list(self.cameras)
        if on:
            for cam in cams:
                cam.start(self.bridge.on_scan, self.bridge.on_status)
        else:

            def stop_all() -> None:
                for cam in cams:
                    cam.stop()

            Op(self, stop_all).run()
            self.checkout.preview.clear_preview()

    def language(self) -> str:
        return (
            self.languages.current if self.languages is not None else self.services.config.terminal.language
        )

    def set_language(self, language: str) -> None:
        if self.languages is not None and language != self.languages.current:
            self.languages.apply(language)

    def show_checkout(self, staff: StaffMember, shift_id: ShiftId) -> None:
        self.checkout.start(staff, shift_id)
        self.pages.setCurrentWidget(self.checkout)
        self.checkout.refocus()

    def sign_out(self) -> None:
        self.login.reset()
        self.pages.setCurrentWidget(self.login)
        self.login.focus()

    def on_scan(self, payload: str) -> None:
        """A code from a reader: to the checkout's dialog in front, else the checkout."""
        if self.pages.currentWidget() is not self.checkout:
            return
        dialog = self.checkout.dialog
        if isinstance(dialog, RefundDialog):
            dialog.ref.setText(payload)
            dialog.find_sale()
            return
        if isinstance(dialog, LookupDialog):
            dialog.set_code(payload)
            return
        self.checkout.handle_code(payload)

    def toggle_language(self) -> None:
        if self.languages is not None:
            self.languages.toggle()

    def closeEvent(self, event: object) -> None:
        self.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
