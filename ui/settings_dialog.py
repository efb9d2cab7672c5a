"""Settings, for a supervisor: printer (test print), camera (on/off, live preview),
language, server enrolment. Each panel does one thing; slow work runs in the background."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.camera_preview import CameraPreview
from ui.i18n import translator
from ui.ops import Op
from ui.services import Enrolled, TillServices
from ui.widgets import KeyButton

tr = translator("Settings")


class TillHost(Protocol):
    """What the settings change outside the services: the camera and the language."""

    def has_camera(self) -> bool: ...

    def camera_enabled(self) -> bool: ...

    def set_camera_enabled(self, on: bool) -> None: ...

    def add_preview(self, preview: CameraPreview) -> None: ...

    def remove_preview(self, preview: CameraPreview) -> None: ...

    def language(self) -> str: ...

    def set_language(self, language: str) -> None: ...


def enrolled_words(done: Enrolled) -> str:
    text = tr("Enrolled: this till is store {store}, terminal {terminal}. Sync starts now.").format(
        store=done.store_id, terminal=done.terminal_id)
    if done.mismatch:
        text += " " + tr("Warning: till.toml names a different store or terminal; ask IT to fix it.")
    return text


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget, services: TillServices, host: TillHost | None) -> None:
        super().__init__(parent)
        self.setObjectName("settings")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self.host = services, host
        self.tabs = QTabWidget()

        # printer
        self.printer_page = QWidget()
        self.printer_info = QLabel()
        self.printer_info.setWordWrap(True)
        self.test_print = KeyButton("F2")
        self.test_print.setObjectName("testPrint")
        self.test_print.clicked.connect(self.print_test)
        self.printer_result = QLabel()
        self.printer_result.setObjectName("printerResult")
        self.printer_result.setWordWrap(True)
        col = QVBoxLayout(self.printer_page)
        col.addWidget(self.printer_info)
        col.addWidget(self.test_print)
        col.addWidget(self.printer_result)
        col.addStretch(1)

        # camera
        self.camera_page = QWidget()
        self.camera_on = QCheckBox()
        self.camera_on.setObjectName("cameraOn")
        self.camera_state = QLabel()
        self.camera_state.setWordWrap(True)
        self.preview = CameraPreview(480, 360)
        col = QVBoxLayout(self.camera_page)
        col.addWidget(self.camera_on)
        col.addWidget(self.camera_state)
        col.addWidget(self.preview, 1)
        col.addStretch(1)
        has_camera = host is not None and host.has_camera()
        self.camera_on.setEnabled(has_camera)
        self.camera_on.setChecked(has_camera and host is not None and host.camera_enabled())
        self.camera_on.toggled.connect(self.toggle_camera)
        if host is not None and has_camera:
            host.add_preview(self.preview)

        # language
        self.language_page = QWidget()
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("中文", "zh_CN")
        self.language.addItem("English", "en")
        current = host.language() if host is not None else services.config.terminal.language
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.language.currentIndexChanged.connect(self.choose_language)
        self.language_label = QLabel()
        form = QFormLayout(self.language_page)
        form.addRow(self.language_label, self.language)

        # server enrolment
        self.server_page = QWidget()
        self.url = QLineEdit(services.config.server.url or "")
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText("https://hq.example.com")
        self.code = QLineEdit()
        self.code.setObjectName("enrolCode")
        self.enrol_button = KeyButton("F3")
        self.enrol_button.setObjectName("enrol")
        self.enrol_button.clicked.connect(self.enrol)
        self.enrol_result = QLabel()
        self.enrol_result.setObjectName("enrolResult")
        self.enrol_result.setWordWrap(True)
        self.url_label, self.code_label = QLabel(), QLabel()
        form = QFormLayout(self.server_page)
        form.addRow(self.url_label, self.url)
        form.addRow(self.code_label, self.code)
        form.addRow(self.enrol_button)
        form.addRow(self.enrol_result)

        for page in (self.printer_page, self.camera_page, self.language_page, self.server_page):
            self.tabs.addTab(page, "")
        self.close_button = KeyButton("Esc")
        self.close_button.clicked.connect(self.accept)
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs, 1)
        outer.addWidget(self.close_button, alignment=Qt.AlignmentFlag.AlignRight)
        self.finished.connect(self._closed)
        self.busy = False
        self.resize(640, 560)
        self.retranslate()

    # ------------------------------------------------------------ printer

    def print_test(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.printer_result.setText(tr("Printing a test receipt…"))
        services = self.services
        Op(self, services.test_print).success(
            lambda _: self.printer_result.setText(tr("Test receipt printed. Check the paper."))).failure(
            lambda exc, text: self.printer_result.setText(text)).finally_(self._idle).run()

    def _idle(self) -> None:
        self.busy = False

    # ------------------------------------------------------------ camera

    def toggle_camera(self, on: bool) -> None:
        if self.host is not None and self.host.has_camera():
            self.host.set_camera_enabled(on)
            if not on:
                self.preview.clear_preview()
        self._camera_words()

    def _camera_words(self) -> None:
        if self.host is None or not self.host.has_camera():
            self.camera_state.setText(tr("No camera is set up on this till ([scanner] camera)."))
        elif self.camera_on.isChecked():
            self.camera_state.setText(tr("The camera is on: hold a member code in front of it."))
        else:
            self.camera_state.setText(tr("The camera is off."))

    # ------------------------------------------------------------ language

    def choose_language(self) -> None:
        lang = str(self.language.currentData())
        if self.host is not None:
            self.host.set_language(lang)

    # ------------------------------------------------------------ enrolment

    def enrol(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        if self.busy:
            return
        if not url.startswith(("http://", "https://")):
            self.enrol_result.setText(tr("Type the server address, starting with https://"))
            self.url.setFocus()
            return
        if not code:
            self.enrol_result.setText(tr("Type the one-time code from head office."))
            self.code.setFocus()
            return
        self.busy = True
        self.enrol_result.setText(tr("Enrolling with the server…"))
        services = self.services
        Op(self, lambda: services.enrol(url, code)).success(
            lambda done: self.enrol_result.setText(enrolled_words(done))).failure(
            lambda exc, text: self.enrol_result.setText(tr("Not enrolled: {why}").format(why=text))
        ).finally_(self._idle).run()

    # ------------------------------------------------------------ common

    def _closed(self) -> None:
        if self.host is not None:
            self.host.remove_preview(self.preview)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Settings"))
        for i, name in enumerate((tr("Printer"), tr("Camera"), tr("Language"), tr("Server"))):
            self.tabs.setTabText(i, name)
        p = self.services.config.printer
        where = f"{p.host}:{p.port}" if p.kind == "network" else (p.device or p.out_dir or p.cups_name)
        self.printer_info.setText(tr("Printer: {kind} {where}, {paper} mm paper.").format(
            kind=p.kind, where=where, paper=p.paper_mm))
        self.test_print.set_label(tr("Print a test receipt"))
        self.camera_on.setText(tr("Use the camera to read member codes"))
        self._camera_words()
        self.language_label.setText(tr("Language"))
        self.url_label.setText(tr("Server address"))
        self.code_label.setText(tr("One-time code"))
        self.enrol_button.set_label(tr("Enrol this till"))
        self.close_button.set_label(tr("Close"))
