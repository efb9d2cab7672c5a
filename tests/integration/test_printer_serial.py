"""A serial receipt printer played by a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import threading
import tty
from collections.abc import Iterator

import pytest

from app.ports import PrinterState
from hardware.printer.printers import EscposPrinter
from hardware.printer.sample import sample_receipt
from hardware.printer.transports import SerialTransport
from tests.integration.test_printer_support import parse

URL = "http://127.0.0.1:8000/f/serial-test"


class PtyPrinter:
    """The master side of a pty: records bytes, answers DLE EOT like a printer."""

    def __init__(self, answers: dict[int, int]) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.master)
        self.device = os.ttyname(self.slave)
        self.answers = answers
        self.data = bytearray()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import select

        while not self._stop.is_set():
            r, _, _ = select.select([self.master], [], [], 0.05)
            if not r:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            self.data += chunk
            for i in range(len(self.data) - len(chunk) - 2, len(self.data) - 2):
                if i >= 0 and self.data[i : i + 2] == b"\x10\x04" and self.data[i + 2] in self.answers:
                    os.write(self.master, bytes((self.answers[self.data[i + 2]],)))

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    p = PtyPrinter({1: 0x12, 2: 0x12, 4: 0x12})
    yield p
    p.close()


def test_receipt_over_a_serial_line(pty_printer: PtyPrinter) -> None:
    printer = EscposPrinter(lambda: SerialTransport(pty_printer.device, 19200, 2.0))
    printer.print_receipt(sample_receipt(feedback_url=URL))
    expected = len(printer.render(sample_receipt(feedback_url=URL)))
    for _ in range(100):
        if len(pty_printer.data) >= expected:
            break
        threading.Event().wait(0.02)
    p = parse(bytes(pty_printer.data))
    assert p.qr_data == [URL.encode()]
    assert any("牛奶 Milk 1L" in seg for seg in p.chinese)


def test_status_over_a_serial_line(pty_printer: PtyPrinter) -> None:
    printer = EscposPrinter(lambda: SerialTransport(pty_printer.device, 19200, 1.0), status_timeout_s=1.0)
    assert printer.status() == PrinterState.ONLINE


def test_missing_serial_device_is_offline() -> None:
    printer = EscposPrinter(lambda: SerialTransport("/dev/does-not-exist", 19200, 0.5))
    assert printer.status() == PrinterState.OFFLINE
