"""Feedback readiness: a till never enrolled prints no feedback QR (no server would answer it);
after `till enrol` its receipts lead to the feedback page of the server it enrolled with, as
that server names it (`public_base_url`, else its own address), not to an old host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.services.context import TillContext
from app.services.receipts import receipt_for
from hardware.printer.document import QRBlock, compose
from hardware.printer.escpos_render import render_escpos
from sync.enrol import enrol
from tests.integration.conftest import MILK, sell
from tests.integration.test_printer_support import parse
from tests.server.support import ServerProcess, enrol_code

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("products")]

PUBLIC = "https://hq.example.com/loyalty"


@pytest.fixture
def public_server(db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(db_url, tmp_path, LT_SERVER_PUBLIC_BASE_URL=PUBLIC).start()
    yield proc
    proc.stop()


def _qr(till: TillContext, receipt_no: str) -> list[str]:
    receipt = receipt_for(till, receipt_no)
    layout = compose(receipt, 80)
    blocks = [b.data for b in layout.blocks if isinstance(b, QRBlock)]
    assert [q.decode() for q in parse(render_escpos(receipt)).qr_data] == blocks  # what is printed
    return blocks


def test_an_unenrolled_till_prints_no_feedback_qr(till: TillContext, staff) -> None:  # type: ignore[no-untyped-def]
    done = sell(till, staff, ((MILK, 1),))
    assert done.feedback_url == "" and done.feedback_token  # the token is still made and sent
    assert _qr(till, done.receipt_no) == []
    text = "\n".join(compose(receipt_for(till, done.receipt_no), 80).text_lines())
    assert "扫码评价" not in text and "谢谢惠顾" in text


def test_after_enrolment_the_qr_leads_to_the_servers_public_address(  # type: ignore[no-untyped-def]
    till: TillContext, staff, public_server: ServerProcess
) -> None:
    old = till.config.server.feedback_base_url
    assert old.startswith("http://127.0.0.1:8600")  # the default of till.toml: another host
    enrol(till, public_server.url, enrol_code(public_server.database_url, till.store_id, till.terminal_id))
    done = sell(till, staff, ((MILK, 1),))
    assert done.feedback_url == f"{PUBLIC}/f/{done.feedback_token}"
    assert _qr(till, done.receipt_no) == [done.feedback_url]


def test_without_a_public_address_the_qr_leads_to_the_server_enrolled_with(  # type: ignore[no-untyped-def]
    till: TillContext, staff, server: ServerProcess
) -> None:
    enrol(till, server.url, enrol_code(server.database_url, till.store_id, till.terminal_id))
    done = sell(till, staff, ((MILK, 1),))
    assert done.feedback_url == f"{server.url}/f/{done.feedback_token}"
    assert _qr(till, done.receipt_no) == [done.feedback_url]
    # the page is there: it answers (the sale is not pushed yet, so it says so, not 404)
    page = requests.get(done.feedback_url, timeout=10)
    assert page.status_code < 500 and page.status_code != 404
