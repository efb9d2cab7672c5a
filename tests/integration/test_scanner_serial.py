"""The serial reader through a real pty pair: the test writes what a reader would send on the
master side; the scanner opens the slave side by a stable path (a symlink, like
/dev/serial/by-id/...), which the test removes and re-points to unplug and replug it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ports import DeviceState, DeviceStatus, Scan, ScanSource, Symbology
from hardware.scanner.serial_reader import SerialScanner

pytest.importorskip("serial")
pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty")


class Pty:
    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):  # already closed
                os.close(fd)


class Recorder:
    def __init__(self) -> None:
        self.scans: list[Scan] = []
        self.statuses: list[DeviceStatus] = []
        self.changed = threading.Condition()

    def on_scan(self, scan: Scan) -> None:
        with self.changed:
            self.scans.append(scan)
            self.changed.notify_all()

    def on_status(self, status: DeviceStatus) -> None:
        with self.changed:
            self.statuses.append(status)
            self.changed.notify_all()

    def wait_for(self, predicate: object, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)  # type: ignore[arg-type]


@pytest.fixture
def ptys() -> Iterator[list[Pty]]:
    made: list[Pty] = []
    yield made
    for p in made:
        p.unplug()


@pytest.fixture
def scanners() -> Iterator[list[SerialScanner]]:
    made: list[SerialScanner] = []
    yield made
    for s in made:
        s.stop()


def plug(link: Path, ptys: list[Pty]) -> Pty:
    pty = Pty()
    ptys.append(pty)
    tmp = link.with_suffix(".new")
    tmp.symlink_to(pty.path)
    os.replace(tmp, link)
    return pty


def test_lines_become_scans(tmp_path: Path, ptys: list[Pty], scanners: list[SerialScanner]) -> None:
    pty = plug(tmp_path / "ttyScanner", ptys)
    scanner = SerialScanner(str(tmp_path / "ttyScanner"), 9600)
    scanners.append(scanner)
    rec = Recorder()
    scanner.start(rec.on_scan, rec.on_status)
    assert rec.wait_for(lambda: rec.statuses)
    assert scanner.status == DeviceStatus(DeviceState.READY)

    pty.send(b"6901234567892\r\n")
    pty.send(b"9638")  # a line may arrive in pieces
    assert rec.wait_for(lambda: len(rec.scans) == 1)
    pty.send(b"5074\rLTM1.abc.def\n\n")
    assert rec.wait_for(lambda: len(rec.scans) == 3)
    assert [(s.payload, s.symbology, s.source) for s in rec.scans] == [
        ("6901234567892", Symbology.EAN13, ScanSource.SERIAL),
        ("96385074", Symbology.EAN8, ScanSource.SERIAL),
        ("LTM1.abc.def", Symbology.QRCODE, ScanSource.SERIAL),
    ]


def test_prefix_and_suffix_are_stripped(
    tmp_path: Path, ptys: list[Pty], scanners: list[SerialScanner]
) -> None:
    pty = plug(tmp_path / "ttyScanner", ptys)
    scanner = SerialScanner(str(tmp_path / "ttyScanner"), prefix="]E0", suffix="#")
    scanners.append(scanner)
    rec = Recorder()
    scanner.start(rec.on_scan, rec.on_status)
    assert rec.wait_for(lambda: rec.statuses)
    pty.send(b"noise\r\n]E06901234567892#\r\n")
    assert rec.wait_for(lambda: rec.scans)
    assert [s.payload for s in rec.scans] == ["6901234567892"]


def test_missing_unplugged_and_replugged(
    tmp_path: Path, ptys: list[Pty], scanners: list[SerialScanner]
) -> None:
    link = tmp_path / "ttyScanner"
    scanner = SerialScanner(str(link), reconnect_seconds=0.05)
    scanners.append(scanner)
    rec = Recorder()
    scanner.start(rec.on_scan, rec.on_status)
    assert rec.wait_for(lambda: rec.statuses)
    assert scanner.status.state is DeviceState.NO_DEVICE
    assert str(link) in scanner.status.reason

    first = plug(link, ptys)
    assert rec.wait_for(lambda: scanner.status.state is DeviceState.READY)
    first.send(b"12345678\r\n")
    assert rec.wait_for(lambda: rec.scans)

    link.unlink()
    first.unplug()  # the cable is pulled: reads fail, the path is gone
    assert rec.wait_for(lambda: scanner.status.state is DeviceState.RECONNECTING)

    second = plug(link, ptys)
    assert rec.wait_for(lambda: scanner.status.state is DeviceState.READY)
    second.send(b"036000291452\n")
    assert rec.wait_for(lambda: len(rec.scans) == 2)
    assert [(s.payload, s.symbology) for s in rec.scans] == [
        ("12345678", Symbology.OTHER),  # 8 digits with a wrong check digit: not an EAN-8
        ("036000291452", Symbology.UPCA),
    ]
    states = [s.state for s in rec.statuses]
    assert states[:2] == [DeviceState.NO_DEVICE, DeviceState.READY]
    assert DeviceState.RECONNECTING in states and states[-1] is DeviceState.READY
    scanner.stop()
    assert not [t for t in threading.enumerate() if t.name == "serial-scanner"]
