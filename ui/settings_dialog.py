"""Settings, for a supervisor: printer (test print), camera (on/off, live preview),
language, readers, server enrolment. Each panel does one thing; slow work runs in the
background.

Save (F5) writes the language, the camera source, the printer and the readers into till.toml
(its comments kept; an invalid value is refused and the file left as it was). The language
and camera on/off apply at once; the printer, the camera source and the readers at the next
start of the till."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.enrolment import BadEnrolQR, looks_like_enrol_qr, read_enrol_qr
from ui.camera_preview import CameraPreview
from ui.i18n import N_, translator
from ui.ops import Op
from ui.services import Enrolled, SettingValue, TillConfig, TillServices
from ui.widgets import KeyButton, KeyMap

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


PRINTER_KINDS = ("file", "network", "serial", "usb", "cups", "win32raw", "none")
PAPER_MM = (80, 58)

# The settings the dialog saves: (section, key) -> what the supervisor reads when it is wrong.
FIELD_WORDS: dict[str, str] = {
    "terminal.language": N_("the language"),
    "scanner.camera": N_("the camera source"),
    "printer.kind": N_("the printer type"),
    "printer.host": N_("the printer address"),
    "printer.port": N_("the printer port (a number from 1 to 65535)"),
    "printer.paper_mm": N_("the paper width (58 or 80 mm)"),
    "scanner.wedge_max_gap_ms": N_("the reader's key gap (5 to 200 ms)"),
    "scanner.wedge_prefix": N_("the reader's prefix"),
    "scanner.wedge_suffix": N_("the reader's suffix"),
    "scanner.serial_device": N_("the serial reader's port"),
    "scanner.serial_baudrate": N_("the serial reader's speed (baud)"),
}
INT_FIELDS = ("printer.port", "scanner.wedge_max_gap_ms", "scanner.serial_baudrate")


class BadEntry(ValueError):
    """A number field that does not hold a whole number (caught before anything is saved)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def not_saved_words(fields: tuple[str, ...], detail: str = "") -> str:
    """Why the settings were not saved, naming the fields in the supervisor's language."""
    named = [tr(FIELD_WORDS[f]) for f in fields if f in FIELD_WORDS]
    if named:
        return tr("Not saved: check {fields}. The settings file is unchanged.").format(
            fields=", ".join(named)
        )
    return tr("Not saved: {why}. The settings file is unchanged.").format(why=detail)


def enrolled_words(done: Enrolled) -> str:
    text = tr("Enrolled: this till is store {store}, terminal {terminal}. Sync starts now.").format(
        store=done.store_id, terminal=done.terminal_id
    )
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
        saved = services.saved_config
        self.printer_kind = QComboBox()
        self.printer_kind.setObjectName("printerKind")
        for kind in PRINTER_KINDS:
            self.printer_kind.addItem(kind, kind)
        self.printer_kind.setCurrentIndex(max(0, self.printer_kind.findData(saved.printer.kind)))
        self.printer_host = QLineEdit(saved.printer.host)
        self.printer_host.setObjectName("printerHost")
        self.printer_port = QLineEdit(str(saved.printer.port))
        self.printer_port.setObjectName("printerPort")
        self.paper = QComboBox()
        self.paper.setObjectName("paperMm")
        for mm in PAPER_MM:
            self.paper.addItem(f"{mm} mm", mm)
        self.paper.setCurrentIndex(max(0, self.paper.findData(saved.printer.paper_mm)))
        self.printer_note = QLabel()
        self.printer_note.setWordWrap(True)
        self.kind_label, self.host_label, self.port_label, self.paper_label = (
            QLabel(),
            QLabel(),
            QLabel(),
            QLabel(),
        )
        printer_form = QFormLayout()
        printer_form.addRow(self.kind_label, self.printer_kind)
        printer_form.addRow(self.host_label, self.printer_host)
        printer_form.addRow(self.port_label, self.printer_port)
        printer_form.addRow(self.paper_label, self.paper)
        col = QVBoxLayout(self.printer_page)
        col.addWidget(self.printer_info)
        col.addWidget(self.test_print)
        col.addWidget(self.printer_result)
        col.addLayout(printer_form)
        col.addWidget(self.printer_note)
        col.addStretch(1)

        # camera
        self.camera_page = QWidget()
        self.camera_on = QCheckBox()
        self.camera_on.setObjectName("cameraOn")
        self.camera_state = QLabel()
        self.camera_state.setWordWrap(True)
        self.preview = CameraPreview(480, 360)
        self.camera_source = QLineEdit(saved.scanner.camera)
        self.camera_source.setObjectName("cameraSource")
        self.camera_source.setPlaceholderText("0  /dev/video0  rtsp://…")
        self.camera_source_label = QLabel()
        self.camera_note = QLabel()
        self.camera_note.setWordWrap(True)
        source_row = QFormLayout()
        source_row.addRow(self.camera_source_label, self.camera_source)
        col = QVBoxLayout(self.camera_page)
        col.addWidget(self.camera_on)
        col.addWidget(self.camera_state)
        col.addLayout(source_row)
        col.addWidget(self.camera_note)
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

        # readers
        self.readers_page = QWidget()
        sc = saved.scanner
        self.wedge_gap = QLineEdit(str(sc.wedge_max_gap_ms))
        self.wedge_gap.setObjectName("wedgeGap")
        self.wedge_prefix = QLineEdit(sc.wedge_prefix)
        self.wedge_prefix.setObjectName("wedgePrefix")
        self.wedge_suffix = QLineEdit(sc.wedge_suffix)
        self.wedge_suffix.setObjectName("wedgeSuffix")
        self.serial_device = QLineEdit(sc.serial_device)
        self.serial_device.setObjectName("serialDevice")
        self.serial_device.setPlaceholderText("/dev/ttyACM0  COM3")
        self.serial_baudrate = QLineEdit(str(sc.serial_baudrate))
        self.serial_baudrate.setObjectName("serialBaudrate")
        self.readers_note = QLabel()
        self.readers_note.setWordWrap(True)
        self.wedge_title, self.serial_title = QLabel(), QLabel()
        self.gap_label, self.prefix_label, self.suffix_label = QLabel(), QLabel(), QLabel()
        self.device_label, self.baud_label = QLabel(), QLabel()
        form = QFormLayout(self.readers_page)
        form.addRow(self.wedge_title)
        form.addRow(self.gap_label, self.wedge_gap)
        form.addRow(self.prefix_label, self.wedge_prefix)
        form.addRow(self.suffix_label, self.wedge_suffix)
        form.addRow(self.serial_title)
        form.addRow(self.device_label, self.serial_device)
        form.addRow(self.baud_label, self.serial_baudrate)
        form.addRow(self.readers_note)

        # server enrolment
        self.server_page = QWidget()
        self.url = QLineEdit(services.config.server.url or "")
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText("https://hq.example.com")
        self.url.returnPressed.connect(self._enrol_qr_scanned)
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

        for page in (
            self.printer_page,
            self.camera_page,
            self.language_page,
            self.readers_page,
            self.server_page,
        ):
            self.tabs.addTab(page, "")
        self.save_button = KeyButton("F5")
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        self.save_result = QLabel()
        self.save_result.setObjectName("saveResult")
        self.save_result.setWordWrap(True)
        self.close_button = KeyButton("Esc")
        self.close_button.clicked.connect(self.accept)
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs, 1)
        outer.addWidget(self.save_result)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_F2, self.print_test)
        keys.bind(Qt.Key.Key_F3, self.enrol)
        keys.bind(Qt.Key.Key_F5, self.save)
        keys.watch(
            self,
            self.tabs,
            self.printer_kind,
            self.printer_host,
            self.printer_port,
            self.paper,
            self.camera_on,
            self.camera_source,
            self.language,
            self.wedge_gap,
            self.wedge_prefix,
            self.wedge_suffix,
            self.serial_device,
            self.serial_baudrate,
            self.url,
            self.code,
        )
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
            lambda _: self.printer_result.setText(tr("Test receipt printed. Check the paper."))
        ).failure(lambda exc, text: self.printer_result.setText(text)).finally_(self._idle).run()

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

    # ------------------------------------------------------------ saving

    def entries(self) -> dict[str, SettingValue]:
        """What the fields hold, by "section.key". Raises BadEntry for a number field that
        is not a whole number."""
        values: dict[str, SettingValue] = {
            "terminal.language": str(self.language.currentData()),
            "scanner.camera": self.camera_source.text().strip(),
            "printer.kind": str(self.printer_kind.currentData()),
            "printer.host": self.printer_host.text().strip(),
            "printer.port": self.printer_port.text(),
            "printer.paper_mm": int(self.paper.currentData()),
            "scanner.wedge_max_gap_ms": self.wedge_gap.text(),
            "scanner.wedge_prefix": self.wedge_prefix.text(),
            "scanner.wedge_suffix": self.wedge_suffix.text(),
            "scanner.serial_device": self.serial_device.text().strip(),
            "scanner.serial_baudrate": self.serial_baudrate.text(),
        }
        for name in INT_FIELDS:
            text = str(values[name]).strip()
            if not text.isdigit():  # digits only: no sign, no decimals
                raise BadEntry(name)
            values[name] = int(text)
        return values

    def changes(self, saved: TillConfig) -> dict[str, dict[str, SettingValue]]:
        """The entries that differ from what till.toml holds, by section."""
        out: dict[str, dict[str, SettingValue]] = {}
        for name, value in self.entries().items():
            section, key = name.split(".")
            if getattr(getattr(saved, section), key) != value:
                out.setdefault(section, {})[key] = value
        return out

    def save(self) -> None:
        if self.busy:
            return
        try:
            changes = self.changes(self.services.saved_config)
        except BadEntry as bad:
            self.save_result.setText(not_saved_words((bad.field,)))
            return
        if not changes:
            self.save_result.setText(tr("Nothing changed: the settings file already holds these."))
            return
        self.busy = True
        self.save_result.setText(tr("Saving the settings…"))
        services = self.services
        Op(self, lambda: services.save_settings(changes)).success(self._saved).failure(
            self._not_saved
        ).finally_(self._idle).run()

    def _saved(self, _: TillConfig) -> None:
        self.save_result.setText(
            tr(
                "Saved. The language and the camera on/off apply now; the printer, "
                "the camera source and the readers when the till restarts."
            )
        )

    def _not_saved(self, exc: BaseException, text: str) -> None:
        fields = tuple(getattr(exc, "fields", ()))
        lines = str(exc).strip().splitlines()
        detail = lines[-1].strip() if type(exc).__name__ == "ConfigError" and lines else text
        self.save_result.setText(not_saved_words(fields, detail))

    # ------------------------------------------------------------ enrolment

    def _enrol_qr_scanned(self) -> None:
        """A barcode reader typed the HQ console's enrolment QR into the address field (it
        ends with Enter): enrol with the address and code it holds."""
        if looks_like_enrol_qr(self.url.text()):
            self.enrol()

    def enrol(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        if self.busy:
            return
        try:
            qr = read_enrol_qr(url) or read_enrol_qr(code)
        except BadEnrolQR:
            self.enrol_result.setText(
                tr("That enrolment QR cannot be used: show a new code in the HQ console and scan it again.")
            )
            self.url.selectAll()
            self.url.setFocus()
            return
        if qr is not None:  # the scanned QR fills both fields
            url, code = qr.server, qr.code
            self.url.setText(url)
            self.code.setText(code)
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
            lambda done: self.enrol_result.setText(enrolled_words(done))
        ).failure(
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
        for i, name in enumerate((tr("Printer"), tr("Camera"), tr("Language"), tr("Readers"), tr("Server"))):
            self.tabs.setTabText(i, name)
        p = self.services.config.printer
        where = f"{p.host}:{p.port}" if p.kind == "network" else (p.device or p.out_dir or p.cups_name)
        self.printer_info.setText(
            tr("Printer: {kind} {where}, {paper} mm paper.").format(
                kind=p.kind, where=where, paper=p.paper_mm
            )
        )
        self.test_print.set_label(tr("Print a test receipt"))
        self.kind_label.setText(tr("Printer type"))
        self.host_label.setText(tr("Address (network)"))
        self.port_label.setText(tr("Port (network)"))
        self.paper_label.setText(tr("Paper width"))
        self.printer_note.setText(tr("Printer changes apply when the till restarts (Save, F5)."))
        self.camera_on.setText(tr("Use the camera to read member codes"))
        self._camera_words()
        self.camera_source_label.setText(tr("Camera source"))
        self.camera_note.setText(
            tr(
                "A device number (0, 1), a video file or a URL; empty for no camera. "
                "A new source applies when the till restarts (Save, F5)."
            )
        )
        self.wedge_title.setText(tr("Keyboard-wedge reader (types like a keyboard)"))
        self.gap_label.setText(tr("Max gap between keys (ms)"))
        self.prefix_label.setText(tr("Prefix"))
        self.suffix_label.setText(tr("Suffix"))
        self.serial_title.setText(tr("Serial reader"))
        self.device_label.setText(tr("Serial port (empty: none)"))
        self.baud_label.setText(tr("Speed (baud)"))
        self.readers_note.setText(tr("Reader changes apply when the till restarts (Save, F5)."))
        self.save_button.set_label(tr("Save"))
        self.language_label.setText(tr("Language"))
        self.url_label.setText(tr("Server address"))
        self.code_label.setText(tr("One-time code"))
        self.enrol_button.set_label(tr("Enrol this till"))
        self.close_button.set_label(tr("Close"))
