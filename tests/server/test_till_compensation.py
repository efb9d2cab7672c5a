"""A genuine compensation: a member's low score opens a ticket; the store's till compensates it
with points approved by a supervisor HQ knows, within the program's limits; the server applies
it once and the member's other tills (another terminal of the store, a till of another store
that looked the member up) receive the entry by pull. A real server process on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import issue_feedback_token
from server.feedback.models import Feedback, Ticket
from tests.server.conftest import HQ_TOKEN
from tests.server.evil.support import balance, enrolled, results
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres

HQ = {"Authorization": f"Bearer {HQ_TOKEN}"}


def _ticket_for(db_url: str, sale_id: uuid.UUID) -> Ticket:
    db, s = session_for(db_url)
    with s:
        row = s.execute(
            select(Ticket)
            .join(Feedback, Feedback.id == Ticket.feedback_id)
            .where(Feedback.sale_id == sale_id)
        ).scalar_one()
        s.expunge_all()
    db.dispose()
    return row


def _compensation(
    t: Till, mid: uuid.UUID, points: int, ticket: uuid.UUID, approver: uuid.UUID
) -> dict[str, Any]:
    return t.event(
        "points.compensated",
        {
            "entry_id": str(uuid.uuid4()),
            "member_id": str(mid),
            "points": points,
            "ticket_id": str(ticket),
            "at": datetime.now(UTC).isoformat(),
            "note": "sorry for the wait",
            "staff_id": str(uuid.uuid4()),
            "approver_id": str(approver),
        },
    )


def _entries(changes: list[dict[str, Any]], entry_id: str) -> list[dict[str, Any]]:
    return [c["data"] for c in changes if c["entity"] == "ledger_entry" and c["key"] == entry_id]


def test_a_genuine_ticket_compensation_is_applied_once_and_reaches_the_members_tills(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    till = enrolled(server, db_url, store_id)
    colleague = enrolled(server, db_url, store_id)  # another till of the same store
    elsewhere = enrolled(server, db_url, store_id + "b")
    mid, phone = uuid.uuid4(), random_phone()
    till.push([till.registration(phone, mid)])
    sale = till.sale(mid, total=2000)
    sale_id = uuid.UUID(sale["payload"]["sale_id"])
    token = issue_feedback_token(
        store_id, till.terminal_id, sale_id, sale["payload"]["receipt_no"], till.key, datetime.now(UTC)
    )
    sale["payload"]["feedback_token"] = token
    assert results(till, [sale])[0]["status"] == "applied"
    answer = requests.post(
        f"{server.url}/f/{token}",
        data={"stars": "1", "nps": "2", "category": "service", "comment": "waited 20 minutes", "lang": "en"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    ticket = _ticket_for(db_url, sale_id)
    assert ticket.status == "open" and ticket.store_id == store_id
    found = requests.get(
        f"{elsewhere.base}/members/lookup", params={"phone": phone}, headers=elsewhere.headers(), timeout=10
    )
    assert found.status_code == 200 and found.json()["found"], found.text
    for t in (till, colleague, elsewhere):
        t.pull_all()
    boss = uuid.uuid4()
    r = requests.put(
        server.url + "/api/v1/store-staff",
        headers=HQ,
        timeout=10,
        json={"staff_id": str(boss), "store_id": store_id, "role": "supervisor", "name": "Wang"},
    )
    assert r.status_code == 200, r.text
    before = balance(db_url, mid)

    comp = _compensation(till, mid, 800, ticket.id, boss)
    out = results(till, [comp])[0]
    assert out["status"] == "applied", out
    assert "held_for_approval" not in out["result"]
    assert out["result"]["points"] == 800
    assert balance(db_url, mid) == before + 800

    entry_id = comp["payload"]["entry_id"]
    for other in (colleague, elsewhere):
        got = _entries(other.pull_all(), entry_id)
        assert len(got) == 1, other.terminal_id
        assert (got[0]["kind"], got[0]["points"], got[0]["note"]) == (
            "compensate",
            800,
            f"compensation:{ticket.id}",
        )
        assert got[0]["member_id"] == str(mid)
    assert _entries(till.pull_all(), entry_id) == []  # the till that made it holds it already

    # The same ticket once more (another entry): refused, the balance unchanged.
    again = results(till, [_compensation(till, mid, 100, ticket.id, boss)])[0]
    assert (again["status"], again["reason"]) == ("rejected", "compensation_already_given")
    assert balance(db_url, mid) == before + 800
