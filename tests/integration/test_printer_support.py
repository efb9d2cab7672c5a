"""Test support for printer tests: a network printer played by a TCP server on loopback, and
an independent reader of ESC/POS bytes (written from the command reference, not from the
renderer), plus tests of the reader itself."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

import pytest
from PIL import Image

GS, ESC, FS = 0x1D, 0x1B, 0x1C


class FakeNetworkPrinter:
    """A TCP server on 127.0.0.1 that records every connection's bytes as one job.

    mode "record": reads to EOF, answering DLE EOT n with `status[n]` when given.
    mode "stall": reads `stall_after` bytes, then never reads again (tiny receive buffer).
    mode "hangup": reads `stall_after` bytes, then resets the connection.
    """

    def __init__(
        self, mode: str = "record", status: dict[int, int] | None = None, stall_after: int = 0
    ) -> None:
        self.mode, self.status, self.stall_after = mode, status or {}, stall_after
        self.jobs: list[bytes] = []
        self._cv = threading.Condition()
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self.server = socket.socket()
        if mode in ("stall", "hangup"):
            # A small receive buffer (inherited by accepted sockets): the receipt cannot vanish
            # into kernel buffers before the printer stalls or hangs up, whatever the timing.
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._run, name="fake-printer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._serve(conn)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        buf = bytearray()
        scanned = 0
        while not self._stop.is_set():
            if self.mode != "record" and len(buf) >= self.stall_after:
                if self.mode == "hangup":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    conn.close()
                else:
                    self._held.append(conn)  # keep it open, never read again
                self._finish(bytes(buf))
                return
            try:
                want = 65536 if self.mode == "record" else max(1, self.stall_after - len(buf))
                chunk = conn.recv(want)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            # answer real-time status queries as a printer does, on receipt
            while True:
                i = buf.find(b"\x10\x04", scanned)
                if i < 0 or i + 2 >= len(buf):
                    scanned = max(scanned, len(buf) - 2)
                    break
                n = buf[i + 2]
                if n in self.status:
                    conn.sendall(bytes((self.status[n],)))
                scanned = i + 3
        conn.close()
        self._finish(bytes(buf))

    def _finish(self, data: bytes) -> None:
        with self._cv:
            self.jobs.append(data)
            self._cv.notify_all()

    def wait_jobs(self, n: int = 1, timeout: float = 5.0) -> list[bytes]:
        with self._cv:
            assert self._cv.wait_for(lambda: len(self.jobs) >= n, timeout), f"{len(self.jobs)} jobs"
            return list(self.jobs)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.server.close()
        for c in self._held:
            c.close()


# ------------------------------------------------------------------ reading ESC/POS


@dataclass
class Parsed:
    qr_data: list[bytes] = field(default_factory=list)  # GS ( k 1 P 0 store-data payloads
    chinese: list[str] = field(default_factory=list)  # FS & ... FS . segments, decoded GB18030
    images: list[Image.Image] = field(default_factory=list)  # GS v 0 rasters
    text: bytearray = field(default_factory=bytearray)  # printable bytes outside commands
    commands: list[bytes] = field(default_factory=list)  # command heads seen, e.g. b"\x1bE"


# Fixed-length commands: prefix -> number of argument bytes.
_FIXED = {
    (ESC, ord("@")): 0,
    (ESC, ord("t")): 1,
    (ESC, ord("E")): 1,
    (ESC, ord("a")): 1,
    (ESC, ord("d")): 1,
    (ESC, ord("p")): 3,
    (GS, ord("!")): 1,
    (FS, ord("&")): 0,
    (FS, ord(".")): 0,
}


def parse(data: bytes) -> Parsed:
    """Split a byte stream into commands, text, QR payloads, Chinese segments and images.
    Fails on any command it does not know, so a stray control byte is caught."""
    out = Parsed()
    i, chinese_start = 0, None
    while i < len(data):
        b = data[i]
        if b in (GS, ESC, FS) and i + 1 < len(data):
            head = (b, data[i + 1])
            if head == (GS, ord("(")) and data[i + 2] == ord("k"):
                n = data[i + 3] | data[i + 4] << 8
                body = data[i + 5 : i + 5 + n]
                if body[:3] == b"\x31\x50\x30":
                    out.qr_data.append(bytes(body[3:]))
                out.commands.append(b"\x1d(k")
                i += 5 + n
                continue
            if head == (GS, ord("v")) and data[i + 2] == ord("0"):
                xl, xh, yl, yh = data[i + 4 : i + 8]
                wb, h = xl | xh << 8, yl | yh << 8
                bits = data[i + 8 : i + 8 + wb * h]
                img = Image.frombytes("1", (wb * 8, h), bits)
                out.images.append(Image.eval(img.convert("L"), lambda v: 255 - v))
                out.commands.append(b"\x1dv0")
                i += 8 + wb * h
                continue
            if head == (GS, ord("V")):
                m = data[i + 2]
                out.commands.append(b"\x1dV")
                i += 4 if m in (65, 66, 97, 98, 103, 104) else 3
                continue
            if head not in _FIXED:
                raise AssertionError(f"unknown command {bytes(head)!r} at {i}")
            if head == (FS, ord("&")):
                chinese_start = i + 2
            elif head == (FS, ord(".")):
                assert chinese_start is not None, "FS . without FS &"
                out.chinese.append(data[chinese_start:i].decode("gb18030"))
                chinese_start = None
            out.commands.append(bytes(head))
            i += 2 + _FIXED[head]
            continue
        if b == 0x10 and data[i + 1 : i + 2] == b"\x04":
            out.commands.append(b"\x10\x04")
            i += 3
            continue
        if chinese_start is None:
            assert b == 0x0A or 0x20 <= b < 0x7F, f"byte {b:#x} outside Chinese mode at {i}"
            out.text.append(b)
        i += 1
    assert chinese_start is None, "FS & never closed"
    return out


def printed_lines(data: bytes) -> list[str]:
    """The text lines as the printer prints them (Chinese segments decoded in place)."""
    lines, cur, i, start = [], "", 0, None
    while i < len(data):
        if data[i : i + 2] == b"\x1c&":
            start = i + 2
            i += 2
            continue
        if data[i : i + 2] == b"\x1c." and start is not None:
            cur += data[start:i].decode("gb18030")
            start = None
            i += 2
            continue
        if start is None:
            b = data[i]
            if b == 0x0A:
                lines.append(cur)
                cur = ""
            elif b in (GS, ESC):
                break  # the callers strip commands first; see `text_only`
            else:
                cur += chr(b)
        i += 1
    return lines


def text_only(data: bytes) -> bytes:
    """`data` without commands other than FS & / FS . and without QR and image payloads."""
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b in (GS, ESC) and i + 1 < len(data):
            head = (b, data[i + 1])
            if head == (GS, ord("(")):
                i += 5 + (data[i + 3] | data[i + 4] << 8)
            elif head == (GS, ord("v")):
                wb, h = data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
                i += 8 + wb * h
            elif head == (GS, ord("V")):
                i += 4 if data[i + 2] in (65, 66, 97, 98, 103, 104) else 3
            else:
                i += 2 + _FIXED[head]
            continue
        out.append(b)
        i += 1
    return bytes(out)


def test_the_reader_finds_qr_payload_and_chinese() -> None:
    url = b"http://x/f/abc"
    n = len(url) + 3
    data = (
        b"\x1b@\x1c&"
        + "牛奶".encode("gb18030")
        + b"\x1c.\n"
        + b"\x1d(k"
        + bytes((n, 0))
        + b"1P0"
        + url
        + b"\x1d(k\x03\x001Q0"
    )
    p = parse(data)
    assert p.qr_data == [url]
    assert p.chinese == ["牛奶"]
    assert printed_lines(text_only(data)) == ["牛奶"]


def test_the_reader_rejects_stray_bytes() -> None:
    with pytest.raises(AssertionError):
        parse(b"\x1b@caf\xe9\n")
