"""The till's log file after a flow with a member: registration with a name, a sale, a
look-up by phone on the server (over real HTTP to the stand-in), a sync round, a shift closed
(with its backup). Nothing identifying the member or the terminal's token is in the file."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest

from app.services.context import TillContext
from app.services.members import RegisterMember, identify, register_member
from hardware.printer.printers import NullPrinter
from sync.client import load_credentials
from sync.lookup import identify_online
from sync.worker import SyncWorker
from tests.sync.conftest import sell
from till.logs import log_path, setup_logging
from ui.services import TillServices

PHONE, NAME = "139 1234 5678", "王芳"


@pytest.fixture
def logged(enrolled: TillContext) -> Iterator[Path]:
    path = setup_logging(enrolled.home, logging.DEBUG)  # everything, urllib3's request lines too
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    yield path
    root.setLevel(level)
    for h in list(root.handlers):
        if isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path:
            root.removeHandler(h)
            h.close()


def test_a_member_flow_leaves_no_phone_name_or_token_in_the_log(
    enrolled: TillContext, worker: SyncWorker, staff: dict[str, Any], products: Any, logged: Path
) -> None:
    reg = register_member(
        enrolled, RegisterMember(phone=PHONE, name=NAME, consent_given=True, staff_id=staff["cashier"].id)
    )
    sell(enrolled, staff, member_id=reg.member.id)
    assert identify(enrolled, PHONE).id == reg.member.id
    with contextlib.suppress(Exception):  # the stand-in knows no such member: what matters is the log
        identify_online(enrolled, "139 8765 4321")
    assert worker.run_once().ok
    services = TillServices(enrolled, NullPrinter())
    shift = services.open_shift(staff["cashier"].id, 0)
    services.close_shift(shift, staff["cashier"].id, 0)
    logging.getLogger("app.careless").warning("lookup for %s failed", "+8613912345678")

    text = logged.read_text(encoding="utf-8")
    assert "shift backup written" in text  # the file holds the till's lines
    assert "/api/v1/sync/push" in text  # and the HTTP client's, with the path only
    assert "lookup?phone=[number]" in text and "lookup for [number] failed" in text  # masked
    creds = load_credentials(enrolled.home)
    assert creds is not None
    digits = PHONE.replace(" ", "")
    for secret in (
        digits,
        PHONE,
        "+86" + digits,
        "8765 4321",
        "98765 4321",
        "13987654321",
        NAME,
        creds.token,
    ):
        assert secret not in text, secret


def test_till_logs_prints_where_the_file_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = subprocess.run(
        [str(Path(sys.executable).parent / "till"), "--home", str(home), "logs"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert out.stdout.splitlines()[0] == str(log_path(home))
