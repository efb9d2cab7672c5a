"""The feedback service on SQLite with the core's tables: answers, tickets, joining the sale,
closing with compensation that the tills then pull."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import server.models as sm
from app.domain.codes import CodeError
from server.feedback import service
from server.feedback.core import core_ports
from server.feedback.models import Feedback, Ticket
from server.feedback.rules import Score
from server.pull import pull
from sync.protocol import PullRequest
from tests.server_feedback.conftest import NOW, add_sale, enrol

LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def ports() -> service.FeedbackPorts:
    return core_ports()


def _submit(s: Session, ports: service.FeedbackPorts, token: str, score: Score) -> service.Submitted:
    claims = service.read_token(s, token, ports)
    return service.submit_feedback(s, claims, score, "en", LATER, ports)


def test_parse_answer() -> None:
    assert service.parse_answer({"stars": "4", "nps": "9", "category": "", "comment": " ok\r\n"}) == Score(
        4, 9, None, "ok"
    )
    assert service.parse_answer({"stars": "0", "nps": "11", "category": "parking"}) == [
        "stars",
        "nps",
        "category",
    ]
    assert service.parse_answer({"stars": "٣", "nps": "5"}) == ["stars"]  # Arabic-Indic digit
    assert service.parse_answer({"stars": "3", "nps": "5", "comment": "x" * 1001}) == ["comment"]


def test_good_answer_before_the_sale_then_the_sale_arrives(
    sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts
) -> None:
    term = enrol(sqlite_sessions)
    token, sale_id, receipt_no = term.receipt()
    with sqlite_sessions.begin() as s:
        done = _submit(s, ports, token, Score(5, 10, "service", "Lovely"))
        assert done.ticket is None
        assert done.feedback.sale_linked_at is None
    member = uuid.uuid4()
    with sqlite_sessions.begin() as s:  # the core's push applying sale.completed
        add_sale(s, term, sale_id, receipt_no, member)
        assert service.link_sale(s, sale_id, member, LATER) is True
        assert service.link_sale(s, sale_id, member, LATER) is False  # idempotent
    with sqlite_sessions() as s:
        fb = s.execute(select(Feedback)).scalar_one()
        assert (fb.linked_sale_id, fb.member_id, fb.receipt_no) == (sale_id, member, receipt_no)


def test_sweep_joins_answers_whose_sale_arrived(
    sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts
) -> None:
    term = enrol(sqlite_sessions)
    token, sale_id, receipt_no = term.receipt()
    with sqlite_sessions.begin() as s:
        _submit(s, ports, token, Score(2, 5, "stock"))
        assert service.link_pending(s, ports, LATER) == 0
        add_sale(s, term, sale_id, receipt_no, None)
        assert service.link_pending(s, ports, LATER) == 1
        assert s.execute(select(Feedback.linked_sale_id)).scalar_one() == sale_id


def test_answer_after_the_sale_joins_at_once(
    sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts
) -> None:
    term = enrol(sqlite_sessions)
    token, sale_id, receipt_no = term.receipt()
    member = uuid.uuid4()
    with sqlite_sessions.begin() as s:
        add_sale(s, term, sale_id, receipt_no, member)
    with sqlite_sessions.begin() as s:
        done = _submit(s, ports, token, Score(4, 8))
        assert done.feedback.linked_sale_id == sale_id and done.feedback.member_id == member


def test_one_answer_per_receipt(sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts) -> None:
    term = enrol(sqlite_sessions)
    token, sale_id, receipt_no = term.receipt()
    with sqlite_sessions.begin() as s:
        _submit(s, ports, token, Score(4, 8))
    with sqlite_sessions.begin() as s, pytest.raises(service.AlreadyAnswered):
        _submit(s, ports, token, Score(1, 0))
    # A reprinted receipt (new nonce, same sale) is the same receipt.
    from app.domain.codes import issue_feedback_token

    again = issue_feedback_token(term.store_id, term.terminal_id, sale_id, receipt_no, term.key, NOW)
    assert again != token
    with sqlite_sessions.begin() as s, pytest.raises(service.AlreadyAnswered):
        _submit(s, ports, again, Score(1, 0))


def test_forged_altered_unknown_and_revoked_tokens(
    sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts
) -> None:
    term = enrol(sqlite_sessions)
    token, _, _ = term.receipt()
    from app.domain.codes import SigningKey, issue_feedback_token

    stranger = SigningKey.generate(term.key.key_id)  # same key id, another key: a forgery
    forged = issue_feedback_token("S001", "T01", uuid.uuid4(), "S001-T01-000009", stranger, NOW)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with sqlite_sessions() as s:
        for bad, reason in ((forged, "bad_signature"), (altered, "bad_signature"), ("hello", "malformed")):
            with pytest.raises(CodeError) as err:
                service.read_token(s, bad, ports)
            assert err.value.reason in (reason, "malformed")
    with sqlite_sessions.begin() as s:
        s.get_one(sm.Terminal, "T01").revoked_at = NOW
    with sqlite_sessions() as s, pytest.raises(CodeError) as err:
        service.read_token(s, token, ports)
    assert err.value.reason == "revoked"


def test_feedback_closes_after_the_configured_time(sqlite_sessions: sessionmaker[Session]) -> None:
    ports = core_ports(feedback_open_for=timedelta(minutes=1))
    term = enrol(sqlite_sessions)
    token, _, _ = term.receipt()
    with sqlite_sessions.begin() as s, pytest.raises(service.FeedbackClosed):
        _submit(s, ports, token, Score(4, 8))


def test_low_score_ticket_lifecycle_with_compensation_reaching_the_pull(
    sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts
) -> None:
    term = enrol(sqlite_sessions)
    enrol(sqlite_sessions, "T02")  # another till of the same store, which will pull
    token, sale_id, receipt_no = term.receipt()
    with sqlite_sessions.begin() as s:
        done = _submit(s, ports, token, Score(1, 2, "service", "rude"))
        assert done.ticket is not None
        tid = done.ticket.id
        assert (done.ticket.severity, done.ticket.team, done.ticket.escalated_to) == (
            "major",
            "store_service",
            "area_manager",
        )
        assert done.ticket.due_at == LATER
    with sqlite_sessions.begin() as s:
        with pytest.raises(service.CannotCompensate):  # the sale has not arrived yet
            service.close_ticket(
                s, tid, "hq-ann", LATER, ports, compensation=service.CompensationRequest(points=500)
            )
        s.rollback()
    with sqlite_sessions.begin() as s:
        assert service.get_ticket(s, tid).status == "open"
        service.assign_ticket(s, tid, "Wang", "hq-ann", LATER)
    member = uuid.uuid4()
    with sqlite_sessions.begin() as s:
        add_sale(s, term, sale_id, receipt_no, member)  # arrives; the sweep or close joins it
    with sqlite_sessions.begin() as s:
        ticket = service.close_ticket(
            s,
            tid,
            "hq-ann",
            LATER + timedelta(hours=1),
            ports,
            resolution="Apologised by phone",
            compensation=service.CompensationRequest(points=500, coupon_amount=2000, coupon_threshold=5000),
        )
        assert ticket.status == "closed" and ticket.compensation is not None
        assert [e.action for e in ticket.history] == [
            "opened",
            "escalated",
            "assigned",
            "compensated",
            "closed",
        ]
    with sqlite_sessions.begin() as s, pytest.raises(service.InvalidTransition):
        service.close_ticket(s, tid, "hq-ann", LATER, ports)
    with sqlite_sessions() as s:
        entry = s.execute(select(sm.LedgerEntry).where(sm.LedgerEntry.member_id == member)).scalar_one()
        assert (entry.kind, entry.points, entry.note) == ("compensate", 500, f"compensation:{tid}")
        coupon = s.execute(select(sm.Coupon).where(sm.Coupon.member_id == member)).scalar_one()
        assert (coupon.amount, coupon.threshold, coupon.issued_reason) == (2000, 5000, f"compensation:{tid}")
        got = pull(s, PullRequest(cursor=0), "S001", "T02", "e1")
        by_entity = {c.entity: c for c in got.changes}
        assert by_entity["ledger_entry"].data["points"] == 500
        assert by_entity["ledger_entry"].data["kind"] == "compensate"
        assert by_entity["coupon"].data["code"] == coupon.code
        assert by_entity["coupon"].data["member_id"] == str(member)


def test_list_and_filter_tickets(
    sqlite_sessions: sessionmaker[Session], ports: service.FeedbackPorts
) -> None:
    term = enrol(sqlite_sessions)
    scores = [Score(2, 5, "stock"), Score(1, 8, "cleanliness"), Score(5, 9), Score(1, 1, "product_quality")]
    with sqlite_sessions.begin() as s:
        for score in scores:
            _submit(s, ports, term.receipt()[0], score)
    with sqlite_sessions() as s:
        every = service.list_tickets(s, LATER)
        assert [t.severity for t in every] == ["major", "urgent", "normal"]  # earliest due first
        assert [t.team for t in service.list_tickets(s, LATER, team="merchandising")] == ["merchandising"]
        assert len(service.list_tickets(s, LATER + timedelta(hours=25), overdue=True)) == 2
        assert len(service.list_tickets(s, LATER, status="closed")) == 0
        assert s.execute(select(Ticket)).scalars().all().__len__() == 3
