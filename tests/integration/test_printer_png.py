"""PNG rendering and the demo folder printer: the preview's QR decodes to the feedback URL."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from app.config import PrinterConfig
from app.ports import PrintError, PrinterState
from hardware.printer import png_render
from hardware.printer.factory import make_printer
from hardware.printer.png_render import render_png, render_png_image
from hardware.printer.queue import PrintQueue, QueuedPrinter
from hardware.printer.sample import sample_receipt
from tests.integration.test_printer_support import parse

URL = "http://127.0.0.1:8000/f/0193f4c2-7a1e-7d3b-9c41-2f5e8a9b0c1d.Xq3vB9"


@pytest.mark.parametrize(("paper", "width"), [(58, 384), (80, 576)])
def test_png_qr_decodes_to_the_feedback_url(tmp_path: Path, paper: int, width: int) -> None:
    path = tmp_path / "r.png"
    path.write_bytes(render_png(sample_receipt(feedback_url=URL), paper))
    with Image.open(path) as img:
        assert img.size[0] == width
        assert [d.data.decode() for d in decode(img) if d.type == "QRCODE"] == [URL]


def test_png_with_member_code_has_both_codes() -> None:
    from dataclasses import replace

    r = replace(sample_receipt(feedback_url=URL), member_code="LTM1.abc.def")
    found = {d.data.decode() for d in decode(render_png_image(r, 80))}
    assert found == {URL, "LTM1.abc.def"}


def test_chinese_is_drawn_with_a_cjk_font() -> None:
    font = png_render.receipt_font()
    assert "CJK" in " ".join(font.getname())  # type: ignore[union-attr]
    # a Chinese character is drawn two columns wide
    assert font.getlength("牛") == pytest.approx(2 * png_render.COLUMN_PX, abs=1)  # type: ignore[union-attr]


def test_missing_cjk_font_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(png_render, "FONT_CANDIDATES", (("/nonexistent/font.ttc", ()),))
    monkeypatch.delenv("TILL_RECEIPT_FONT", raising=False)
    png_render.receipt_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            img = render_png_image(sample_receipt(feedback_url=URL), 58)
        assert "No CJK font" in caplog.text
        assert [d.data.decode() for d in decode(img)] == [URL]
    finally:
        png_render.receipt_font.cache_clear()


def test_file_printer_writes_png_and_bytes(tmp_path: Path) -> None:
    printer = make_printer(PrinterConfig(kind="file", paper_mm=58), tmp_path)
    receipt = sample_receipt(feedback_url=URL)
    printer.print_receipt(receipt)
    out = tmp_path / "receipts"
    assert sorted(p.name for p in out.iterdir()) == [f"{receipt.receipt_no}.bin", f"{receipt.receipt_no}.png"]
    assert parse((out / f"{receipt.receipt_no}.bin").read_bytes()).qr_data == [URL.encode()]
    with Image.open(out / f"{receipt.receipt_no}.png") as img:
        assert [d.data.decode() for d in decode(img)] == [URL]
    assert printer.status() == PrinterState.ONLINE
    printer.kick_drawer()  # no drawer: nothing happens


def test_unwritable_folder_queues_the_receipt(tmp_path: Path) -> None:
    (tmp_path / "receipts").write_text("a file where the folder should be")
    printer = make_printer(PrinterConfig(kind="file"), tmp_path)
    assert isinstance(printer, QueuedPrinter)
    with pytest.raises(PrintError) as err:
        printer.print_receipt(sample_receipt())
    assert err.value.reason == "offline"
    assert printer.status() == PrinterState.OFFLINE
    [job] = PrintQueue(tmp_path).jobs()
    assert job.reason == "offline" and "cannot be written" in job.message
    # Folder fixed: the retry prints it and the queue is empty.
    (tmp_path / "receipts").unlink()
    result = printer.retry_queued()
    assert result.printed == (job.receipt_no,) and result.remaining == 0
    assert (tmp_path / "receipts" / f"{job.receipt_no}.png").is_file()


def test_file_kind_with_a_device_path_writes_raw_bytes(tmp_path: Path) -> None:
    dev = tmp_path / "lp0"
    make_printer(PrinterConfig(kind="file", device=str(dev)), tmp_path).print_receipt(
        sample_receipt(feedback_url=URL)
    )
    assert parse(dev.read_bytes()).qr_data == [URL.encode()]


def test_none_printer_prints_nothing(tmp_path: Path) -> None:
    printer = make_printer(PrinterConfig(kind="none"), tmp_path)
    printer.print_receipt(sample_receipt())
    assert printer.status() == PrinterState.UNKNOWN
    assert not (tmp_path / "receipts").exists()
