"""A customer answers the receipt's feedback QR before the till has synced; the sale then
arrives through a real push and the answer joins it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import issue_feedback_token
from app.domain.program import LoyaltyProgram
from server.feedback.models import Feedback
from server.models import LedgerEntry
from server.program import publish
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres


def test_feedback_before_the_sale_is_joined_when_the_sale_is_pushed(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    till = Till(server.url, db_url, store_id)
    till.enrol()
    sale_id = uuid.uuid4()
    event = till.sale(None, total=2300, sale_id=sale_id)
    receipt_no = event["payload"]["receipt_no"]
    token = issue_feedback_token(store_id, till.terminal_id, sale_id, receipt_no, till.key, datetime.now(UTC))
    event["payload"]["feedback_token"] = token

    r = requests.post(
        f"{server.url}/f/{token}",
        data={"stars": "4", "nps": "9", "category": "service", "comment": "", "lang": "en"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    db, s = session_for(db_url)
    try:
        fb = s.execute(select(Feedback).where(Feedback.sale_id == sale_id)).scalar_one()
        assert fb.sale_linked_at is None and fb.linked_sale_id is None  # the sale is not there yet

        assert till.push([event])["results"][0]["status"] == "applied"
        s.expire_all()
        fb = s.execute(select(Feedback).where(Feedback.sale_id == sale_id)).scalar_one()
        assert fb.linked_sale_id == sale_id and fb.sale_linked_at is not None
    finally:
        s.close()
        db.dispose()


def test_a_late_sales_balance_counts_the_points_its_answer_earned(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """The answer came first; when the sale is pushed, joining them earns the program's
    feedback points in the push's transaction, and the balance the push answers with is the
    member's ledger, those points included (it was read before they were written)."""
    till = Till(server.url, db_url, store_id)
    till.enrol()
    member = uuid.uuid4()
    assert till.push([till.registration(random_phone(), member)])["results"][0]["status"] == "applied"
    db, s = session_for(db_url)
    try:
        now = datetime.now(UTC)
        publish(s, LoyaltyProgram.model_validate({"feedback_points": 25}), now, now, by="test")
        s.commit()
        sale_id = uuid.uuid4()
        event = till.sale(member, total=12000, earned=120, sale_id=sale_id, at=now - timedelta(hours=2))
        receipt_no = event["payload"]["receipt_no"]
        token = issue_feedback_token(store_id, till.terminal_id, sale_id, receipt_no, till.key, now)
        event["payload"]["feedback_token"] = token
        r = requests.post(
            f"{server.url}/f/{token}",
            data={"stars": "5", "nps": "10", "category": "service", "comment": "", "lang": "en"},
            timeout=10,
        )
        assert r.status_code == 200, r.text

        # A later sale of the member's in the same batch reads the balance too.
        later = till.sale(member, total=1000, earned=10, at=now - timedelta(hours=1))
        out = till.push([event, later])["results"]
        assert [x["status"] for x in out] == ["applied", "applied"]
        s.expire_all()
        ledger = [
            (e.kind, e.note, e.points)
            for e in s.execute(select(LedgerEntry).where(LedgerEntry.member_id == member)).scalars()
        ]
        assert ("earn", f"feedback:{receipt_no}", 25) in ledger
        total = sum(points for _, _, points in ledger)
        assert total == 120 + 25 + 10
        assert out[0]["result"]["points_balance"] == 145  # today's code said 120
        assert out[1]["result"]["points_balance"] == total
    finally:
        s.close()
        db.dispose()
