"""The keyboard-wedge filter with real Qt key events: a scanner's burst (keys a few ms apart,
then Enter or Tab) becomes a scan and never reaches the text field; a person typing (a
hundred ms and more between keys) types into the field as usual."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.domain.codes import SigningKey, issue_member_code
from app.ports import DeviceState, DeviceStatus, Scan, ScanSource, Symbology
from hardware.scanner.wedge import WedgeScanner

SCANNER_GAP_MS = 4  # a typical USB reader types a character every 2-8 ms
PERSON_GAP_MS = 140  # a quick person; most are slower


class Form(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.phone = QLineEdit()
        self.note = QLineEdit()
        self.entered = 0
        self.phone.returnPressed.connect(self._entered)
        layout = QVBoxLayout(self)
        layout.addWidget(self.phone)
        layout.addWidget(self.note)

    def _entered(self) -> None:
        self.entered += 1


class Typist:
    """Sends key presses and releases with the timestamps a keyboard would give them."""

    def __init__(self, target: QWidget, start_ms: int = 1_000_000) -> None:
        self.target = target
        self.t = start_ms

    def key(
        self,
        ch: str = "",
        key: Qt.Key | None = None,
        gap_ms: int = SCANNER_GAP_MS,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        self.t += gap_ms
        if key is None:
            key = Qt.Key(ord(ch.upper()))
            if ch.isupper():
                modifiers |= Qt.KeyboardModifier.ShiftModifier
        for kind, at in ((QEvent.Type.KeyPress, self.t), (QEvent.Type.KeyRelease, self.t + 1)):
            event = QKeyEvent(kind, key, modifiers, ch)
            event.setTimestamp(at)
            QCoreApplication.sendEvent(self.target, event)

    def type(self, text: str, gap_ms: int) -> None:
        for ch in text:
            self.key(ch, gap_ms=gap_ms)

    def enter(self, gap_ms: int = SCANNER_GAP_MS) -> None:
        self.key("\r", Qt.Key.Key_Return, gap_ms)

    def tab(self, gap_ms: int = SCANNER_GAP_MS) -> None:
        self.key("\t", Qt.Key.Key_Tab, gap_ms)


@pytest.fixture
def form(qtbot: QtBot) -> Form:
    w = Form()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.phone.setFocus()
    qtbot.waitUntil(w.phone.hasFocus)
    return w


class Reader:
    def __init__(self, **kw: object) -> None:
        self.scans: list[Scan] = []
        self.statuses: list[DeviceStatus] = []
        self.wedge = WedgeScanner(**kw)  # type: ignore[arg-type]
        self.wedge.start(self.scans.append, self.statuses.append)


@pytest.fixture
def reader() -> Iterator[Reader]:
    r = Reader()
    yield r
    r.wedge.stop()


def settle(qtbot: QtBot) -> None:
    """Let the release timer run, so anything held back has been delivered."""
    qtbot.wait(120)


def test_a_burst_with_enter_is_a_scan_and_the_field_stays_empty(
    qtbot: QtBot, form: Form, reader: Reader
) -> None:
    assert reader.statuses == [DeviceStatus(DeviceState.READY)]
    keys = Typist(form.phone)
    keys.type("6901234567892", SCANNER_GAP_MS)
    keys.enter()
    settle(qtbot)
    assert [(s.payload, s.symbology, s.source) for s in reader.scans] == [
        ("6901234567892", Symbology.EAN13, ScanSource.WEDGE)
    ]
    assert form.phone.text() == ""
    assert form.entered == 0  # the terminator was swallowed too


def test_a_person_typing_a_phone_number_is_never_a_scan(qtbot: QtBot, form: Form, reader: Reader) -> None:
    keys = Typist(form.phone)
    keys.type("13800138000", PERSON_GAP_MS)
    keys.enter(PERSON_GAP_MS)
    settle(qtbot)
    assert reader.scans == []
    assert form.phone.text() == "13800138000"
    assert form.entered == 1


def test_real_key_clicks_at_human_speed_reach_the_field(qtbot: QtBot, form: Form, reader: Reader) -> None:
    qtbot.keyClicks(form.phone, "13912345678", delay=60)
    qtbot.keyClick(form.phone, Qt.Key.Key_Return, delay=60)
    settle(qtbot)
    assert reader.scans == []
    assert form.phone.text() == "13912345678"
    assert form.entered == 1


def test_a_member_code_through_a_wedge_reader(qtbot: QtBot, form: Form, reader: Reader) -> None:
    code = issue_member_code(
        uuid.UUID(int=3), SigningKey.generate("s001.t01"), datetime(2026, 11, 22, tzinfo=UTC)
    )
    keys = Typist(form.phone)
    keys.type(code, 2)
    keys.enter()
    settle(qtbot)
    assert [(s.payload, s.symbology) for s in reader.scans] == [(code, Symbology.QRCODE)]
    assert form.phone.text() == ""


def test_typing_then_a_scan_keeps_the_typing_and_takes_the_scan(
    qtbot: QtBot, form: Form, reader: Reader
) -> None:
    keys = Typist(form.phone)
    keys.type("138", PERSON_GAP_MS)
    keys.key("9", gap_ms=PERSON_GAP_MS)  # the scan starts a person's gap after the typing
    keys.type("6385074", SCANNER_GAP_MS)
    keys.enter()
    settle(qtbot)
    assert form.phone.text() == "138"
    assert [s.payload for s in reader.scans] == ["96385074"]


def test_a_slow_key_in_the_middle_breaks_a_burst(qtbot: QtBot, form: Form, reader: Reader) -> None:
    keys = Typist(form.phone)
    keys.type("1234", SCANNER_GAP_MS)  # a fast finger roll, then a pause
    keys.type("56", PERSON_GAP_MS)
    keys.enter(PERSON_GAP_MS)
    settle(qtbot)
    assert reader.scans == []
    assert form.phone.text() == "123456"


def test_tab_terminates_and_focus_stays(qtbot: QtBot, form: Form, reader: Reader) -> None:
    keys = Typist(form.phone)
    keys.type("ABC-12345", SCANNER_GAP_MS)
    keys.tab()
    settle(qtbot)
    assert [(s.payload, s.symbology) for s in reader.scans] == [("ABC-12345", Symbology.OTHER)]
    assert form.phone.hasFocus() and form.phone.text() == ""


def test_short_bursts_and_shortcuts_pass_through(qtbot: QtBot, form: Form, reader: Reader) -> None:
    keys = Typist(form.phone)
    keys.type("12", SCANNER_GAP_MS)  # too short for a code: two keys pressed together
    keys.enter()
    settle(qtbot)
    assert reader.scans == [] and form.phone.text() == "12" and form.entered == 1
    keys.key("a", Qt.Key.Key_A, PERSON_GAP_MS, Qt.KeyboardModifier.ControlModifier)  # select all
    keys.type("7", PERSON_GAP_MS)
    settle(qtbot)
    assert form.phone.text() == "7"


def test_prefix_and_suffix(qtbot: QtBot, form: Form) -> None:
    r = Reader(prefix="~", suffix="#")
    try:
        keys = Typist(form.phone)
        keys.type("~6901234567892#", SCANNER_GAP_MS)
        keys.enter()
        keys.type("6901234567892", PERSON_GAP_MS)  # no prefix: not from the reader
        keys.type("12345678", SCANNER_GAP_MS)  # fast, but no prefix either
        keys.enter()
        settle(qtbot)
        assert [s.payload for s in r.scans] == ["6901234567892"]
        assert form.phone.text() == "690123456789212345678"
    finally:
        r.wedge.stop()


def test_after_stop_keys_go_straight_through(qtbot: QtBot, form: Form) -> None:
    r = Reader()
    r.wedge.stop()
    keys = Typist(form.phone)
    keys.type("6901234567892", SCANNER_GAP_MS)
    keys.enter()
    settle(qtbot)
    assert r.scans == [] and form.phone.text() == "6901234567892"
