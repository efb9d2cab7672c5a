"""The first start: the till asks for its server and enrolment code (enrolled for real against
the stand-in server on loopback), or sets up the demo store; `--demo` needs no question."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import till.firstrun as firstrun
from app.config import DB_NAME, load_config
from sync.client import load_credentials
from tests.sync.standin import StandIn
from ui.first_run_dialog import FirstRunDialog

WAIT_MS = 120_000  # seeding and enrolling run on a worker thread; a loaded machine is slow
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def standin() -> Iterator[StandIn]:
    s = StandIn().start()
    yield s
    s.stop()


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(firstrun, "DEMO_MEMBERS", 30)
    monkeypatch.setattr(firstrun, "DEMO_SALES", 5)


def _products(home: Path) -> int:
    conn = sqlite3.connect(home / DB_NAME)
    try:
        return int(conn.execute("SELECT count(*) FROM products").fetchone()[0])
    finally:
        conn.close()


def _dialog(qtbot: QtBot, home: Path) -> FirstRunDialog:
    d = FirstRunDialog(
        lambda url, code: firstrun.enrol_with(home, url, code), lambda: firstrun.seed_demo_if_empty(home)
    )
    qtbot.addWidget(d)
    d.show()
    return d


def test_first_start_asks_and_enrols_with_the_server(qtbot: QtBot, tmp_path: Path, standin: StandIn) -> None:
    home = tmp_path / "home"
    assert firstrun.prepare(home) is True
    assert firstrun.needs_setup(home)
    d = _dialog(qtbot, home)
    qtbot.mouseClick(d.enrol_button, LEFT)  # nothing typed yet: asked to fill in, nothing sent
    assert "enrolment code" in d.message.text() and d.choice is None
    d.url.clear()
    qtbot.keyClicks(d.url, standin.url)
    qtbot.keyClicks(d.code, "WRONG-CODE")
    qtbot.mouseClick(d.enrol_button, LEFT)
    qtbot.waitUntil(lambda: "Enrolment failed" in d.message.text(), timeout=WAIT_MS)
    assert d.isVisible() and d.enrol_button.isEnabled() and load_credentials(home) is None
    d.code.setText("ENROL-123456")
    qtbot.mouseClick(d.enrol_button, LEFT)
    qtbot.waitUntil(lambda: d.choice == "enrolled", timeout=WAIT_MS)
    assert load_credentials(home) is not None
    assert load_config(home).server.url == standin.url
    assert not firstrun.needs_setup(home)  # the next start goes straight to the sign-in


def test_first_start_can_set_up_the_demo_store_instead(
    qtbot: QtBot, tmp_path: Path, small_demo: None
) -> None:
    home = tmp_path / "home"
    firstrun.prepare(home)
    d = _dialog(qtbot, home)
    qtbot.mouseClick(d.demo_button, LEFT)
    qtbot.waitUntil(lambda: d.choice == "demo", timeout=WAIT_MS)
    assert _products(home) > 0 and not firstrun.needs_setup(home)


def test_demo_flag_seeds_an_empty_store_once(tmp_path: Path, small_demo: None) -> None:
    home = tmp_path / "home"
    assert firstrun.first_start(home, demo=True)
    n = _products(home)
    assert n > 0
    conn = sqlite3.connect(home / DB_NAME)
    members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
    conn.close()
    assert firstrun.first_start(home, demo=True)  # a second start seeds nothing more
    conn = sqlite3.connect(home / DB_NAME)
    try:
        assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == members
    finally:
        conn.close()
