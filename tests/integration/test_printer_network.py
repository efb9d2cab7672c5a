"""A network receipt printer end to end: real bytes over TCP on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyzbar.pyzbar import decode

from app.config import PrinterConfig
from app.ports import PrintError, PrinterState
from hardware.printer.escpos_render import EscposOptions
from hardware.printer.factory import make_printer
from hardware.printer.printers import EscposPrinter
from hardware.printer.queue import PrintQueue, QueuedPrinter
from hardware.printer.sample import SAMPLE_ITEMS, sample_receipt
from hardware.printer.transports import NetworkTransport
from tests.integration.test_printer_support import (
    FakeNetworkPrinter,
    parse,
    printed_lines,
    text_only,
)


@pytest.fixture
def fake_printer() -> Iterator[FakeNetworkPrinter]:
    p = FakeNetworkPrinter()
    yield p
    p.close()


URL = "http://127.0.0.1:8000/f/0193f4c2-7a1e-7d3b-9c41-2f5e8a9b0c1d.Xq3vB9"


def _config(port: int, **kw: object) -> PrinterConfig:
    return PrinterConfig(
        kind="network", host="127.0.0.1", port=port, timeout_s=kw.pop("timeout_s", 2.0), **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("paper", [58, 80])
def test_receipt_reaches_the_printer_with_native_qr_and_gb18030(
    fake_printer: FakeNetworkPrinter, tmp_path: Path, paper: int
) -> None:
    printer = make_printer(_config(fake_printer.port, paper_mm=paper), tmp_path)
    receipt = sample_receipt(feedback_url=URL)
    printer.print_receipt(receipt)
    [data] = fake_printer.wait_jobs(1)

    p = parse(data)
    assert p.qr_data == [URL.encode()]
    assert data.startswith(b"\x1b@")
    assert b"\x1dV" in p.commands  # cut
    chinese = "\n".join(p.chinese)
    for name, *_ in SAMPLE_ITEMS[:4]:
        assert name in chinese
    assert "乐忠超市" in chinese
    assert "￥" in chinese and "¥" not in chinese  # full-width yen: A3 A4, printable on GBK fonts
    assert b"\xa3\xa4" in data and b"\x81\x30\x84\x36" not in data
    columns = 32 if paper == 58 else 48
    for line in printed_lines(text_only(data)):
        assert sum(2 if ord(c) > 0x7F else 1 for c in line) <= columns, line
    assert PrintQueue(tmp_path).jobs() == []


def test_english_only_profile_sends_ascii_only(fake_printer: FakeNetworkPrinter, tmp_path: Path) -> None:
    make_printer(_config(fake_printer.port, chinese=False, paper_mm=58), tmp_path).print_receipt(
        sample_receipt(feedback_url=URL)
    )
    [data] = fake_printer.wait_jobs(1)
    p = parse(data)
    assert p.chinese == []
    assert b"\x1c&" not in data
    assert all(b < 0x80 for b in text_only(data))
    assert p.qr_data == [URL.encode()]
    text = p.text.decode("ascii")
    assert "Milk 1L" in text and "RMB" in text and "TOTAL" in text


def test_profile_without_native_qr_gets_a_raster_qr(fake_printer: FakeNetworkPrinter, tmp_path: Path) -> None:
    make_printer(_config(fake_printer.port, profile="ZJ-5870", paper_mm=58), tmp_path).print_receipt(
        sample_receipt(feedback_url=URL)
    )
    [data] = fake_printer.wait_jobs(1)
    p = parse(data)
    assert p.qr_data == [] and b"\x1d(k" not in p.commands
    [img] = p.images
    from PIL import ImageOps

    found = decode(ImageOps.expand(img, border=40, fill=255))
    assert [d.data.decode() for d in found] == [URL]


def test_logo_from_the_till_home_is_printed_as_raster(
    fake_printer: FakeNetworkPrinter, tmp_path: Path
) -> None:
    from PIL import Image, ImageDraw

    logo = Image.new("RGB", (800, 200), "white")
    ImageDraw.Draw(logo).rectangle((100, 50, 700, 150), fill="black")
    logo.save(tmp_path / "logo.png")
    make_printer(_config(fake_printer.port), tmp_path).print_receipt(sample_receipt(feedback_url=URL))
    [data] = fake_printer.wait_jobs(1)
    [img] = parse(data).images
    assert img.size[0] <= 576 and img.size[1] > 0


def test_long_chinese_names_wrap_inside_58_mm(fake_printer: FakeNetworkPrinter, tmp_path: Path) -> None:
    long_name = "超长商品名称测试" * 5 + " Extremely-long-product-name-without-any-space-at-all 1kg"
    receipt = sample_receipt(items=((long_name, "6900000000001", 1, 999_999_99),), feedback_url=URL)
    make_printer(_config(fake_printer.port, paper_mm=58), tmp_path).print_receipt(receipt)
    [data] = fake_printer.wait_jobs(1)
    lines = printed_lines(text_only(data))
    assert all(sum(2 if ord(c) > 0x7F else 1 for c in ln) <= 32 for ln in lines)
    assert "".join(lines).replace(" ", "").count("超长商品名称测试") == 5


def test_printer_that_stops_reading_mid_receipt_times_out_and_queues(tmp_path: Path) -> None:
    stalled = FakeNetworkPrinter(mode="stall", stall_after=2000)
    try:
        items = tuple((f"商品 {i} Product number {i}", f"69{i:011d}", 1, 100 + i) for i in range(600))
        receipt = sample_receipt(items=items, feedback_url=URL)
        printer = make_printer(_config(stalled.port, timeout_s=0.5), tmp_path)
        with pytest.raises(PrintError) as err:
            printer.print_receipt(receipt)
        assert err.value.reason == "timeout"
        assert "stopped taking data" in err.value.message
        [job] = PrintQueue(tmp_path).jobs()
        assert (job.sale_id, job.receipt_no, job.reason) == (receipt.sale_id, receipt.receipt_no, "timeout")
        assert 0 < len(stalled.wait_jobs(1)[0]) <= 2000
    finally:
        stalled.close()

    # The printer is back: the retry prints the stored receipt and empties the queue.
    healthy = FakeNetworkPrinter()
    try:
        assert isinstance(printer, QueuedPrinter)
        printer.inner = make_printer(_config(healthy.port), tmp_path).inner  # type: ignore[attr-defined]
        result = printer.retry_queued()
        assert result.printed == (receipt.receipt_no,) and result.failed is None and result.remaining == 0
        [data] = healthy.wait_jobs(1)
        assert parse(data).qr_data == [URL.encode()]
        assert "商品 599 Product" in "\n".join(parse(data).chinese)
    finally:
        healthy.close()
    assert PrintQueue(tmp_path).jobs() == []


def test_printer_that_hangs_up_mid_receipt_is_offline(tmp_path: Path) -> None:
    server = FakeNetworkPrinter(mode="hangup", stall_after=500)
    try:
        items = tuple((f"Product {i}", f"69{i:011d}", 1, 100) for i in range(600))
        printer = make_printer(_config(server.port, timeout_s=1.0), tmp_path)
        with pytest.raises(PrintError) as err:
            printer.print_receipt(sample_receipt(items=items))
        assert err.value.reason == "offline"
        assert [j.reason for j in PrintQueue(tmp_path).jobs()] == ["offline"]
    finally:
        server.close()


def test_no_printer_listening_is_offline_and_a_second_failure_updates_the_job(tmp_path: Path) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    printer = make_printer(_config(port, timeout_s=0.5), tmp_path)
    receipt = sample_receipt()
    for _ in range(2):
        with pytest.raises(PrintError) as err:
            printer.print_receipt(receipt)
        assert err.value.reason == "offline"
    [job] = PrintQueue(tmp_path).jobs()
    assert job.attempts == 2
    assert job.document() == receipt
    assert printer.status() == PrinterState.OFFLINE


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, PrinterState.ONLINE),
        ({1: 0x1A, 2: 0x32, 4: 0x72}, PrinterState.PAPER_OUT),
        ({1: 0x1A, 2: 0x16, 4: 0x12}, PrinterState.COVER_OPEN),
        ({}, PrinterState.UNKNOWN),
    ],
)
def test_status_from_dle_eot(tmp_path: Path, answers: dict[int, int], state: PrinterState) -> None:
    server = FakeNetworkPrinter(status=answers)
    try:
        printer = EscposPrinter(lambda: NetworkTransport("127.0.0.1", server.port, 1.0), status_timeout_s=0.3)
        assert printer.status() == state
    finally:
        server.close()


def test_paper_out_is_reported_before_sending_when_status_is_checked(tmp_path: Path) -> None:
    server = FakeNetworkPrinter(status={1: 0x1A, 2: 0x32, 4: 0x72})
    try:
        inner = EscposPrinter(
            lambda: NetworkTransport("127.0.0.1", server.port, 1.0), check_status=True, status_timeout_s=0.5
        )
        printer = QueuedPrinter(inner, PrintQueue(tmp_path))
        with pytest.raises(PrintError) as err:
            printer.print_receipt(sample_receipt())
        assert err.value.reason == "paper_out"
        [data] = server.wait_jobs(1)
        assert data == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"  # asked, printed nothing
        assert [j.reason for j in printer.queue.jobs()] == ["paper_out"]
    finally:
        server.close()


def test_drawer_kick(fake_printer: FakeNetworkPrinter, tmp_path: Path) -> None:
    make_printer(_config(fake_printer.port), tmp_path).kick_drawer()
    assert fake_printer.wait_jobs(1) == [b"\x1bp\x00\x19\x78"]


def test_render_options_can_add_the_kick_to_a_receipt() -> None:
    from hardware.printer.escpos_render import render_escpos

    data = render_escpos(sample_receipt(), EscposOptions(kick_drawer=True))
    assert data.endswith(b"\x1bp\x00\x19\x78")
    assert b"\x1bp\x00\x19\x78" in bytes(data)  # after the cut
