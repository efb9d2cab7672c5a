"""Byte pipes to a printer, opened and closed explicitly, every wait bounded by a timeout.

Each transport is made per job (open, write, close), so a printer that was switched off
between two sales costs one failed job, not a stuck connection. Transports raise PrintError
with reason "offline" (cannot reach the printer, or it went away) or "timeout" (it stopped
taking data). Optional drivers (pyserial, pyusb, pycups, pywin32) are imported on `open`, and a
missing one is an "offline" error naming the package, not an ImportError at start-up.

Network: a plain socket to port 9100 (python-escpos's Network has a 60 s default timeout and
no per-send bound). Serial: pyserial if installed, else POSIX termios (Linux, macOS). File:
a device node (/dev/usb/lp0) or a plain file. USB, CUPS (or `lp`), Win32Raw: python-escpos's
drivers behind `is_usable()` checks.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import sys
import time
from pathlib import Path
from typing import Any, Protocol

from app.ports import PrintError

CHUNK = 4096


class Transport(Protocol):
    """One connection to one printer. Not thread-safe: one job at a time."""

    name: str
    bidirectional: bool  # can `read` printer answers (DLE EOT status)

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, n: int, timeout: float) -> bytes:
        """Up to `n` bytes the printer sent, b"" if none came within `timeout` seconds."""
        ...

    def close(self) -> None: ...


class NetworkTransport:
    """Raw TCP (JetDirect, port 9100). `timeout_s` bounds the connect and each wait for the
    printer to take more data; a small send buffer keeps the host's progress close to the
    printer's, so a printer that stops reading is noticed mid-receipt."""

    bidirectional = True

    def __init__(self, host: str, port: int = 9100, timeout_s: float = 3.0, send_buffer: int = 8192) -> None:
        self.host, self.port, self.timeout_s, self.send_buffer = host, port, timeout_s, send_buffer
        self.name = f"{host}:{port}"
        self._sock: socket.socket | None = None

    def open(self) -> None:
        self.close()
        deadline = time.monotonic() + self.timeout_s
        last: OSError | None = None
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise PrintError("offline", f"Printer {self.name}: cannot resolve the host ({exc}).") from exc
        for family, kind, proto, _, addr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                sock.connect(addr)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            sock.settimeout(self.timeout_s)
            self._sock = sock
            return
        if isinstance(last, TimeoutError):
            raise PrintError(
                "offline", f"Printer {self.name} does not answer (no connection within {self.timeout_s:g} s)."
            )
        raise PrintError("offline", f"Printer {self.name} cannot be reached ({last}).")

    def write(self, data: bytes) -> None:
        sock = self._require()
        view = memoryview(data)
        sent = 0
        try:
            while sent < len(view):
                sent += sock.send(view[sent : sent + CHUNK])
        except TimeoutError as exc:
            raise PrintError(
                "timeout",
                f"Printer {self.name} stopped taking data after {sent} of "
                f"{len(data)} bytes (waited {self.timeout_s:g} s).",
            ) from exc
        except OSError as exc:
            raise PrintError(
                "offline", f"Printer {self.name} went away after {sent} of {len(data)} bytes ({exc})."
            ) from exc

    def read(self, n: int, timeout: float) -> bytes:
        sock = self._require()
        sock.settimeout(timeout)
        try:
            return sock.recv(n)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise PrintError("offline", f"Printer {self.name} went away ({exc}).") from exc
        finally:
            sock.settimeout(self.timeout_s)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _require(self) -> socket.socket:
        if self._sock is None:
            raise PrintError("offline", f"Printer {self.name} is not open.")
        return self._sock


def _wait_fd(fd: int, write: bool, timeout: float) -> bool:
    r, w, _ = select.select([] if write else [fd], [fd] if write else [], [], timeout)
    return bool(w if write else r)


class FileTransport:
    """A device node (/dev/usb/lp0, a parallel port) or a plain file (appended to). On POSIX
    the writes wait at most `timeout_s` for the device to take more data."""

    bidirectional = False

    def __init__(self, path: str | Path, timeout_s: float = 3.0) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s
        self.name = str(self.path)
        self._fd: int | None = None

    def open(self) -> None:
        self.close()
        flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        if not self.path.exists() or self.path.is_file():
            flags |= os.O_CREAT | os.O_APPEND
        try:
            self._fd = os.open(self.path, flags | getattr(os, "O_BINARY", 0), 0o644)
        except OSError as exc:
            raise PrintError("offline", f"Printer {self.name} cannot be opened ({exc.strerror}).") from exc

    def write(self, data: bytes) -> None:
        if self._fd is None:
            raise PrintError("offline", f"Printer {self.name} is not open.")
        _write_fd(self._fd, data, self.timeout_s, self.name)

    def read(self, n: int, timeout: float) -> bytes:
        return b""

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _write_fd(fd: int, data: bytes, timeout_s: float, name: str) -> None:
    view = memoryview(data)
    sent = 0
    posix = sys.platform != "win32"
    try:
        while sent < len(view):
            if posix and not _wait_fd(fd, True, timeout_s):
                raise PrintError(
                    "timeout",
                    f"Printer {name} stopped taking data after {sent} of "
                    f"{len(data)} bytes (waited {timeout_s:g} s).",
                )
            try:
                sent += os.write(fd, view[sent : sent + CHUNK])
            except BlockingIOError:
                continue
    except PrintError:
        raise
    except OSError as exc:
        raise PrintError(
            "offline", f"Printer {name} failed after {sent} of {len(data)} bytes ({exc.strerror or exc})."
        ) from exc


class SerialTransport:
    """A serial port (RS-232 or a USB-serial adapter), 8N1 at `baudrate`. Uses pyserial when
    it is installed (needed on Windows), else POSIX termios."""

    bidirectional = True

    def __init__(self, device: str, baudrate: int = 19200, timeout_s: float = 3.0) -> None:
        self.device, self.baudrate, self.timeout_s = device, baudrate, timeout_s
        self.name = device
        self._fd: int | None = None
        self._serial: Any = None

    def open(self) -> None:
        self.close()
        if not self.device:
            raise PrintError("offline", "No serial device is configured for the printer.")
        try:
            import serial  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            serial = None
        if serial is not None:
            try:
                self._serial = serial.Serial(
                    self.device, self.baudrate, timeout=self.timeout_s, write_timeout=self.timeout_s
                )
            except (OSError, serial.SerialException) as exc:
                raise PrintError("offline", f"Printer {self.name} cannot be opened ({exc}).") from exc
            return
        if sys.platform == "win32":
            raise PrintError("offline", "Serial printers on Windows need pyserial (pip install pyserial).")
        self._open_posix()

    def _open_posix(self) -> None:
        import termios

        try:
            fd = os.open(self.device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise PrintError("offline", f"Printer {self.name} cannot be opened ({exc.strerror}).") from exc
        try:
            attrs = termios.tcgetattr(fd)
            speed = getattr(termios, f"B{self.baudrate}", None)
            if speed is None:
                raise PrintError("offline", f"Baud rate {self.baudrate} is not supported here.")
            attrs[0] = 0  # iflag: raw
            attrs[1] = 0  # oflag: raw
            attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
            attrs[3] = 0  # lflag: no echo, no canonical mode
            attrs[4] = attrs[5] = speed
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error as exc:
            os.close(fd)
            raise PrintError("offline", f"Printer {self.name} is not a serial port ({exc}).") from exc
        except PrintError:
            os.close(fd)
            raise
        self._fd = fd

    def write(self, data: bytes) -> None:
        if self._serial is not None:
            try:
                self._serial.write(data)
                self._serial.flush()
            except Exception as exc:  # pyserial raises SerialTimeoutException or OSError
                reason = "timeout" if "timeout" in type(exc).__name__.lower() else "offline"
                raise PrintError(reason, f"Printer {self.name} failed ({exc}).") from exc
            return
        if self._fd is None:
            raise PrintError("offline", f"Printer {self.name} is not open.")
        _write_fd(self._fd, data, self.timeout_s, self.name)

    def read(self, n: int, timeout: float) -> bytes:
        if self._serial is not None:
            self._serial.timeout = timeout
            data: bytes = self._serial.read(n)
            return data
        if self._fd is None or not _wait_fd(self._fd, False, timeout):
            return b""
        try:
            return os.read(self._fd, n)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            with contextlib.suppress(Exception):
                ser.close()
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class EscposDriverTransport:
    """A python-escpos driver (Usb, CupsPrinter, LP, Win32Raw) used as a byte pipe."""

    def __init__(
        self,
        kind: str,
        name: str,
        make: Any,
        install_hint: str,
        bidirectional: bool = False,
        open_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.kind, self.name, self._make = kind, name, make
        self.install_hint = install_hint
        self.bidirectional = bidirectional
        self.open_kwargs = open_kwargs or {}
        self._printer: Any = None

    def open(self) -> None:
        self.close()
        cls = self._make()
        if cls is None or not cls.is_usable():
            raise PrintError("offline", f"{self.kind} printing is not available here: {self.install_hint}")
        try:
            printer = self._construct(cls)
            printer.open(raise_not_found=True, **self.open_kwargs)
        except PrintError:
            raise
        except Exception as exc:  # drivers raise their own (DeviceNotFoundError, USBError, ...)
            raise PrintError("offline", f"Printer {self.name} cannot be opened ({exc}).") from exc
        self._printer = printer

    def _construct(self, cls: Any) -> Any:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        if self._printer is None:
            raise PrintError("offline", f"Printer {self.name} is not open.")
        try:
            self._printer._raw(data)
        except Exception as exc:
            reason = "timeout" if "timeout" in f"{type(exc).__name__} {exc}".lower() else "offline"
            raise PrintError(reason, f"Printer {self.name} failed ({exc}).") from exc

    def read(self, n: int, timeout: float) -> bytes:
        if self._printer is None or not self.bidirectional:
            return b""
        try:
            data = self._printer._read()
        except Exception:
            return b""
        return bytes(data[:n])

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()  # CUPS and lp send the job on close
            except Exception as exc:
                raise PrintError("offline", f"Printer {self.name} failed on close ({exc}).") from exc


def _driver(module: str, cls: str) -> Any:
    try:
        mod = __import__(f"escpos.printer.{module}", fromlist=[cls])
    except ImportError:
        return None
    return getattr(mod, cls, None)


class UsbTransport(EscposDriverTransport):
    def __init__(self, vendor: int, product: int, timeout_s: float = 3.0) -> None:
        super().__init__(
            "USB",
            f"USB {vendor:04x}:{product:04x}",
            lambda: _driver("usb", "Usb"),
            "install pyusb and libusb (pip install pyusb)",
            bidirectional=True,
        )
        self.vendor, self.product, self.timeout_s = vendor, product, timeout_s

    def _construct(self, cls: Any) -> Any:
        return cls(idVendor=self.vendor, idProduct=self.product, timeout=int(self.timeout_s * 1000))


class CupsTransport(EscposDriverTransport):
    """A raw queue on CUPS through pycups, or through the `lp` command when pycups is absent."""

    def __init__(self, printer_name: str) -> None:
        super().__init__(
            "CUPS",
            f"CUPS {printer_name or '(default)'}",
            self._pick,
            "install pycups (pip install pycups) or the CUPS client (lp)",
            open_kwargs={"job_name": "receipt"},
        )
        self.printer_name = printer_name

    def _pick(self) -> Any:
        cups = _driver("cups", "CupsPrinter")
        if cups is not None and cups.is_usable():
            return cups
        lp = _driver("lp", "LP")
        if lp is not None and lp.is_usable():
            return lp
        return cups

    def _construct(self, cls: Any) -> Any:
        return cls(printer_name=self.printer_name)


class Win32RawTransport(EscposDriverTransport):
    def __init__(self, printer_name: str) -> None:
        super().__init__(
            "Windows",
            f"Windows printer {printer_name or '(default)'}",
            lambda: _driver("win32raw", "Win32Raw"),
            "Win32Raw needs Windows and pywin32 (pip install pywin32)",
            open_kwargs={"job_name": "receipt"},
        )
        self.printer_name = printer_name

    def _construct(self, cls: Any) -> Any:
        return cls(printer_name=self.printer_name)
