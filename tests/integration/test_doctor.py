"""`till doctor` on real homes: a real SQLite file, a TCP printer port on loopback, an HTTP
server on loopback whose clock is off; each problem named in words with what to do."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.config import DB_NAME, save_settings
from app.store.backup import make_backup

TILL = Path(sys.executable).parent / "till"


def _doctor(home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TILL), "--home", str(home), "doctor"], capture_output=True, text=True, timeout=60
    )


def _line(out: str, name: str) -> str:
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line[6:].startswith(name + ":"):
            todo = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("      ->") else ""
            return line + "\n" + todo
    raise AssertionError(f"no {name} line in:\n{out}")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    subprocess.run([str(TILL), "--home", str(h), "db", "upgrade"], check=True, capture_output=True)
    save_settings(h, {"scanner": {"camera": ""}})
    return h


def test_a_healthy_till_passes(home: Path) -> None:
    make_backup(home, home / DB_NAME, "manual")
    out = _doctor(home)
    assert out.returncode == 0, out.stdout
    assert _line(out.stdout, "database").startswith("OK    database: integrity ok")
    assert _line(out.stdout, "last backup").startswith("OK")
    assert "all checks passed" in out.stdout


def test_no_backup_is_a_warning_with_what_to_do(home: Path) -> None:
    out = _doctor(home)
    assert out.returncode == 0
    assert "till backup now" in _line(out.stdout, "last backup")


def test_a_network_printer_that_does_not_answer_fails(home: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    save_settings(home, {"printer": {"kind": "network", "port": port, "timeout_s": 1.0}})
    out = _doctor(home)
    assert out.returncode == 1
    line = _line(out.stdout, "printer")
    assert line.startswith("FAIL") and "not reachable" in line and "-> check the printer" in line
    with socket.create_server(("127.0.0.1", 0)) as listener:
        save_settings(home, {"printer": {"port": listener.getsockname()[1]}})
        again = _doctor(home)
    assert _line(again.stdout, "printer").startswith("OK")


class _Health(BaseHTTPRequestHandler):
    skew_s = 0.0

    def do_GET(self) -> None:
        import time

        self.send_response_only(200)  # send_response would add a Date header of its own
        self.send_header("Date", formatdate(time.time() + self.skew_s, usegmt=True))
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[HTTPServer]:
    srv = HTTPServer(("127.0.0.1", 0), _Health)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_a_server_whose_clock_differs_fails_and_an_unreachable_one_too(
    home: Path, health_server: HTTPServer
) -> None:
    url = f"http://127.0.0.1:{health_server.server_address[1]}"
    save_settings(home, {"server": {"url": url}})
    _Health.skew_s = 0.0
    near = _line(_doctor(home).stdout, "server")
    assert near.startswith("WARN") and "not enrolled" in near and "till enrol" in near
    _Health.skew_s = -900.0
    out = _doctor(home)
    far = _line(out.stdout, "server")
    assert out.returncode == 1 and far.startswith("FAIL") and "ahead" in far and "clock" in far
    health_server.shutdown()
    health_server.server_close()
    gone = _line(_doctor(home).stdout, "server")
    assert gone.startswith("FAIL") and "not reachable" in gone


def test_a_damaged_database_fails_with_the_restore_to_do(home: Path) -> None:
    db = home / DB_NAME
    data = bytearray(db.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of the file overwritten
    db.write_bytes(bytes(data))
    out = _doctor(home)
    assert out.returncode == 1
    line = _line(out.stdout, "database")
    assert line.startswith("FAIL") and "till backup restore" in line
    assert "Traceback" not in out.stdout + out.stderr
