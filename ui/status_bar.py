"""The status bar: server and sync, printer, camera — in words a cashier understands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.ports import DeviceState, DeviceStatus, PrinterState
from ui.errors import printer_words
from ui.i18n import translator
from ui.ops import Op
from ui.services import TillServices

tr = translator("Status")

PRINTER_POLL_MS = 15_000

if TYPE_CHECKING:
    from sync.worker import SyncStatus


class TillStatusBar(QStatusBar):
    def __init__(self, services: TillServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.server = QLabel()
        self.pending = QLabel()
        self.printer = QLabel()
        self.camera = QLabel()
        for w in (self.server, self.pending, self.printer, self.camera):
            w.setObjectName("statusItem")
            self.addPermanentWidget(w)
        self.printer_state: PrinterState | None = None
        self.pending_count: int | None = None
        self.sync_text: str | None = None
        self.offline_rules: dict[str, str] = {}
        self.camera_status: DeviceStatus | None = None  # as the reader last reported it
        # The camera as the settings have it: None none configured, else on or off.
        self.camera_enabled: bool | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(PRINTER_POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.retranslate()

    def start(self) -> None:
        Op(self, self.services.offline_rules).success(self.set_offline_rules).run()
        self.poll()
        self.timer.start()

    def poll(self) -> None:
        services = self.services
        Op(self, services.printer_status).success(self.set_printer).failure(
            lambda exc, text: self.set_printer(PrinterState.UNKNOWN)
        ).run()
        Op(self, services.pending_events).success(self.set_pending).run()
        Op(self, services.sync_status).success(self.set_sync).run()

    def set_offline_rules(self, texts: dict[str, str]) -> None:
        """The offline rules, shown when the cashier points at the server or sync state."""
        self.offline_rules = texts
        self.retranslate()

    def set_sync(self, status: SyncStatus | None) -> None:
        lang: Literal["zh", "en"] = "zh" if self.services.config.terminal.language == "zh_CN" else "en"
        self.sync_text = None if status is None else status.describe(lang)
        self.retranslate()

    def set_printer(self, state: PrinterState) -> None:
        self.printer_state = state
        self.retranslate()

    def set_pending(self, count: int | None) -> None:
        self.pending_count = count
        self.retranslate()

    def set_camera(self, status: DeviceStatus | None) -> None:
        self.camera_status = status
        self.retranslate()

    def set_camera_enabled(self, enabled: bool | None) -> None:
        """The camera setting: on, off, or None when the till has no camera configured. Turning
        it on or off forgets the last report (a reader started again reports afresh)."""
        if enabled != self.camera_enabled:
            self.camera_status = None
        self.camera_enabled = enabled
        self.retranslate()

    def camera_text(self) -> tuple[str, str]:
        """What the bar says of the camera, and why (the tooltip): the setting first, then what
        the reader last reported. Never "not connected" while it is on and working."""
        c, on = self.camera_status, self.camera_enabled
        if on is None and c is None:
            return tr("Camera: none set up"), tr("No camera source in the settings.")
        if on is False:
            return tr("Camera: off"), tr("Turned off in the settings.")
        if c is None:
            return tr("Camera: on, starting…"), ""
        if c.state is DeviceState.READY:
            return tr("Camera: on"), ""
        if c.state is DeviceState.NO_DEVICE:
            return tr("Camera: on, not found"), c.reason
        if c.state is DeviceState.RECONNECTING:
            return tr("Camera: on, reconnecting…"), c.reason
        return tr("Camera: error"), c.reason

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        lang = "zh" if self.services.config.terminal.language == "zh_CN" else "en"
        rules = self.offline_rules.get(lang, "")
        self.pending.setToolTip(rules)
        if self.sync_text is None:  # not syncing: no server would answer a feedback QR
            no_qr = tr("Receipts print no feedback QR until this till is enrolled with the server.")
            self.server.setToolTip(f"{rules}\n{no_qr}" if rules else no_qr)
        else:
            self.server.setToolTip(rules)
        if self.sync_text is not None:
            self.server.setText(self.sync_text)
        elif self.services.config.server.url:
            self.server.setText(tr("Server: not enrolled (sales are kept on this till)"))
        else:
            self.server.setText(tr("Offline: no server set up (sales are kept on this till)"))
        count = "—" if self.pending_count is None else str(self.pending_count)
        self.pending.setText(tr("Waiting to sync: {n}").format(n=count))
        p = self.printer_state
        if p is None:
            self.printer.setText(tr("Printer: checking…"))
        elif p is PrinterState.ONLINE:
            self.printer.setText(tr("Printer: ready"))
        else:
            self.printer.setText(tr("Printer: {why}").format(why=printer_words(str(p))))
        text, why = self.camera_text()
        self.camera.setText(text)
        self.camera.setToolTip(why)
