"""The serial reader: a barcode scanner on an RS-232 port or a USB virtual COM port.

Such a reader sends each code as a line (ending in CR, LF or both), optionally with a
configured prefix and suffix. One thread opens the port, reads lines and delivers scans; a
port that is missing or goes away (USB cable pulled) is a status, never an exception, and it
is reopened when it comes back.

Handlers run on the reader's thread. ``stop()`` may be called from any thread and joins it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.ports import DeviceState, DeviceStatus, Scan, ScanHandler, ScanSource, StatusHandler
from hardware.scanner.text import guess_symbology

log = logging.getLogger(__name__)

_MAX_LINE = 4096  # bytes; a reader never sends more without a line end


class SerialScanner:
    """A :class:`app.ports.Scanner` for a serial barcode reader at ``device``."""

    def __init__(
        self,
        device: str,
        baudrate: int = 9600,
        *,
        prefix: str = "",
        suffix: str = "",
        reconnect_seconds: float = 1.0,
        read_timeout: float = 0.1,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._device = device
        self._baudrate = baudrate
        self._prefix, self._suffix = prefix, suffix
        self._reconnect = reconnect_seconds
        self._read_timeout = read_timeout
        self._wall_clock = wall_clock
        self._status = DeviceStatus(DeviceState.NO_DEVICE, "The barcode reader has not been started.")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_scan: ScanHandler = lambda scan: None
        self._on_status: StatusHandler = lambda status: None

    @property
    def status(self) -> DeviceStatus:
        with self._lock:
            return self._status

    def start(self, on_scan: ScanHandler, on_status: StatusHandler) -> None:
        if self._thread is not None:
            raise RuntimeError("the serial reader is already running")
        self._on_scan, self._on_status = on_scan, on_status
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

    # ------------------------------------------------------------ reader thread

    def _set_status(self, state: DeviceState, reason: str = "") -> None:
        status = DeviceStatus(state, reason)
        with self._lock:
            if status == self._status:
                return
            self._status = status
        try:
            self._on_status(status)
        except Exception:
            log.exception("serial status handler failed")

    def _open(self) -> Any | None:
        import serial

        try:
            return serial.Serial(self._device, self._baudrate, timeout=self._read_timeout)
        except (serial.SerialException, OSError, ValueError) as exc:
            log.debug("opening %s failed: %s", self._device, exc)
            return None

    def _run(self) -> None:
        try:
            import serial  # noqa: F401
        except ImportError:
            self._set_status(DeviceState.ERROR, "Serial barcode readers need the pyserial package.")
            return
        lost = False
        while not self._stop.is_set():
            port = self._open()
            if port is None:
                if lost:
                    self._set_status(
                        DeviceState.RECONNECTING, "The barcode reader was disconnected. Trying to reconnect…"
                    )
                else:
                    self._set_status(
                        DeviceState.NO_DEVICE, f"No barcode reader at {self._device}. Check the cable."
                    )
                self._stop.wait(self._reconnect)
                continue
            self._set_status(DeviceState.READY)
            try:
                self._read_lines(port)
            finally:
                port.close()
            if not self._stop.is_set():
                lost = True
                self._set_status(
                    DeviceState.RECONNECTING, "The barcode reader was disconnected. Trying to reconnect…"
                )
                self._stop.wait(self._reconnect)

    def _read_lines(self, port: Any) -> None:
        import serial

        buffer = b""
        while not self._stop.is_set():
            try:
                chunk = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError) as exc:
                log.info("serial reader %s lost: %s", self._device, exc)
                return
            if not chunk:
                continue
            buffer += chunk
            *lines, buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            for line in lines:
                self._deliver(line)
            if len(buffer) > _MAX_LINE:
                buffer = b""  # noise on the line, not a code

    def _deliver(self, line: bytes) -> None:
        text = line.decode("utf-8", errors="replace").strip()
        if not text:
            return
        if self._prefix or self._suffix:
            if not (text.startswith(self._prefix) and text.endswith(self._suffix)):
                log.info("serial line without the configured prefix/suffix ignored")
                return
            text = text[len(self._prefix) : len(text) - len(self._suffix)]
        if not text:
            return
        try:
            self._on_scan(Scan(text, guess_symbology(text), ScanSource.SERIAL, self._wall_clock()))
        except Exception:
            log.exception("scan handler failed")
