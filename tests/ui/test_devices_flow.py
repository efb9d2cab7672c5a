"""The till with its devices configured as a store would have them (till.toml): a camera that
is a video file, a network receipt printer (a recording TCP server on loopback) and a sync
server that is down. Driven with keys as a cashier would."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.context import TillContext, open_till
from app.services.members import RegisterMember, member_code, register_member
from hardware.scanner import scanners_from_config, synth
from sync.client import Credentials, save_credentials
from tests.conftest import FAST_HASHER, FrozenClock
from tests.integration.conftest import mark_enrolled
from tests.integration.test_printer_support import FakeNetworkPrinter, parse, printed_lines, text_only
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.lookup_dialog import LookupDialog
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog

MILK = "6901234567892"
SHAPE = (480, 640)


@pytest.fixture
def printer_server() -> Iterator[FakeNetworkPrinter]:
    server = FakeNetworkPrinter()
    yield server
    server.close()


@pytest.fixture
def dead_port() -> int:
    """A loopback port nobody listens on: the sync server is down."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@pytest.fixture
def till(
    tmp_path: Path,
    clock: FrozenClock,
    printer_server: FakeNetworkPrinter,  # type: ignore[override]
    dead_port: int,
) -> Iterator[TillContext]:
    """The shared till fixture, with the devices in till.toml."""
    home = tmp_path / "home"
    home.mkdir()
    camera = (tmp_path / "camera.avi").as_posix()
    (home / "till.toml").write_text(
        f'[server]\nurl = "http://127.0.0.1:{dead_port}"\n\n'
        f'[printer]\nkind = "network"\nhost = "127.0.0.1"\nport = {printer_server.port}\ntimeout_s = 2\n\n'
        f'[scanner]\ncamera = "{camera}"\ndedupe_seconds = 30\n',
        encoding="utf-8",
    )
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    yield ctx
    ctx.close()


def write_member_video(path: Path, code: str, frames: int = 12) -> Path:
    """An MJPG .avi of a member's QR code held in front of the camera on a busy counter."""
    qr = synth.qr_image(code, module_px=4)
    img = synth.to_bgr(synth.place(qr, synth.clutter(SHAPE, 3), (320, 240), 300))
    tmp = path.with_name(path.stem + ".part.avi")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), 20, (SHAPE[1], SHAPE[0]))
    assert writer.isOpened()
    for _ in range(frames):
        writer.write(img)
    writer.release()
    os.replace(tmp, path)
    return path


@pytest.fixture
def window(qtbot: QtBot, services, till: TillContext, staff, products) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    cameras = scanners_from_config(till.config.scanner)  # the video file of till.toml
    assert len(cameras) == 1
    w = MainWindow(services, scanners=cameras)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    yield w
    w.stop()


def _member(till: TillContext, staff) -> tuple[object, str]:  # type: ignore[no-untyped-def]
    reg = register_member(
        till,
        RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id, name="Chen"),
    )
    return reg.member.id, member_code(till, reg.member.id)


def test_a_member_shown_to_the_video_camera_fills_the_panel_and_the_receipt_reaches_the_network_printer(
    qtbot: QtBot,
    window: MainWindow,
    till: TillContext,
    staff,  # type: ignore[no-untyped-def]
    printer_server: FakeNetworkPrinter,
) -> None:
    _, code = _member(till, staff)
    mark_enrolled(till)  # its receipts carry a feedback QR that can work
    window.start()  # the camera's video is not there yet: "on, not found", retried each second
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)

    # the customer holds up the code: the camera reads it off the video; the panel fills and
    # the preview shows the frame with the code outlined
    write_member_video(Path(till.config.scanner.camera), code)
    qtbot.waitUntil(lambda: co.state.member is not None, timeout=WAIT_MS)
    assert co.panel.who.text().startswith("138****8000")
    qtbot.waitUntil(lambda: co.preview.codes_outlined > 0 and co.preview.isVisible(), timeout=WAIT_MS)
    assert co.preview.pixmap() is not None and not co.preview.pixmap().isNull()
    assert window.status.camera.text()  # the camera's state in words

    # pay cash: the receipt's bytes arrive at the network printer
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)
    type_enter(qtbot, co.scan, "")  # nothing typed: Enter is not an amount
    qtbot.keyClicks(co.scan, "20")
    key(qtbot, co.scan, Qt.Key.Key_F8)
    assert co.state.tendered == 2000
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: co.last_receipt is not None and not co.completing, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "printed" in co.message.text().lower() or co.print_failed, timeout=WAIT_MS)
    assert not co.print_failed, co.message.text()
    jobs = printer_server.wait_jobs(1)
    text = "\n".join(printed_lines(text_only(jobs[-1])))
    assert co.last_receipt in text
    assert "138****8000" in text and "13800138000" not in text
    assert parse(jobs[-1]).qr_data  # the feedback QR


def test_a_walk_in_member_registers_with_the_server_down_and_gets_a_slip(
    qtbot: QtBot,
    window: MainWindow,
    services,
    till: TillContext,  # type: ignore[no-untyped-def]
    printer_server: FakeNetworkPrinter,
    dead_port: int,
) -> None:
    save_credentials(
        till.home,
        Credentials(
            url=f"http://127.0.0.1:{dead_port}",
            store_id=till.store_id,
            terminal_id=till.terminal_id,
            token="t" * 32,
            device_id="dev-1",
            epoch="",
        ),
    )
    real = services._target
    real.start_sync()  # the sync worker runs against a server that is down
    try:
        assert real.sync_status is not None
        window.start()
        sign_in(qtbot, window)
        co = window.checkout
        key(qtbot, co.scan, Qt.Key.Key_F4)
        qtbot.waitUntil(lambda: co.dialog is not None and co.dialog.isVisible(), timeout=WAIT_MS)
        dialog = co.dialog
        qtbot.keyClicks(dialog.phone, "139 0013 9000")  # type: ignore[union-attr]
        assert "✓" in dialog.phone_state.text()  # type: ignore[union-attr]
        key(qtbot, dialog.phone, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # type: ignore[union-attr]
        key(qtbot, dialog.phone, Qt.Key.Key_Return)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: dialog.registration is not None, timeout=WAIT_MS)  # type: ignore[union-attr]
        assert co.state.member is not None and co.state.member.masked_phone == "139****9000"

        # the slip: the member's code as a QR, the card number and the welcome coupon
        reg = dialog.registration  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: co.slip_printed == reg.member.card_no, timeout=WAIT_MS)
        slip = printer_server.wait_jobs(1)[-1]
        assert reg.member_code.encode() in parse(slip).qr_data
        lines = "\n".join(printed_lines(text_only(slip)))
        assert reg.member.card_no in lines
        if reg.welcome_coupon:
            assert reg.welcome_coupon in lines
        key(qtbot, dialog.phone, Qt.Key.Key_Return)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)
        assert services.pending_events is not None
    finally:
        real.stop_sync()


def test_member_lookup_by_phone_then_use_for_the_sale(
    qtbot: QtBot, window: MainWindow, till: TillContext, staff
) -> None:  # type: ignore[no-untyped-def]
    _member(till, staff)
    window.start()
    sign_in(qtbot, window)
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(co.dialog, LookupDialog) and co.dialog.isVisible(), timeout=WAIT_MS)
    dialog = co.dialog
    assert isinstance(dialog, LookupDialog)
    type_enter(qtbot, dialog.query, "13900000000")  # nobody
    qtbot.waitUntil(lambda: not dialog.busy and dialog.message.text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.member is None and not dialog.busy, timeout=WAIT_MS)
    assert not dialog.use.isEnabled()
    dialog.query.clear()
    type_enter(qtbot, dialog.query, "13800138000")
    qtbot.waitUntil(lambda: dialog.member is not None, timeout=WAIT_MS)
    assert "138****8000" in dialog.details.text() and "13800138000" not in dialog.details.text()
    key(qtbot, dialog.query, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)
    assert co.state.member is not None and co.state.member.masked_phone == "138****8000"


def test_settings_need_a_supervisor_then_print_a_test_receipt_and_switch_the_camera_off(
    qtbot: QtBot,
    window: MainWindow,
    till: TillContext,
    staff,  # type: ignore[no-untyped-def]
    printer_server: FakeNetworkPrinter,
) -> None:
    window.start()
    sign_in(qtbot, window)
    co = window.checkout
    key(qtbot, co.scan, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: co.dialog is not None and co.dialog.isVisible(), timeout=WAIT_MS)
    approval = co.dialog
    type_enter(qtbot, approval.login, "1001")  # type: ignore[union-attr]  # a cashier cannot
    type_enter(qtbot, approval.pin, "1234")  # type: ignore[union-attr]
    qtbot.waitUntil(
        lambda: approval.message.text() != "" and not approval.busy,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    assert co.dialog is approval
    approval.login.clear()  # type: ignore[union-attr]
    type_enter(qtbot, approval.login, "2001")  # type: ignore[union-attr]
    type_enter(qtbot, approval.pin, "5678")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: isinstance(co.dialog, SettingsDialog) and co.dialog.isVisible(), timeout=WAIT_MS)
    settings = co.dialog
    assert isinstance(settings, SettingsDialog)

    settings.test_print.click()
    qtbot.waitUntil(
        lambda: not settings.busy and "printed" in settings.printer_result.text().lower(), timeout=WAIT_MS
    )
    assert "TEST" in "\n".join(printed_lines(text_only(printer_server.wait_jobs(1)[-1])))

    assert settings.camera_on.isEnabled() and settings.camera_on.isChecked()
    settings.camera_on.setChecked(False)
    assert not window.camera_enabled()

    settings.enrol()  # no code typed: says so, nothing sent
    assert settings.enrol_result.text()
    settings.code.setText("ABCD-1234")
    settings.enrol()  # the server is down: the reason in words
    qtbot.waitUntil(
        lambda: not settings.busy and settings.enrol_result.text().startswith(("Not enrolled", "未")),
        timeout=WAIT_MS,
    )

    idx = settings.language.findData("en")
    settings.language.setCurrentIndex(idx)
    settings.accept()
    qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)


def test_running_sync_makes_the_offline_rules_apply_and_stopping_it_lifts_them(
    services, till: TillContext, staff, dead_port: int
) -> None:  # type: ignore[no-untyped-def]
    from app.services.errors import Refused

    save_credentials(
        till.home,
        Credentials(
            url=f"http://127.0.0.1:{dead_port}",
            store_id=till.store_id,
            terminal_id=till.terminal_id,
            token="t" * 32,
            device_id="dev-1",
            epoch="",
        ),
    )
    (till.home / "sync.toml").write_text("[offline]\nregister_members = false\n")
    # sync.toml is read when the till starts: this till, started again with it.
    from dataclasses import replace

    from app.settings_file import read_offline_overrides
    from ui.services import TillServices

    till = replace(till, offline_overrides=read_offline_overrides(till.home))
    real = TillServices(till, services._target._printer)
    walk_in = RegisterMember(phone="139 0013 9001", consent_given=True, staff_id=staff["cashier"].id)
    real.start_sync()
    try:
        # From the start the server is not known to be reachable (and it is down here).
        assert till.link is not None and till.offline() and not till.offline_rules.register_members
        with pytest.raises(Refused) as refused:
            register_member(till, walk_in)
        assert refused.value.code == "offline_register"
        assert "Registering new members" in real.offline_rules()["en"].split("Needs the server:")[1]
    finally:
        real.stop_sync()
    assert till.link is None and not till.offline()  # no sync running: the store is the truth
    assert register_member(till, walk_in).member.masked_phone == "139****9001"
