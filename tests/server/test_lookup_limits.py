"""Online member look-ups are limited per till and recorded (who, when, by what, why, which
member); the answer carries what a till needs. And nothing identifying a member reaches the
server's log. A real `till-server serve` on PostgreSQL with a low limit of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import issue_feedback_token
from server.models import MemberLookup
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres
LIMIT = 5


@pytest.fixture(scope="module")
def limited(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        db_url,
        tmp_path_factory.mktemp("limited"),
        LT_SERVER_LOOKUP_LIMIT=str(LIMIT),
        LT_SERVER_LOOKUP_WINDOW_S="600",
        LT_SERVER_LOG_LEVEL="debug",
    ).start()
    yield proc
    proc.stop()


def _rows(db_url: str, terminal_id: str) -> list[MemberLookup]:
    db, s = session_for(db_url)
    try:
        return list(
            s.execute(
                select(MemberLookup).where(MemberLookup.terminal_id == terminal_id).order_by(MemberLookup.id)
            ).scalars()
        )
    finally:
        s.close()
        db.dispose()


def test_lookups_are_limited_per_till_and_recorded(
    limited: ServerProcess, db_url: str, store_id: str
) -> None:
    a = Till(limited.url, db_url, store_id)
    b = Till(limited.url, db_url, store_id)
    a.enrol()
    b.enrol()
    phone, member = random_phone(), uuid.uuid4()
    reg = a.registration(phone, member, name="王小明")
    reg["payload"]["family"] = "spouse, two children"
    reg["payload"]["favourite_categories"] = ["dairy"]
    assert a.push([reg])["results"][0]["status"] == "applied"
    url = b.base + "/members/lookup"
    answers = [
        requests.get(url, params={"phone": phone, "reason": "refund"}, headers=b.headers(), timeout=10)
        for _ in range(LIMIT - 1)
    ]
    answers.append(requests.get(url, params={"phone": random_phone()}, headers=b.headers(), timeout=10))
    assert [r.status_code for r in answers] == [200] * LIMIT
    body = answers[0].json()
    assert body["found"] is True and body["member"]["id"] == str(member)
    assert body["member"]["phone"] == phone and body["member"]["name"] == "王小明"
    assert "family" not in body["member"] and "favourite_categories" not in body["member"]
    assert answers[-1].json() == {"found": False, "member": None, "ledger": [], "coupons": []}
    refused = requests.get(url, params={"phone": phone}, headers=b.headers(), timeout=10)
    assert refused.status_code == 429 and refused.json()["code"] == "lookup_limit"
    assert refused.headers["Retry-After"] == "600"
    # Another till of the same store is not held back by this one's look-ups.
    ok = requests.get(a.base + "/members/lookup", params={"phone": phone}, headers=a.headers(), timeout=10)
    assert ok.status_code == 200 and ok.json()["found"] is True
    rows = _rows(db_url, b.terminal_id)
    assert [r.outcome for r in rows] == ["found"] * (LIMIT - 1) + ["not_found", "refused"]
    assert [r.reason for r in rows] == ["refund"] * (LIMIT - 1) + ["checkout", "checkout"]
    assert {r.by for r in rows} == {"phone"} and {r.store_id for r in rows} == {store_id}
    assert [r.member_id for r in rows] == [member] * (LIMIT - 1) + [None, None]
    assert all(
        r.at.tzinfo is not None and abs((datetime.now(UTC) - r.at).total_seconds()) < 120 for r in rows
    )
    bad_reason = requests.get(
        url, params={"phone": phone, "reason": "curious"}, headers=a.headers(), timeout=10
    )
    assert bad_reason.status_code == 422


def test_nothing_identifying_reaches_the_log(limited: ServerProcess, db_url: str, store_id: str) -> None:
    till = Till(limited.url, db_url, store_id)
    till.enrol()
    phone, member = random_phone(), uuid.uuid4()
    assert till.push([till.registration(phone, member, name="李秘密")])["results"][0]["status"] == "applied"
    requests.get(till.base + "/members/lookup", params={"phone": phone}, headers=till.headers(), timeout=10)
    sale_id = uuid.uuid4()
    token = issue_feedback_token(
        store_id, till.terminal_id, sale_id, f"{store_id}-R9", till.key, datetime.now(UTC)
    )
    comment = "my secret comment 4711"
    url = f"{limited.url}/f/{token}"
    many = "&".join(f"f{i}=x" for i in range(30))
    requests.post(url, data=many, timeout=10, headers={"Content-Type": "application/x-www-form-urlencoded"})
    requests.post(url, data={"stars": "5" * 5000, "nps": "1", "comment": comment + "\x00"}, timeout=10)
    requests.post(url, data={"stars": "1", "nps": "0", "category": "safety", "comment": comment}, timeout=10)
    requests.get(url[:-3] + "AAA", timeout=10)  # an altered token: refused, and logged as such
    log = Path(limited.log).read_text(encoding="utf-8", errors="replace")
    assert "feedback token refused" in log  # the log is written (debug level)
    for secret in (token, token[5:60], phone, phone[3:], "李秘密", comment, till.token):
        assert secret not in log, secret
