"""The HQ console's enrolment QR at the till: a barcode reader types it into the settings'
server field (with its Enter) and the till enrols with the address and code it holds; a damaged
one is named; scanned at the checkout, the cashier is told where it goes instead of a product
look-up. The server is the loopback stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.domain.enrolment import enrol_qr_text
from sync.client import load_credentials
from tests.sync.standin import StandIn
from tests.ui.cashier import WAIT_MS, sign_in, type_enter
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn().start()
    yield server
    server.stop()


@pytest.fixture
def settings(qtbot: QtBot, services) -> Iterator[SettingsDialog]:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = SettingsDialog(parent, services, None)
    dialog.show()
    yield dialog
    services._target.stop_sync()


def test_scanning_the_consoles_qr_into_the_server_field_enrols_the_till(
    qtbot: QtBot, settings: SettingsDialog, standin: StandIn, till
) -> None:  # type: ignore[no-untyped-def]
    settings.url.clear()
    type_enter(qtbot, settings.url, enrol_qr_text(standin.url, "ENROL-123456"))
    qtbot.waitUntil(lambda: not settings.busy and settings.enrol_result.text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Sync starts now" in settings.enrol_result.text(), timeout=WAIT_MS)
    assert settings.url.text() == standin.url and settings.code.text() == "ENROL-123456"
    creds = load_credentials(till.home)
    assert creds is not None and creds.url == standin.url


def test_a_damaged_qr_is_named_and_nothing_is_sent(
    qtbot: QtBot, settings: SettingsDialog, standin: StandIn, till
) -> None:  # type: ignore[no-untyped-def]
    settings.url.clear()
    type_enter(qtbot, settings.url, "loyalty-till:enrol?server=" + standin.url)  # the code cut off
    assert "cannot be used" in settings.enrol_result.text()
    assert not settings.busy and load_credentials(till.home) is None


def test_the_qr_scanned_at_the_checkout_is_no_product(qtbot: QtBot, services, staff, products) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    window.start()
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, enrol_qr_text("https://hq.example.com", "ABCD-1234-EFGH"))
    qtbot.waitUntil(lambda: "enrols this till" in co.message.text(), timeout=WAIT_MS)
    assert not co.co.state.lines  # nothing was looked up as a barcode
