"""A till enrolled by scanning the QR the HQ console shows: the console page drawn by Chromium,
the QR cut out of its screenshot and decoded by the till's own `till scan`, and the decoded
text given to `till enrol` as it is, against the same real server on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.domain.enrolment import read_enrol_qr
from tests.console.conftest import Console, sign_in

ROOT = Path(__file__).resolve().parents[2]


def _till(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "till.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_a_till_enrols_from_the_qr_the_console_shows(page: Any, console: Console, tmp_path: Path) -> None:
    sign_in(page, console, "admin")
    page.goto(console.url + "/stores")
    page.fill("#enrol-S002", "S002-T31")
    with page.expect_navigation():
        page.click("#enrol-S002 + button")
    code = page.locator("#enrol-code").inner_text().strip()
    shot = tmp_path / "enrol-qr.png"
    page.locator(".qr").screenshot(path=str(shot))

    home = tmp_path / "till"
    scanned = _till(home, "scan", str(shot))
    assert scanned.returncode == 0, scanned.stderr
    found = [c["data"] for c in json.loads(scanned.stdout.splitlines()[0])["codes"]]
    assert len(found) == 1
    qr = read_enrol_qr(found[0])
    assert qr is not None and qr.code == code and qr.server == console.proc.url

    enrolled = _till(home, "enrol", found[0])
    assert enrolled.returncode == 0, enrolled.stderr
    assert "enrolled as store S002, terminal S002-T31" in enrolled.stdout
    again = _till(home, "enrol", found[0])  # a one-time code: used
    assert again.returncode != 0 and "Traceback" not in again.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("loyalty-till:enrol?server=https%3A%2F%2Fhq.example.com", "no one-time code"),
        ("loyalty-till:enrol?server=ftp%3A%2F%2Fhq&code=ABCD-1234-EFGH", "no server address"),
    ],
)
def test_a_damaged_enrolment_qr_is_named_at_the_command_line(tmp_path: Path, text: str, words: str) -> None:
    out = _till(tmp_path / "till", "enrol", text)
    assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr
