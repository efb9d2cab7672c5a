"""Points for interaction: the program's `feedback_points` are earned by a feedback answer,
once per receipt, as an HQ ledger entry that reaches the member's tills by pull (real HTTP on
loopback, PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.codes import issue_feedback_token
from app.domain.program import LoyaltyProgram, ProgramError
from server import models as sm
from server.feedback import service
from server.feedback.core import feedback_entry_id
from server.program import publish
from tests.server_feedback.conftest import NOW, LiveServer, Terminal, add_sale, enrol

pytestmark = pytest.mark.postgres
TIMEOUT = 10
GOOD = {"stars": "5", "nps": "9", "category": "service", "comment": "好"}


def _post(url: str, data: dict[str, str]) -> requests.Response:
    return requests.post(url, data=data, timeout=TIMEOUT, allow_redirects=False)


def _program(sessions: sessionmaker[Session], points: int) -> None:
    with sessions.begin() as s:
        program = LoyaltyProgram.model_validate({"feedback_points": points})
        publish(s, program, NOW - timedelta(days=1), NOW - timedelta(days=1), by="test")


def _entries(sessions: sessionmaker[Session], member: uuid.UUID) -> list[tuple[str, int, str]]:
    with sessions() as s:
        return [
            (e.kind, e.points, e.note)
            for e in s.execute(select(sm.LedgerEntry).where(sm.LedgerEntry.member_id == member)).scalars()
        ]


def _sale(live: LiveServer, term: Terminal, member: uuid.UUID | None) -> tuple[str, uuid.UUID, str]:
    token, sale_id, receipt_no = term.receipt()
    with live.sessions.begin() as s:
        add_sale(s, term, sale_id, receipt_no, member)
    return token, sale_id, receipt_no


def test_an_answer_earns_the_programs_points_once_per_receipt(live_server: LiveServer) -> None:
    _program(live_server.sessions, 20)
    term = enrol(live_server.sessions)
    member = uuid.uuid4()
    token, sale_id, receipt_no = _sale(live_server, term, member)

    assert _post(f"{live_server.url}/f/{token}", GOOD).status_code == 200
    assert _entries(live_server.sessions, member) == [("earn", 20, f"feedback:{receipt_no}")]
    with live_server.sessions() as s:  # the member's tills get it by pull
        change = s.execute(
            select(sm.ChangeRow).where(
                sm.ChangeRow.entity == "ledger_entry", sm.ChangeRow.key == str(feedback_entry_id(sale_id))
            )
        ).scalar_one()
        assert change.member_id == member and change.data["points"] == 20
        assert change.data["expires_at"] is not None

    # A second answer to the same receipt (the same QR, or the receipt printed again with a
    # new token) is refused and earns nothing.
    again = _post(f"{live_server.url}/f/{token}", {**GOOD, "stars": "1"})
    assert again.status_code == 409
    reprinted = issue_feedback_token(
        term.store_id, term.terminal_id, sale_id, receipt_no, term.key, NOW + timedelta(minutes=1)
    )
    assert _post(f"{live_server.url}/f/{reprinted}", GOOD).status_code == 409
    assert _entries(live_server.sessions, member) == [("earn", 20, f"feedback:{receipt_no}")]

    # Even if the writer is asked twice for one receipt, it writes once.
    with live_server.sessions.begin() as s:
        fb = s.execute(select(service.Feedback).where(service.Feedback.sale_id == sale_id)).scalar_one()
        from server.feedback.core import write_feedback_points

        assert write_feedback_points(s, fb, live_server.clock()) == 0
    assert len(_entries(live_server.sessions, member)) == 1


def test_no_points_without_a_member_or_when_the_program_gives_none(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    member = uuid.uuid4()
    token, _, _ = _sale(live_server, term, member)
    assert _post(f"{live_server.url}/f/{token}", GOOD).status_code == 200  # the default program: 0
    assert _entries(live_server.sessions, member) == []

    _program(live_server.sessions, 15)
    token, _, _ = _sale(live_server, term, None)
    assert _post(f"{live_server.url}/f/{token}", GOOD).status_code == 200
    with live_server.sessions() as s:
        assert s.execute(select(sm.LedgerEntry)).first() is None


def test_an_answer_before_its_sale_earns_when_they_are_joined(live_server: LiveServer) -> None:
    _program(live_server.sessions, 30)
    term = enrol(live_server.sessions)
    member = uuid.uuid4()
    token, sale_id, receipt_no = term.receipt()
    assert _post(f"{live_server.url}/f/{token}", GOOD).status_code == 200
    with live_server.sessions.begin() as s:
        add_sale(s, term, sale_id, receipt_no, member)
    with live_server.sessions.begin() as s:
        from server.feedback.core import core_ports

        assert service.link_pending(s, core_ports(), live_server.clock()) == 1
        assert service.link_pending(s, core_ports(), live_server.clock()) == 0
    assert _entries(live_server.sessions, member) == [("earn", 30, f"feedback:{receipt_no}")]


def test_the_programs_feedback_points_are_checked() -> None:
    assert LoyaltyProgram().feedback_points == 0
    for bad in (-1, 10_001, "many", 1.5):
        with pytest.raises((ProgramError, ValueError)):
            LoyaltyProgram.model_validate({"feedback_points": bad})
    assert LoyaltyProgram.model_validate({"feedback_points": 50}).feedback_points == 50


def test_an_answer_joined_by_the_push_earns_in_its_transaction(live_server: LiveServer) -> None:
    """What the push handler does for a sale.completed whose answer came first (`link_sale`)."""
    _program(live_server.sessions, 40)
    term = enrol(live_server.sessions)
    member = uuid.uuid4()
    token, sale_id, receipt_no = term.receipt()
    assert _post(f"{live_server.url}/f/{token}", GOOD).status_code == 200
    assert _entries(live_server.sessions, member) == []
    with live_server.sessions.begin() as s:
        add_sale(s, term, sale_id, receipt_no, member)
        assert service.link_sale(s, sale_id, member, live_server.clock(), terminal_id=term.terminal_id)
        assert not service.link_sale(s, sale_id, member, live_server.clock(), terminal_id=term.terminal_id)
    assert _entries(live_server.sessions, member) == [("earn", 40, f"feedback:{receipt_no}")]
    with live_server.sessions.begin() as s:  # and a sweep afterwards finds nothing more to give
        from server.feedback.core import core_ports

        assert service.link_pending(s, core_ports(), live_server.clock()) == 0
    assert len(_entries(live_server.sessions, member)) == 1
