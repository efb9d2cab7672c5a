"""`till receipt` on a real till: a stored sale rendered to ESC/POS, PNG and text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from PIL import Image
from pyzbar.pyzbar import decode

from app.services.context import TillContext
from app.services.receipts import receipt_for
from tests.integration.conftest import MILK, RICE, mark_enrolled, sell
from tests.integration.test_printer_support import parse, printed_lines, text_only

ROOT = Path(__file__).resolve().parents[2]


def _till(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "till.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_receipt_last_as_escpos_png_and_text(
    till: TillContext, staff: dict[str, Any], products: dict[str, str], tmp_path: Path
) -> None:
    mark_enrolled(till)  # the receipt carries its feedback QR
    sell(till, staff, lines=((RICE, 1),))
    done = sell(till, staff, lines=((MILK, 2), (RICE, 1)))
    receipt = receipt_for(till, "last")
    assert receipt.feedback_url.startswith("http://127.0.0.1:8600/f/")
    assert receipt.receipt_no == done.receipt_no

    out = tmp_path / "r.bin"
    run = _till(till.home, "receipt", "last", "--format", "escpos", "--paper", "58", "--out", str(out))
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    p = parse(data)
    assert p.qr_data == [receipt.feedback_url.encode()]
    chinese = "\n".join(p.chinese)
    assert "牛奶 Milk 1L" in chinese and "大米 5kg" in chinese and done.receipt_no in chinese
    assert all(sum(2 if ord(c) > 0x7F else 1 for c in ln) <= 32 for ln in printed_lines(text_only(data)))

    png = tmp_path / "r.png"
    run = _till(till.home, "receipt", done.receipt_no, "--format", "png", "--out", str(png))
    assert run.returncode == 0, run.stderr
    with Image.open(png) as img:
        assert img.size[0] == 576
        assert [d.data.decode() for d in decode(img)] == [receipt.feedback_url]

    run = _till(till.home, "receipt", str(done.sale_id), "--format", "text", "--paper", "58")
    assert run.returncode == 0, run.stderr
    assert "牛奶 Milk 1L" in run.stdout and done.receipt_no in run.stdout


def test_receipt_of_no_sale_fails_cleanly(till: TillContext, tmp_path: Path) -> None:
    run = _till(till.home, "receipt", "last", "--format", "escpos", "--out", str(tmp_path / "x"))
    assert run.returncode == 1
    assert run.stderr.strip()
    assert not (tmp_path / "x").exists()
